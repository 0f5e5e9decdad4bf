/**
 * The ids of the parts the gateway interns (a child's field set, a request's context), remembered: most
 * parts recur (a caseload's children share a handful of field sets; a user's requests one context), and
 * every record appended names them. Verification never uses what is remembered here: it hashes what the
 * store holds.
 *
 * A part is looked up by walking it through a tree whose edges are its JSON tokens in the order
 * `JSON.stringify` writes them (members in insertion order, undefined members left out, undefined in an
 * array as null): two parts reach the same leaf exactly when their JSON texts are equal. Walking costs a
 * map look-up per token, where serialising the part and hashing the text as a key cost several times more
 * on every record. A part holding anything but plain objects, arrays, strings, finite numbers, booleans and
 * null (a `toJSON`, a class instance) is looked up by its JSON text instead.
 */

/** A node of the tree: the next token's edges, and at a part's end its id. */
interface TokenNode {
  id?: string;
  /** A string (a member's name or a string value) or a number. */
  scalar?: Map<string | number, TokenNode>;
  object?: TokenNode;
  array?: TokenNode;
  end?: TokenNode;
  null?: TokenNode;
  true?: TokenNode;
  false?: TokenNode;
}

type Edge = 'object' | 'array' | 'end' | 'null' | 'true' | 'false';

/** Past this many nodes the tree starts again empty (a few hundred distinct parts hold a few thousand). */
const MAX_NODES = 200_000;
/** Past this many texts the oldest is forgotten. */
const MAX_TEXTS = 10_000;

export class PartIds {
  private root: TokenNode = {};
  private nodes = 0;
  /** Parts the tree cannot walk, by JSON text. */
  private readonly byText = new Map<string, string>();

  /** @param idOf the id of a part, computed as verification will (from its JSON as it reads back). */
  constructor(private readonly idOf: (json: string) => string) {}

  id(part: object): string {
    const leaf = this.walk(part, this.root);
    const id = leaf === null ? this.idByText(JSON.stringify(part)) : (leaf.id ??= this.idOf(JSON.stringify(part)));
    if (this.nodes > MAX_NODES) this.forget();
    return id;
  }

  private idByText(text: string): string {
    let id = this.byText.get(text);
    if (id === undefined) {
      id = this.idOf(text);
      if (this.byText.size >= MAX_TEXTS) this.byText.delete(this.byText.keys().next().value as string);
      this.byText.set(text, id);
    }
    return id;
  }

  private forget(): void {
    this.root = {};
    this.nodes = 0;
  }

  private edge(node: TokenNode, edge: Edge): TokenNode {
    let next = node[edge];
    if (next === undefined) {
      next = node[edge] = {};
      this.nodes++;
    }
    return next;
  }

  private scalar(node: TokenNode, value: string | number): TokenNode {
    const edges = (node.scalar ??= new Map());
    let next = edges.get(value);
    if (next === undefined) {
      next = {};
      edges.set(value, next);
      this.nodes++;
    }
    return next;
  }

  /** The leaf a value's tokens lead to from `node`, or null when it holds what the tree does not walk. */
  private walk(value: unknown, node: TokenNode): TokenNode | null {
    switch (typeof value) {
      case 'string':
        return this.scalar(node, value);
      case 'number':
        return Number.isFinite(value) ? this.scalar(node, value) : this.edge(node, 'null');
      case 'boolean':
        return this.edge(node, value ? 'true' : 'false');
      case 'object': {
        if (value === null) return this.edge(node, 'null');
        if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return null;
        if (Array.isArray(value)) {
          let at: TokenNode | null = this.edge(node, 'array');
          for (const member of value) {
            at = member === undefined ? this.edge(at, 'null') : this.walk(member, at);
            if (at === null) return null;
          }
          return this.edge(at, 'end');
        }
        if (Object.getPrototypeOf(value) !== Object.prototype) return null;
        let at: TokenNode | null = this.edge(node, 'object');
        for (const name in value) {
          const member = (value as Record<string, unknown>)[name];
          if (member === undefined) continue;
          at = this.walk(member, this.scalar(at, name));
          if (at === null) return null;
        }
        return this.edge(at, 'end');
      }
      default:
        return null;
    }
  }
}
