import {
  expand,
  setIdsOf,
  type AnyStoredRecord,
  type DisclosureRecord,
  type FieldSet,
  type SetLookup,
} from './record.js';

/**
 * The field sets a reader has fetched. A set never changes once written (its id is its content's hash),
 * so it is held for good; a log has some thousands of distinct sets, not millions. Records are expanded
 * with one fetch for the sets not yet held.
 */
export class SetCache {
  private readonly sets = new Map<string, FieldSet>();

  constructor(private readonly fetch: (ids: readonly string[]) => Promise<Map<string, FieldSet>>) {}

  async expand(stored: readonly AnyStoredRecord[]): Promise<DisclosureRecord[]> {
    const lookup = await this.holding(stored.flatMap(setIdsOf));
    return stored.map((r) => expand(r, lookup));
  }

  /** A lookup holding at least these parts (fetched once where not yet held). */
  async holding(ids: readonly string[]): Promise<SetLookup> {
    const missing = [...new Set(ids)].filter((id) => !this.sets.has(id));
    if (missing.length > 0) for (const [id, set] of await this.fetch(missing)) this.sets.set(id, set);
    return (id) => this.sets.get(id);
  }
}
