import { parentPort, workerData } from 'node:worker_threads';
import type { FieldSet } from '../record.js';
import { openArchive } from './open-archive.js';
import type { CheckAnswer, CheckRequest } from './verify-pool.js';
import { recordsProblem } from './verify.js';

// A verification thread: opens the archive on its own connection and re-hashes the segments it is asked
// (records chained from the segment's own link, field sets true, Merkle root), so the segments of a long
// log are re-hashed side by side, one per core. The headers and their links are checked by the caller.

if (parentPort) {
  const port = parentPort;
  const archive = openArchive(workerData.where as string);
  const verified = new Map<string, FieldSet>();
  port.on('message', (request: CheckRequest) => {
    recordsProblem(archive, request.segment, verified).then(
      (problem) => port.postMessage({ id: request.id, problem } satisfies CheckAnswer),
      (error: Error) => port.postMessage({ id: request.id, error: error.message } satisfies CheckAnswer),
    );
  });
}
