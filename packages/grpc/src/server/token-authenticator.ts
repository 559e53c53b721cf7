/**
 * Bearer-token authentication: `authorization: Bearer <token>` -> the principal the token names,
 * looked up in core's `TokenTable` (constant time over every configured token, as every procwire
 * server does). Tokens are never logged.
 */
import type { Metadata } from '@grpc/grpc-js';
import { ErrorCode, ProcwireError, TokenTable } from '@procwire/core/transport';

const bearer = /^Bearer +(\S+) *$/i;

/** Maps the `authorization` metadata of a call to its principal. */
export class TokenAuthenticator {
  private readonly tokens: TokenTable | undefined;

  /** `tokens` maps each token to the principal it names; `undefined`: no authentication. */
  constructor(tokens: Readonly<Record<string, string>> | undefined) {
    this.tokens = tokens === undefined ? undefined : new TokenTable(tokens);
  }

  /** False when the server runs without tokens (loopback only). */
  get enabled(): boolean {
    return this.tokens !== undefined;
  }

  /** The principal of the call; throws `unauthenticated` for a missing or wrong token. */
  authenticate(metadata: Metadata): string | undefined {
    if (this.tokens === undefined) return undefined;
    const values = metadata.get('authorization');
    const match = values.length === 1 && typeof values[0] === 'string' ? bearer.exec(values[0]) : null;
    if (match === null) {
      throw new ProcwireError(ErrorCode.Unauthenticated, 'missing credentials: send "authorization: Bearer <token>"');
    }
    const principal = this.tokens.principalOf(match[1]);
    if (principal === undefined) throw new ProcwireError(ErrorCode.Unauthenticated, 'the token is not valid');
    return principal;
  }
}
