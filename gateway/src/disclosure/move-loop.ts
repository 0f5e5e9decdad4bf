import type { Logger } from '@macpt/kit';
import type { SegmentMover } from './mover.js';

/**
 * Runs the mover every `intervalMs`: a pass that fails (the archive or Redis down) is logged and tried
 * again next time; meanwhile appends go on into the hot tier, up to its hard cap.
 */
export function startMoving(mover: SegmentMover, intervalMs: number, logger: Logger): { stop: () => Promise<void> } {
  let lastProblem: string | null = null;
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = mover.pass().then(
      (report) => {
        if (lastProblem) logger.info({ report }, 'disclosure log: the mover is moving segments again');
        lastProblem = null;
        if (report.sealed + report.trimmed + report.expired > 0)
          logger.debug({ report }, 'disclosure log: segments moved');
      },
      (error: Error) => {
        if (error.message !== lastProblem)
          logger.warn(
            { problem: error.message },
            'disclosure log: sealing or moving a segment failed; records stay in the hot tier and it is tried again',
          );
        lastProblem = error.message;
      },
    );
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
