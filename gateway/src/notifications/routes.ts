import type { Route } from '@macpt/kit';
import { EventsRefused, type NotificationRouter } from './router.js';

/** `POST /notifications/events`: an agency's relay delivers its outbox, `{"events": "<signed JWT>"}`. */
export function notificationRoutes(router: NotificationRouter): Record<string, Route> {
  return {
    '/notifications/events': async (req, body) => {
      if (req.method !== 'POST')
        return { status: 405, body: { error: { code: 'METHOD_NOT_ALLOWED', message: 'POST' } } };
      try {
        const acknowledged = await router.receive((body as { events?: unknown } | undefined)?.events);
        return { status: 200, body: { acknowledged } };
      } catch (error) {
        if (!(error instanceof EventsRefused)) throw error;
        return { status: error.status, body: { error: { code: error.code, message: error.message } } };
      }
    },
  };
}
