import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { INTERNAL_CONTEXT_HEADER, signInternalContext } from '@macpt/contract';
import { callerVerifier, SpentContexts } from './caller.js';
import { callerFor } from './testkit.js';

const key = { kid: 'internal-context-health', secret: randomBytes(32) };
const body = JSON.stringify({
  query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Child { health { name } } } }',
  variables: { r: [{ __typename: 'Child', nhsNumber: '9990000018' }] },
});
const requestWith = (token: string) =>
  ({ headers: { [INTERNAL_CONTEXT_HEADER]: token } }) as unknown as IncomingMessage;
const signed = () => signInternalContext(key, 'health', callerFor('health', ['9990000018']), body);

describe("an agency's check of the gateway's signed context", () => {
  it('accepts a context once, for the body it was signed for', async () => {
    const verify = callerVerifier('health', key.secret);
    const req = requestWith(signed());
    await expect(verify(req, body)).resolves.toMatchObject({ requestId: 'test' });
    await expect(verify(req, body)).rejects.toThrow(/already used/);
    // Each call the gateway makes is signed anew, so the next one is accepted.
    await expect(verify(requestWith(signed()), body)).resolves.toBeDefined();
  });

  it('refuses a context with any other body, without using it up', async () => {
    const verify = callerVerifier('health', key.secret);
    const req = requestWith(signed());
    const other = body.replace('health { name }', 'health { address camhs { concern } }');
    await expect(verify(req, other)).rejects.toThrow(/not made for this body/);
    // A replay with another body cannot spend the gateway's own call, racing it.
    await expect(verify(req, body)).resolves.toBeDefined();
  });

  it('refuses a request without a context, or with a repeated header', async () => {
    const verify = callerVerifier('health', key.secret);
    await expect(verify({ headers: {} } as IncomingMessage, body)).rejects.toThrow(/no signed internal context/);
    const twice = { headers: { [INTERNAL_CONTEXT_HEADER]: [signed(), signed()] } } as unknown as IncomingMessage;
    await expect(verify(twice, body)).rejects.toThrow(/no signed internal context/);
  });
});

describe('spent contexts', () => {
  it('remembers an id until it expires, and forgets it after', () => {
    const spent = new SpentContexts();
    expect(spent.spend('a', 1_030, 1_000)).toBe(true);
    expect(spent.spend('b', 1_031, 1_001)).toBe(true);
    expect(spent.spend('a', 1_030, 1_029)).toBe(false);
    expect(spent.size).toBe(2);
    // Past their expiry the agency refuses them as expired anyway: they need not be kept.
    expect(spent.spend('c', 1_070, 1_040)).toBe(true);
    expect(spent.size).toBe(1);
  });
});
