import { describe, expect, it } from 'vitest';
import { headersOfRawHead } from './http-server.js';

describe('headersOfRawHead', () => {
  const head = (text: string) => Buffer.from(text, 'latin1');

  it('reads the header lines that arrived whole, the first of a name standing', () => {
    expect(
      headersOfRawHead(
        head('POST /graphql HTTP/1.1\r\nX-Purpose-Of-Use: EMERGENCY\r\nx-purpose-of-use: IG_AUDIT\r\nx-padding: xxxx'),
      ),
    ).toEqual({ 'x-purpose-of-use': 'EMERGENCY' });
  });

  it('takes no line cut off by the end of the packet, and nothing from what is not a request head', () => {
    expect(headersOfRawHead(head('POST /graphql HTTP/1.1\r\nx-justification: Child found al'))).toEqual({});
    expect(headersOfRawHead(head('\u0000\u0001garbage\r\nx-purpose-of-use: EMERGENCY\r\n'))).toBeNull();
    expect(headersOfRawHead(undefined)).toBeNull();
  });
});
