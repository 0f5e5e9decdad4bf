import { parentPort, workerData } from 'node:worker_threads';
import type { AnyStoredRecord, FieldSet } from '../record.js';
import type { Segment } from '../segment.js';
import { SqliteArchive } from './sqlite-archive.js';

// The embedded archive's writer thread: puts a sealed segment (thousands of rows, their index keys and an
// fsync) on its own SQLite connection, so the gateway's event loop keeps answering while it does. Readers
// on the gateway's connection see the segment once its transaction commits (WAL).

/**
 * A put asked of the writer thread, handed over in parts (a few hundred records each, one per turn of the
 * gateway's event loop, so handing over a segment never holds it for long), then the segment to put.
 */
export type PutRequest =
  | { id: number; part: readonly AnyStoredRecord[] }
  | { id: number; segment: Segment; sets: [string, FieldSet][] };

/** Its answer. */
export type PutAnswer = { id: number; result: 'stored' | 'present' } | { id: number; error: string };

if (parentPort) {
  const port = parentPort;
  const archive = new SqliteArchive(workerData.where as string, { writer: 'inline', waitForLock: true });
  const parts = new Map<number, AnyStoredRecord[]>();
  port.on('message', (request: PutRequest) => {
    const records = parts.get(request.id) ?? [];
    if ('part' in request) {
      parts.set(request.id, records.concat(request.part));
      return;
    }
    parts.delete(request.id);
    archive.put(request.segment, records, new Map(request.sets)).then(
      (result) => port.postMessage({ id: request.id, result } satisfies PutAnswer),
      (error: Error) => port.postMessage({ id: request.id, error: error.message } satisfies PutAnswer),
    );
  });
}
