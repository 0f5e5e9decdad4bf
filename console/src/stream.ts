import { EventSource } from 'eventsource';
import { useEffect } from 'react';

/** The purpose the console states for the inbox and its stream (reading one's own notifications). */
export const INBOX_PURPOSE = 'CP_PLAN_REVIEW';

/**
 * Listens to the gateway's notification stream (Server-Sent Events through the `eventsource` client, whose
 * requests go through fetch so the token travels in a header, never in a URL) and calls `onArrival` for
 * each new item. The client reconnects after a drop, with the gateway's `retry` or its own back-off.
 */
export function useNotificationStream(token: string | null, onArrival: () => void): void {
  useEffect(() => {
    if (!token) return;
    const source = new EventSource('/notifications/stream', {
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          cache: 'no-store',
          headers: {
            ...init.headers,
            authorization: `Bearer ${token}`,
            'x-purpose-of-use': INBOX_PURPOSE,
            'apollographql-client-name': 'macpt-console',
          },
        }),
    });
    source.addEventListener('notification', onArrival);
    return () => source.close();
  }, [token, onArrival]);
}
