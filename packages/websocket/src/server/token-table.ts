/**
 * Token -> principal lookup in constant time: every candidate is compared with every known token
 * (as SHA-256 digests, so lengths never leak), without an early exit.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export class TokenTable {
  private readonly digests: Buffer[] = [];
  private readonly principals: string[] = [];

  constructor(tokens: Readonly<Record<string, string>>) {
    for (const [token, principal] of Object.entries(tokens)) {
      if (token === '') throw new TypeError('serveWebSocket: a token must not be empty');
      if (typeof principal !== 'string' || principal === '') {
        throw new TypeError('serveWebSocket: every token must name a non-empty principal');
      }
      this.digests.push(digest(token));
      this.principals.push(principal);
    }
    if (this.digests.length === 0) throw new TypeError('serveWebSocket: tokens must hold at least one token');
  }

  /** The principal a token names, or `undefined`. */
  principalOf(token: string): string | undefined {
    const candidate = digest(token);
    let found = -1;
    for (let i = 0; i < this.digests.length; i++) {
      if (timingSafeEqual(candidate, this.digests[i]!)) found = i;
    }
    return found === -1 ? undefined : this.principals[found];
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
