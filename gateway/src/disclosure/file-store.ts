import {
  closeSync,
  existsSync,
  fdatasync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  write,
  writeFileSync,
} from 'node:fs';
import { randomUUID } from 'node:crypto';
import { open, rename } from 'node:fs/promises';
import { promisify } from 'node:util';
import { dirname } from 'node:path';
import {
  chain,
  expand,
  fieldSetId,
  firstBreak,
  GENESIS_HASH,
  setIdsOf,
  type AnyStoredRecord,
  type DisclosureRecord,
  type FieldSet,
  type RecordDraft,
} from './record.js';
import type { HotTier, StoredRun, TailIntegrity } from './hot-tier.js';
import { DEFAULT_RATE_LIMITS, MemoryLimits, OverLimit, type Charge, type RateLimits } from '../limits/rate-limit.js';
import {
  anchorProblem,
  bestIndex,
  indexKeys,
  matches,
  type Anchor,
  type DisclosureStore,
  type IntegrityResult,
  type RecordFilter,
} from './store.js';

const writeAt = (fd: number, buffer: Buffer, position: number) =>
  new Promise<void>((resolve, reject) =>
    write(fd, buffer, 0, buffer.length, position, (e, n) =>
      e
        ? reject(e)
        : n === buffer.length
          ? resolve()
          : reject(new Error(`short write: ${n} of ${buffer.length} bytes`)),
    ),
  );
const datasync = promisify(fdatasync);

/** Reads a file's non-empty lines in 4 MiB chunks (a log can outgrow the largest string Node allows). */
function* linesOf(
  fd: number,
  size: number,
): Generator<{ offset: number; length: number; text: string; last: boolean }> {
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
      if (nl > start)
        yield { offset: base + start, length: nl - start, text: buffer.toString('utf8', start, nl), last: false };
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
export class FileDisclosureStore implements DisclosureStore, HotTier {
  /** The embedded file is sealed into the archive but never trimmed: it serves one gateway, in development. */
  readonly trims = false;
  readonly kind = 'file' as const;
  private fd: number;
  private size: number;
  private head = { seq: 0, hash: GENESIS_HASH };
  /** Byte offset and length of each record, by seq - 1. */
  private readonly offsets: number[] = [];
  private readonly lengths: number[] = [];
  private readonly ids = new Map<string, number>();
  private readonly indexes = new Map<string, number[]>();
  /** The interned field sets (`<file>.sets`, one `[id, set]` per line), written and fsync'd before the records naming them. */
  private readonly sets = new Map<string, FieldSet>();
  private readonly setsFile: string;
  private writing: Promise<unknown> = Promise.resolve();
  /** Set when the last append failed, cleared by the next one that succeeds: readiness follows it. */
  private failing = false;
  /**
   * Why the log disagrees with its recorded head (records cut off the end, or the head altered), or
   * null. While set, nothing is appended and the store is not ready: only an explicit, recorded
   * recovery ({@link recover}, `npm run -s audit:recover`) lets the chain go on.
   */
  private disagreement: string | null = null;

  private claimed: string | null = null;

  /** The users' rate limits, charged with each append (the embedded log serves one gateway process). */
  private readonly limits: MemoryLimits;

  constructor(
    readonly file: string,
    limits: RateLimits = DEFAULT_RATE_LIMITS,
  ) {
    this.limits = new MemoryLimits(limits);
    mkdirSync(dirname(file), { recursive: true });
    this.fd = openSync(file, existsSync(file) ? 'r+' : 'w+');
    this.size = fstatSync(this.fd).size;
    this.setsFile = `${file}.sets`;
    readSets(this.setsFile, this.sets);
    this.load();
    this.disagreement = this.checkHead();
  }

  /** The recorded head must be the log's last record, or a record of it (a crash after the fsync, before the head was replaced). */
  private checkHead(): string | null {
    const headFile = `${this.file}.head`;
    if (!existsSync(headFile))
      return this.head.seq === 0 ? null : `the log holds ${this.head.seq} records but its head file is missing`;
    let recorded: { seq: number; hash: string };
    try {
      recorded = JSON.parse(readFileSync(headFile, 'utf8')) as { seq: number; hash: string };
    } catch {
      return 'the head file is not readable';
    }
    if (recorded.seq === this.head.seq && recorded.hash === this.head.hash) return null;
    if (recorded.seq > this.head.seq)
      return `the log ends at seq ${this.head.seq} but its recorded head is seq ${recorded.seq}: ${recorded.seq - this.head.seq} records were cut off the end`;
    const at = recorded.seq > 0 ? this.read(recorded.seq) : null;
    if (recorded.seq === 0 || at?.hash !== recorded.hash)
      return `the recorded head (seq ${recorded.seq}) is not a record of this log: the log or its head was replaced`;
    return null; // the log is ahead of its head: the last batch was written but never acknowledged
  }

  private load(): void {
    if (this.size === 0) return;
    for (const { offset, length, text, last } of linesOf(this.fd, this.size)) {
      let record: AnyStoredRecord | null = null;
      try {
        record = JSON.parse(text) as AnyStoredRecord;
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
        const parts = (id: string) => this.sets.get(id);
        const expanded = (() => {
          try {
            return expand(record, parts);
          } catch {
            return null; // a record naming a part the log lacks: the verifier reports it
          }
        })();
        if (expanded) for (const key of indexKeys(expanded)) this.addToIndex(key, this.offsets.length);
        this.head = { seq: record.seq, hash: record.hash };
      }
    }
  }

  private addToIndex(key: string, seq: number): void {
    const list = this.indexes.get(key);
    if (list) list.push(seq);
    else this.indexes.set(key, [seq]);
  }

  private readStoredAt(seq: number): AnyStoredRecord | null {
    const offset = this.offsets[seq - 1];
    const length = this.lengths[seq - 1];
    if (offset === undefined || length === undefined) return null;
    const buffer = Buffer.alloc(length);
    readSync(this.fd, buffer, 0, length, offset);
    try {
      return JSON.parse(buffer.toString('utf8')) as AnyStoredRecord;
    } catch {
      return null;
    }
  }

  private read(seq: number): DisclosureRecord | null {
    const stored = this.readStoredAt(seq);
    try {
      return stored ? expand(stored, (id) => this.sets.get(id)) : null;
    } catch {
      return null;
    }
  }

  async readStored(from: number, max: number): Promise<StoredRun> {
    await this.writing;
    const records: AnyStoredRecord[] = [];
    const sets = new Map<string, FieldSet>();
    for (let seq = from; seq < from + max && seq <= this.head.seq; seq++) {
      const record = this.readStoredAt(seq);
      if (!record) break;
      records.push(record);
      for (const id of setIdsOf(record)) {
        const set = this.sets.get(id);
        if (set) sets.set(id, set);
      }
    }
    return { records, sets };
  }

  async held(): Promise<number> {
    return this.offsets.length;
  }

  async trimmed(): Promise<{ seq: number; hash: string }> {
    return { seq: 0, hash: GENESIS_HASH };
  }

  async trim(): Promise<void> {
    throw new Error('the embedded disclosure log file is not trimmed');
  }

  append(drafts: readonly RecordDraft[], charges: readonly (Charge | null)[] = []): Promise<DisclosureRecord[]> {
    if (this.disagreement)
      return Promise.reject(
        new Error(
          `the disclosure log disagrees with its head (${this.disagreement}); nothing is appended until npm run -s audit:recover`,
        ),
      );
    // Charged in the order appends are made, which is the order they are written. A write that then
    // fails leaves its charges counted: the limits err on the side of refusing.
    const now = Date.now();
    const refused = this.limits.charge(charges, now);
    if (refused.size > 0) return Promise.reject(new OverLimit(refused, now));
    // Appends are serialised: each links to the head the previous one left.
    const run = this.writing.then(() => this.appendNow(drafts));
    this.writing = run.catch(() => undefined);
    return run;
  }

  private async appendNow(drafts: readonly RecordDraft[]): Promise<DisclosureRecord[]> {
    const chained = chain(drafts, this.head);
    const records = chained.map((c) => c.record);
    const lines = chained.map((c) => c.json);
    const buffer = Buffer.from(lines.map((l) => `${l}\n`).join(''));
    const before = this.size;
    const last = records[records.length - 1]!;
    try {
      await this.writeSets(chained.flatMap((c) => [...c.sets]));
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

  /** Appends the sets not yet kept, and fsyncs them, before any record naming them is written. */
  private async writeSets(sets: readonly [string, FieldSet][]): Promise<void> {
    const fresh = new Map(sets.filter(([id]) => !this.sets.has(id)));
    if (fresh.size === 0) return;
    const buffer = Buffer.from([...fresh].map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    const handle = await open(this.setsFile, 'a');
    try {
      await handle.write(buffer);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    for (const [id, set] of fresh) this.sets.set(id, set);
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
    const candidates = index ? (this.indexes.get(index) ?? []) : null;
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

  /** The file is never trimmed: its tail is the whole log, read at once. */
  async verifyTail(anchor: Anchor | undefined): Promise<TailIntegrity> {
    const result = await this.verify(anchor);
    return result.ok ? { ...result, through: result.count } : result;
  }

  async verify(anchor?: Anchor): Promise<IntegrityResult> {
    await this.writing;
    // Read the file afresh: the verifier trusts nothing it holds in memory.
    let previous = { seq: 0, hash: GENESIS_HASH };
    let count = 0;
    let anchored: string | undefined;
    const sets = new Map<string, FieldSet>();
    readSets(this.setsFile, sets);
    for (const [id, set] of sets)
      if (fieldSetId(set) !== id)
        return {
          ok: false,
          count,
          headHash: previous.hash,
          problem: `field set ${id} was altered: its content does not match its id`,
        };
    if (existsSync(this.file)) {
      const fd = openSync(this.file, 'r');
      try {
        for (const { text } of linesOf(fd, fstatSync(fd).size)) {
          let record: AnyStoredRecord;
          try {
            record = JSON.parse(text) as AnyStoredRecord;
          } catch {
            return {
              ok: false,
              count,
              headHash: previous.hash,
              problem: `the line after record seq ${previous.seq} is not a record`,
            };
          }
          const problem =
            firstBreak(record, previous) ??
            (setIdsOf(record).some((id) => !sets.has(id))
              ? `record seq ${record.seq} (${record.id}) names a field set the log does not hold`
              : null);
          if (problem) return { ok: false, count, headHash: previous.hash, problem };
          previous = { seq: record.seq, hash: record.hash };
          if (record.seq === anchor?.seq) anchored = record.hash;
          count++;
        }
      } finally {
        closeSync(fd);
      }
    }
    const headFile = `${this.file}.head`;
    const head = existsSync(headFile)
      ? (JSON.parse(readFileSync(headFile, 'utf8')) as { seq: number; hash: string })
      : { seq: 0, hash: GENESIS_HASH };
    if (head.seq !== previous.seq || head.hash !== previous.hash) {
      return {
        ok: false,
        count,
        headHash: previous.hash,
        problem: `the log ends at seq ${previous.seq} but its recorded head is seq ${head.seq}: records were cut off the end or the head was altered`,
      };
    }
    const lost = anchorProblem(anchor, anchored, previous.seq);
    if (lost) return { ok: false, count, headHash: previous.hash, problem: lost };
    return { ok: true, count, headHash: previous.hash, problem: null };
  }

  async ready(): Promise<boolean> {
    return !this.failing && !this.disagreement;
  }

  /** Why the log cannot be appended to, or null. */
  problem(): string | null {
    return this.disagreement;
  }

  /**
   * Lets a log that disagrees with its head go on, on the record: appends a LOG_RECOVERY record, chained
   * to the log as it now ends, saying what the head had recorded, what was found, why, and by whom.
   */
  async recover(reason: string, by: string): Promise<DisclosureRecord> {
    const problem = this.disagreement;
    if (!problem) throw new Error('the log agrees with its head: nothing to recover');
    this.disagreement = null;
    const headFile = `${this.file}.head`;
    const recorded = existsSync(headFile) ? (JSON.parse(readFileSync(headFile, 'utf8')) as unknown) : null;
    const [record] = await this.append([
      {
        id: randomUUID(),
        kind: 'LOG_RECOVERY',
        time: new Date().toISOString(),
        requestId: `recovery-${Date.now()}`,
        user: null,
        purpose: null,
        justification: reason,
        breakGlass: false,
        operation: { name: 'audit:recover', hash: null },
        clientName: by,
        outcome: 'RECOVERED',
        reason: problem,
        children: [],
        agencies: [],
        query: { recordedHead: recorded, logEnd: { seq: this.head.seq, hash: this.head.hash } },
      },
    ]).catch((error: Error) => {
      this.disagreement = problem;
      throw error;
    });
    return record!;
  }

  async durability(): Promise<string> {
    return "file: each batch is written and fsync'd before any of its responses is released";
  }

  /**
   * Claims the file for this process's appends: two gateways appending one file would fork its chain,
   * so a second is refused, saying what to do instead. Readers (the verify CLI) need no claim.
   */
  claim(): void {
    if (!fstatSync(this.fd).isFile()) return; // a device (tests use /dev/full) is nobody's chain
    const lock = `${this.file}.lock`;
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
    } catch {
      const holder = Number(readFileSync(lock, 'utf8'));
      if (holder && holder !== process.pid && alive(holder))
        throw new Error(
          `the disclosure log ${this.file} is in use by gateway process ${holder}: the file log serves one gateway; to run several, give them a shared Redis (REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES)`,
        );
      writeFileSync(lock, String(process.pid)); // left by a process that is gone
    }
    this.claimed = lock;
  }

  async close(): Promise<void> {
    await this.writing;
    closeSync(this.fd);
    if (this.claimed) rmSync(this.claimed, { force: true });
  }
}

/**
 * Reads interned field sets into `into`; a torn last line (a crash mid-write: no record names it, since
 * records are written only after their sets are fsync'd) is ignored.
 */
function readSets(file: string, into: Map<string, FieldSet>): void {
  if (!existsSync(file)) return;
  const text = readFileSync(file, 'utf8');
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const [id, set] = JSON.parse(line) as [string, FieldSet];
      into.set(id, set);
    } catch {
      // torn: see above
    }
  }
}

/** Whether a process is running (signal 0 tests it without touching it). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
