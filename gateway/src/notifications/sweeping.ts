import type { Logger } from '@macpt/kit';
import type { InboxStore } from './inbox.js';

/** How often each gateway removes what is past its retention (any gateway may: removal is transactional). */
const SWEEP_MS = 60_000;

/** Sweeps the inbox soon after start, then every minute; a sweep that fails is logged and tried at the next. */
export function startSweeping(
  inbox: Pick<InboxStore, 'sweep'>,
  logger: Logger,
  everyMs = SWEEP_MS,
): { stop: () => void } {
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      const removed = await inbox.sweep(Date.now());
      if (removed > 0) logger.info({ removed }, 'notification items past their retention left the inbox');
    } catch (error) {
      logger.warn({ why: (error as Error).message }, 'notification inbox not swept; trying again later');
    } finally {
      running = false;
    }
  };
  const first = setTimeout(sweep, Math.min(everyMs, 5_000));
  const timer = setInterval(sweep, everyMs);
  first.unref();
  timer.unref();
  return {
    stop: () => {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
