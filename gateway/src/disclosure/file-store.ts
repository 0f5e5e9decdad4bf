import { closeSync, existsSync, fdatasync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, write } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { promisify } from 'node:util';
import { dirname } from 'node:path';
import { chain, firstBreak, GENESIS_HASH, type DisclosureRecord, type RecordDraft } from './record.js';
import { bestIndex, indexKeys, matches, type DisclosureStore, type IntegrityResult, type RecordFilter } from './store.js';

const writeAt = (fd: number, buffer: Buffer, position: number) =>
  new Promise<void>((resolve, reject) => write(fd, buffer, 0, buffer.length, position, (e, n) => (e ? reject(e) : n === buffer.length ? resolve() : reject(new Error(`short write: ${n} of ${buffer.length} bytes`)))));
const datasync = promisify(fdatasync);

/** Reads a file's non-empty lines in 4 MiB chunks (a log can outgrow the largest string Node allows). */
function* linesOf(fd: number, size: number): Generator<{ offset: number; length: number; text: string; last: boolean }> {
  const chunk = Buffer.alloc(4 * 1024 * 1024);
  let carry = Buffer.alloc(0);
  let base = 0;
  for (let position = 0; position < size; ) {
    const read = readSync(fd, chunk, 0, Math.min(chunk.length, size - position), position);
    if (read === 0) break;
    position += read;
    const buffer = carry.length ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
    let start = 0;
    for (let nl = buffer.indexOf(10, start); nl !== -1; nl = buffer.indexOf(10, start)) {
      if (nl > start) yield { offset: base + start, length: nl - start, text: buffer.toString('utf8', start, nl), last: false };
      start = nl + 1;
    }
    carry = Buffer.from(buffer.subarray(start));
    base += start;
  }
  if (carry.length > 0) yield { offset: base, length: carry.length, text: carry.toString('utf8'), last: true };
}

/**
 * The embedded disclosure log: one JSON record per line in an append-only file, fsync'd before any
 * append is acknowledged, with the chain head kept beside it (`<file>.head`) so that cutting records
 * off the end is detected too. Indexes (child, user, agency, break-glass) are rebuilt in memory on
 * open. One gateway process per file.
 */
export class FileDisclosureStore implements DisclosureStore {
  readonly kind = 'file' as const;
  private fd: number;
  private size: number;
  private head = { seq: 0, hash: GENESIS_HASH };
  /** Byte offset and length of each record, by seq - 1. */
  private readonly offsets: number[] = [];
  private readonly lengths: number[] = [];
  private readonly ids = new Map<string, number>();
  private readonly indexes = new Map<string, number[]>();
  private writing: Promise<unknown> = Promise.resolve();
  /** Set when the last append failed, cleared by the next one that succeeds: readiness follows it. */
  private failing = false;

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.fd = openSync(file, existsSync(file) ? 'r+' : 'w+');
    this.size = fstatSync(this.fd).size;
    this.load();
  }

  private load(): void {
    if (this.size === 0) return;
    for (const { offset, length, text, last } of linesOf(this.fd, this.size)) {
      let record: DisclosureRecord | null = null;
      try {
        record = JSON.parse(text) as DisclosureRecord;
      } catch {
        // A torn last line (a crash mid-write, never acknowledged) is cut off; anything else is kept for the verifier.
        if (last) {
          ftruncateSync(this.fd, offset);
          this.size = offset;
          break;
        }
      }
      this.offsets.push(offset);
      this.lengths.push(length);
      if (record) {
        this.ids.set(record.id, this.offsets.length);
        for (const key of indexKeys(record)) this.addToIndex(key, this.offsets.length);
        this.head = { seq: record.seq, hash: record.hash };
      }
    }
  }

  private addToIndex(key: string, seq: number): void {
    const list = this.indexes.get(key);
    if (list) list.push(seq);
    else this.indexes.set(key, [seq]);
  }

  private read(seq: number): DisclosureRecord | null {
    const offset = this.offsets[seq - 1];
    const length = this.lengths[seq - 1];
    if (offset === undefined || length === undefined) return null;
    const buffer = Buffer.alloc(length);
    readSync(this.fd, buffer, 0, length, offset);
    try {
      return JSON.parse(buffer.toString('utf8')) as DisclosureRecord;
    } catch {
      return null;
    }
  }

  append(drafts: readonly RecordDraft[]): Promise<DisclosureRecord[]> {
    // Appends are serialised: each links to the head the previous one left.
    const run = this.writing.then(() => this.appendNow(drafts));
    this.writing = run.catch(() => undefined);
    return run;
  }

  private async appendNow(drafts: readonly RecordDraft[]): Promise<DisclosureRecord[]> {
    const records = chain(drafts, this.head);
    const lines = records.map((r) => JSON.stringify(r));
    const buffer = Buffer.from(lines.map((l) => `${l}\n`).join(''));
    const before = this.size;
    const last = records[records.length - 1]!;
    try {
      // Written and fsync'd off the event loop (libuv's threads): other requests go on meanwhile.
      await writeAt(this.fd, buffer, before);
      await datasync(this.fd);
      await this.writeHead(last);
      this.failing = false;
    } catch (error) {
      this.failing = true;
      // Nothing was acknowledged: cut back whatever part reached the file, so the chain stays whole.
      try {
        ftruncateSync(this.fd, before);
      } catch {
        // the verifier will report a torn record if this also failed
      }
      throw error;
    }
    let offset = before;
    for (const [i, record] of records.entries()) {
      const length = Buffer.byteLength(lines[i]!);
      this.offsets.push(offset);
      this.lengths.push(length);
      this.ids.set(record.id, record.seq);
      for (const key of indexKeys(record)) this.addToIndex(key, record.seq);
      offset += length + 1;
    }
    this.size = before + buffer.length;
    this.head = { seq: last.seq, hash: last.hash };
    return records;
  }

  /** The head (last seq and hash) beside the log, replaced atomically, so truncation of the log shows. */
  private async writeHead(last: DisclosureRecord): Promise<void> {
    const tmp = `${this.file}.head.tmp`;
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(JSON.stringify({ seq: last.seq, hash: last.hash }));
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(tmp, `${this.file}.head`);
  }

  async query(filter: RecordFilter, limit: number, before = Number.MAX_SAFE_INTEGER): Promise<DisclosureRecord[]> {
    const index = bestIndex(filter);
    const out: DisclosureRecord[] = [];
    const candidates = index ? this.indexes.get(index) ?? [] : null;
    const count = candidates ? candidates.length : this.offsets.length;
    for (let i = count - 1; i >= 0 && out.length < limit; i--) {
      const seq = candidates ? candidates[i]! : i + 1;
      if (seq >= before) continue;
      const record = this.read(seq);
      if (record && matches(record, filter)) out.push(record);
    }
    return out;
  }

  async get(id: string): Promise<DisclosureRecord | null> {
    const seq = this.ids.get(id);
    return seq ? this.read(seq) : null;
  }

  async verify(): Promise<IntegrityResult> {
    await this.writing;
    // Read the file afresh: the verifier trusts nothing it holds in memory.
    let previous = { seq: 0, hash: GENESIS_HASH };
    let count = 0;
    if (existsSync(this.file)) {
      const fd = openSync(this.file, 'r');
      try {
        for (const { text } of linesOf(fd, fstatSync(fd).size)) {
          let record: DisclosureRecord;
          try {
            record = JSON.parse(text) as DisclosureRecord;
          } catch {
            return { ok: false, count, headHash: previous.hash, problem: `the line after record seq ${previous.seq} is not a record` };
          }
          const problem = firstBreak(record, previous);
          if (problem) return { ok: false, count, headHash: previous.hash, problem };
          previous = { seq: record.seq, hash: record.hash };
          count++;
        }
      } finally {
        closeSync(fd);
      }
    }
    const headFile = `${this.file}.head`;
    const head = existsSync(headFile) ? (JSON.parse(readFileSync(headFile, 'utf8')) as { seq: number; hash: string }) : { seq: 0, hash: GENESIS_HASH };
    if (head.seq !== previous.seq || head.hash !== previous.hash) {
      return { ok: false, count, headHash: previous.hash, problem: `the log ends at seq ${previous.seq} but its recorded head is seq ${head.seq}: records were cut off the end or the head was altered` };
    }
    return { ok: true, count, headHash: previous.hash, problem: null };
  }

  async ready(): Promise<boolean> {
    return !this.failing;
  }

  async durability(): Promise<string> {
    return 'file: each batch is written and fsync\'d before any of its responses is released';
  }

  async close(): Promise<void> {
    await this.writing;
    closeSync(this.fd);
  }
}
