import { parentPort } from 'node:worker_threads';
import { checkPublication, compose } from './checks.js';

// Composition and the publication checks, off the gateway's event loop: composing four agencies takes
// 100-300 ms of CPU, which requests in flight on the same thread would otherwise wait out.

export type WorkerRequest =
  | { id: number; kind: 'check'; input: Parameters<typeof checkPublication>[0] }
  | { id: number; kind: 'compose'; own: Parameters<typeof compose>[0]; agencies: Parameters<typeof compose>[1] };

parentPort!.on('message', (request: WorkerRequest) => {
  try {
    if (request.kind === 'check') {
      parentPort!.postMessage({ id: request.id, result: checkPublication(request.input) });
    } else {
      const composed = compose(request.own, request.agencies);
      parentPort!.postMessage({
        id: request.id,
        result: 'errors' in composed ? composed : { supergraphSdl: composed.supergraphSdl },
      });
    }
  } catch (error) {
    parentPort!.postMessage({ id: request.id, error: (error as Error).message });
  }
});
