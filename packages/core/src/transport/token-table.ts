/**
 * Token -> principal, for every server: the token a client presents is compared with every known
 * token in full (no early exit, no hash needed), so the time a lookup takes depends only on the
 * table, never on how much of a token a guess got right. Web-standard: no Node-only import.
 */
import { ErrorCode, ProcwireError } from '../errors.js';

/** The tokens a server accepts and the principal each names. */
export class TokenTable {
  private readonly tokens: string[] = [];
  private readonly principals: string[] = [];

  /**
   * `tokens` maps each token to the principal it names. Throws `invalid_argument` for an empty
   * token or a principal that is not a non-empty string.
   */
  constructor(tokens: Readonly<Record<string, string>>) {
    for (const [token, principal] of Object.entries(tokens)) {
      if (token === '') throw new ProcwireError(ErrorCode.InvalidArgument, 'a token must not be empty');
      if (typeof principal !== 'string' || principal === '') {
        throw new ProcwireError(ErrorCode.InvalidArgument, `each token must name a non-empty principal, got ${JSON.stringify(principal)}`);
      }
      this.tokens.push(token);
      this.principals.push(principal);
    }
  }

  /** How many tokens the table holds. */
  get size(): number {
    return this.tokens.length;
  }

  /** The principal `token` names, or `undefined` for a missing or unknown token. */
  principalOf(token: string | undefined): string | undefined {
    const presented = token ?? '';
    let found: string | undefined;
    for (let i = 0; i < this.tokens.length; i++) {
      if (differenceOf(this.tokens[i]!, presented) === 0 && token !== undefined) found = this.principals[i];
    }
    return found;
  }
}

/**
 * 0 when `known` and `presented` are the same text. Always walks all of `known` (reading
 * `presented` cyclically), so the time taken is the same for every presented token.
 */
function differenceOf(known: string, presented: string): number {
  let difference = known.length ^ presented.length;
  const cycle = Math.max(presented.length, 1);
  // charCodeAt past the end (an empty token) is NaN, which `^` reads as 0: the lengths differ anyway.
  for (let i = 0; i < known.length; i++) difference |= known.charCodeAt(i) ^ presented.charCodeAt(i % cycle);
  return difference;
}
