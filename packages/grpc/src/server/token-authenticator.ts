/**
 * Bearer-token authentication: `authorization: Bearer <token>` -> the principal the token names.
 * Tokens are compared as SHA-256 digests with crypto.timingSafeEqual against every configured
 * token (no early exit), so timing reveals neither a token nor which one matched. Never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { ErrorCode, ProcwireError } from '@procwire/core/transport';

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();
const bearer = /^Bearer +(\S+) *$/i;

/** Maps the `authorization` metadata of a call to its principal. */
export class TokenAuthenticator {
  private readonly entries: ReadonlyArray<{ readonly digest: Buffer; readonly principal: string }>;

  /** `tokens` maps each token to the principal it names; `undefined`: no authentication. */
  constructor(tokens: Readonly<Record<string, string>> | undefined) {
    this.entries =
      tokens === undefined
        ? []
        : Object.entries(tokens).map(([token, principal]) => {
            if (token === '') throw new ProcwireError(ErrorCode.InvalidArgument, 'a token must not be empty');
            if (typeof principal !== 'string' || principal === '') {
              throw new ProcwireError(ErrorCode.InvalidArgument, 'each token must name a non-empty principal');
            }
            return { digest: digest(token), principal };
          });
    this.enabled = tokens !== undefined;
  }

  /** False when the server runs without tokens (loopback only). */
  readonly enabled: boolean;

  /** The principal of the call; throws `unauthenticated` for a missing or wrong token. */
  authenticate(metadata: Metadata): string | undefined {
    if (!this.enabled) return undefined;
    const values = metadata.get('authorization');
    const match = values.length === 1 && typeof values[0] === 'string' ? bearer.exec(values[0]) : null;
    if (match === null) {
      throw new ProcwireError(ErrorCode.Unauthenticated, 'missing credentials: send "authorization: Bearer <token>"');
    }
    const presented = digest(match[1]!);
    let principal: string | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(presented, entry.digest)) principal = entry.principal;
    }
    if (principal === undefined) throw new ProcwireError(ErrorCode.Unauthenticated, 'the token is not valid');
    return principal;
  }
}
