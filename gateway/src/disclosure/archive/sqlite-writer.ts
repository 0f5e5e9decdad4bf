import { parentPort, workerData } from 'node:worker_threads';
import type { FieldSet } from '../record.js';
import type { Segment } from '../segment.js';
import { SqliteArchive, type SegmentRows } from './sqlite-archive.js';

// The embedded archive's writer thread: puts a sealed segment (thousands of rows, their index keys and an
// fsync) on its own SQLite connection, so the gateway's event loop keeps answering while it does. Readers
// on the gateway's connection see the segment once its transaction commits (WAL).

/**
 * A put asked of the writer thread, handed over in parts (the rows of a few hundred records each, one per
 * turn of the gateway's event loop, so handing over a segment never holds it for long), then the segment.
 */
export type PutRequest =
  | { id: number; part: SegmentRows }
  | { id: number; segment: Segment; sets: [string, FieldSet][] };

/** Its answer. */
export type PutAnswer = { id: number; result: 'stored' | 'present' } | { id: number; error: string };

if (parentPort) {
  const port = parentPort;
  const archive = new SqliteArchive(workerData.where as string, { writer: 'inline', waitForLock: true });
  const parts = new Map<number, SegmentRows>();
  port.on('message', (request: PutRequest) => {
    const rows = parts.get(request.id) ?? { records: [], keys: [] };
    if ('part' in request) {
      for (const value of request.part.records) rows.records.push(value);
      for (const value of request.part.keys) rows.keys.push(value);
      parts.set(request.id, rows);
      return;
    }
    parts.delete(request.id);
    try {
      port.postMessage({
        id: request.id,
        result: archive.putRows(request.segment, rows, request.sets),
      } satisfies PutAnswer);
    } catch (error) {
      port.postMessage({ id: request.id, error: (error as Error).message } satisfies PutAnswer);
    }
  });
}
