import { useEffect } from 'react';

/** The purpose the console states for the inbox and its stream (reading one's own notifications). */
export const INBOX_PURPOSE = 'CP_PLAN_REVIEW';

/**
 * Listens to the gateway's notification stream (Server-Sent Events, read through fetch so the token
 * travels in a header, never in a URL) and calls `onArrival` for each new item; reconnects after a drop.
 */
export function useNotificationStream(token: string | null, onArrival: () => void): void {
  useEffect(() => {
    if (!token) return;
    const controller = new AbortController();
    let retry: number | undefined;
    const connect = async () => {
      try {
        const response = await fetch('/notifications/stream', {
          cache: 'no-store',
          signal: controller.signal,
          headers: {
            authorization: `Bearer ${token}`,
            'x-purpose-of-use': INBOX_PURPOSE,
            'apollographql-client-name': 'macpt-console',
          },
        });
        if (!response.ok || !response.body) throw new Error(String(response.status));
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            if (buffer.slice(0, end).startsWith('event: notification')) onArrival();
            buffer = buffer.slice(end + 2);
          }
        }
      } catch {
        if (controller.signal.aborted) return;
      }
      if (!controller.signal.aborted) retry = window.setTimeout(() => void connect(), 5_000);
    };
    void connect();
    return () => {
      controller.abort();
      window.clearTimeout(retry);
    };
  }, [token, onArrival]);
}
