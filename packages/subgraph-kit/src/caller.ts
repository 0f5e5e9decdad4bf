import type { IncomingMessage } from 'node:http';
import { INTERNAL_CONTEXT_HEADER, verifyInternalContext, type InternalContext } from '@macpt/contract';

/**
 * The contexts an agency has already accepted, by id, each kept until it would expire anyway: a signed
 * context is good for the one call it was made for, once. In one process: a replay sent to another
 * replica of the same agency is still bound to the very body it was signed for.
 */
export class SpentContexts {
  private readonly until = new Map<string, number>();

  /** Marks `tokenId` spent until `expiresAt` (epoch ms); false when it already was. */
  spend(tokenId: string, expiresAt: number, now = Date.now()): boolean {
    this.forgetExpired(now);
    if (this.until.has(tokenId)) return false;
    this.until.set(tokenId, expiresAt);
    return true;
  }

  /** How many are remembered: about the agency's calls of the last half-minute. */
  get size(): number {
    return this.until.size;
  }

  // Kept in arrival order, which is expiry order but for clock skew between gateways: drop from the
  // front until one is still live (a later one already expired waits its turn, at most one lifetime).
  private forgetExpired(now: number): void {
    for (const [id, until] of this.until) {
      if (until > now) return;
      this.until.delete(id);
    }
  }
}

/**
 * Verifies the gateway's signed context of each call to one agency: its signature, audience and age,
 * that it was signed for exactly this body (`raw`, as received), and that it was not used before.
 * Throws, saying why, on any of these: the caller answers 401 before it reads anything.
 */
export function callerVerifier(
  agency: string,
  secret: Uint8Array,
): (req: IncomingMessage, raw: string) => Promise<InternalContext> {
  const spent = new SpentContexts();
  return async (req, raw) => {
    const token = req.headers[INTERNAL_CONTEXT_HEADER];
    const context = await verifyInternalContext(secret, agency, typeof token === 'string' ? token : undefined, raw);
    // Only a context proved to be for this body spends its id: a replay with another body cannot use it up.
    if (!spent.spend(context.tokenId ?? '', context.expiresAt ?? 0))
      throw new Error('the signed context was already used');
    return context;
  };
}
