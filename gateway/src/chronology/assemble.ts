import {
  GraphQLError,
  isObjectType,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { collectFields, subSelection } from '../policy/collect-fields.js';
import { CHRONOLOGY_ALIAS_PREFIX, type ChronologySite, type PlacedSource } from './expand.js';

/** One event on the timeline. */
export interface ChronologyEntry {
  date: string;
  agency: string;
  kind: string;
  title: string;
  detail: string | null;
}

/** What a chronology says is withheld from it, or did not answer: one per field, kind and reason. */
export interface ChronologyNotice {
  agency: string;
  kind: string;
  field: string;
  code: string;
  rule: string | null;
  message: string;
}

type Path = readonly (string | number)[];
type Error_ = { message: string; path?: Path; extensions?: Record<string, unknown> };

const HIDDEN = new RegExp(`^${CHRONOLOGY_ALIAS_PREFIX}(\\d+)_(\\d+|none)$`);

/** A field's name as words, to label a number or a yes/no (`durationHours` → `Duration hours`). */
function words(field: string): string {
  const spaced = field.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** The objects at the end of a source's path (lists flattened), from the value of its first field. */
function itemsOf(value: unknown, rest: readonly string[]): Record<string, unknown>[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((v) => itemsOf(v, rest));
  if (typeof value !== 'object') return [];
  const obj = value as Record<string, unknown>;
  return rest.length === 0 ? [obj] : itemsOf(obj[rest[0]!], rest.slice(1));
}

/** The coordinate an error inside a source's hidden selection is about (`[alias, 'incidents', 3, 'location']`). */
function coordinateAt(source: PlacedSource, inside: Path): string {
  const names = inside.filter((p): p is string => typeof p === 'string');
  // names[0] is the hidden alias of the path's first field.
  const depth = names.length - 1;
  return depth < source.through.length ? source.through[depth]! : `${source.itemType}.${names[depth]}`;
}

/** The entries of one chronology, from the decided data of the object it was asked on: newest first. */
function entriesOf(site: ChronologySite, obj: Record<string, unknown>): ChronologyEntry[] {
  const entries: ChronologyEntry[] = [];
  for (const [i, source] of site.sources.entries()) {
    for (const item of itemsOf(obj[`${site.prefix}${i}`], source.path.slice(1))) {
      const date = item[source.date];
      // An event whose date is withheld cannot be placed: its field's notice says so, nothing else does.
      if (typeof date !== 'string' || date.length < 10) continue;
      const day = date.slice(0, 10);
      if ((site.since && day < site.since) || (site.until && day > site.until)) continue;
      const detail = source.detail
        .filter((f) => item[f] !== null && item[f] !== undefined && item[f] !== '')
        .map((f) => (typeof item[f] === 'string' ? (item[f] as string) : `${words(f)}: ${String(item[f])}`))
        .join(' · ');
      entries.push({
        date: day,
        agency: source.agency,
        kind: source.kind,
        title: source.label,
        detail: detail || null,
      });
    }
  }
  return entries.sort(
    (a, b) =>
      b.date.localeCompare(a.date) ||
      a.agency.localeCompare(b.agency) ||
      a.kind.localeCompare(b.kind) ||
      (a.detail ?? '').localeCompare(b.detail ?? ''),
  );
}

/**
 * Makes each chronology from the data the per-child decisions let through (after the gateway's final
 * check): entries from the fields shown, one notice for each field withheld or not answered (its own
 * error, moved to the chronology's path and naming the field), the hidden selections removed. An entry
 * withheld leaves nothing but its field's notice: no count, no gap.
 */
export function assembleChronology(
  schema: GraphQLSchema,
  sites: readonly ChronologySite[],
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  data: Record<string, unknown> | null,
  errors: readonly Error_[],
): { data: Record<string, unknown> | null; errors: Error_[] } {
  const notices = new Map<string, Map<string, ChronologyNotice>>();
  /** Agencies that did not answer at all (an error naming the agency, with no path): every kind of theirs is missing. */
  const silent = new Map<string, Error_>();
  const out: Error_[] = [];
  for (const error of errors) {
    const at = error.path?.findIndex((p) => typeof p === 'string' && HIDDEN.test(p)) ?? -1;
    if (at < 0) {
      if (!error.path && typeof error.extensions?.agency === 'string') silent.set(error.extensions.agency, error);
      out.push(error);
      continue;
    }
    const [, siteIndex, sourceIndex] = HIDDEN.exec(error.path![at] as string)!;
    const site = sites[Number(siteIndex)]!;
    const source = site.sources[Number(sourceIndex)]!;
    const where = JSON.stringify([...error.path!.slice(0, at), site.key]);
    const ext = error.extensions ?? {};
    const notice: ChronologyNotice = {
      agency: typeof ext.agency === 'string' ? ext.agency : source.agency,
      kind: source.kind,
      field: coordinateAt(source, error.path!.slice(at)),
      code: typeof ext.code === 'string' ? ext.code : 'INTERNAL_SERVER_ERROR',
      rule: typeof ext.rule === 'string' ? ext.rule : null,
      message: error.message,
    };
    const here = notices.get(where) ?? new Map<string, ChronologyNotice>();
    notices.set(where, here);
    const id = `${notice.kind}|${notice.field}|${notice.code}|${notice.rule}`;
    if (here.has(id)) continue;
    here.set(id, notice);
    out.push(
      new GraphQLError(error.message, {
        path: JSON.parse(where) as (string | number)[],
        extensions: { ...ext, field: notice.field, chronologyKind: notice.kind },
      }),
    );
  }

  const chronologyType = schema.getType('Chronology');
  const selections = { fragments, variables };
  const project = (value: unknown, typeName: string, selectionSet: SelectionSetNode): unknown => {
    if (Array.isArray(value)) return value.map((v) => project(v, typeName, selectionSet));
    const type = schema.getType(typeName);
    if (value === null || typeof value !== 'object' || !isObjectType(type)) return value;
    const obj = value as Record<string, unknown>;
    const shaped: Record<string, unknown> = {};
    for (const [key, nodes] of collectFields(type, selectionSet, selections)) {
      const name = nodes[0]!.name.value;
      if (name === '__typename') {
        shaped[key] = type.name;
        continue;
      }
      const sub = subSelection(nodes);
      const inner = type.getFields()[name];
      const innerType = inner ? (inner.type.toString().replace(/[[\]!]/g, '') as string) : '';
      shaped[key] = sub ? project(obj[name], innerType, sub) : (obj[name] ?? null);
    }
    return shaped;
  };
  const walk = (value: unknown, path: (string | number)[]): void => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, [...path, i]));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const obj = value as Record<string, unknown>;
    const found = new Set<ChronologySite>();
    for (const key of Object.keys(obj)) {
      const hidden = HIDDEN.exec(key);
      if (hidden) {
        found.add(sites[Number(hidden[1])]!);
        continue;
      }
      walk(obj[key], [...path, key]);
    }
    for (const site of found) {
      const here = notices.get(JSON.stringify([...path, site.key])) ?? new Map<string, ChronologyNotice>();
      for (const source of site.sources) {
        const error = silent.get(source.agency);
        if (!error || [...here.values()].some((n) => n.kind === source.kind)) continue;
        here.set(source.kind, {
          agency: source.agency,
          kind: source.kind,
          field: source.through[0]!,
          code: typeof error.extensions?.code === 'string' ? error.extensions.code : 'AGENCY_UNAVAILABLE',
          rule: null,
          message: error.message,
        });
      }
      const chronology = {
        entries: entriesOf(site, obj),
        withheld: [...here.values()].sort(
          (a, b) => a.agency.localeCompare(b.agency) || a.kind.localeCompare(b.kind) || a.field.localeCompare(b.field),
        ),
      };
      for (let i = 0; i < site.sources.length; i++) delete obj[`${site.prefix}${i}`];
      delete obj[`${site.prefix}none`];
      obj[site.key] = chronologyType ? project(chronology, 'Chronology', site.selectionSet) : chronology;
    }
  };
  walk(data, []);
  return { data, errors: out };
}
