/** Tokens: the `token principal` file format, and the token generated when there is no file. */
import { randomBytes } from 'node:crypto';

const principalPattern = /^[A-Za-z0-9._@:-]{1,128}$/;
/** Shorter tokens are refused: they can be guessed. */
const minimumTokenLength = 16;

/**
 * Parses `token principal` lines (blank lines and `#` comments ignored) into token -> principal.
 * Errors name the line, never the token.
 */
export function parseTokensFile(text: string): Record<string, string> {
  const tokens: Record<string, string> = Object.create(null);
  let count = 0;
  text.split('\n').forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    const where = `line ${index + 1}`;
    if (fields.length !== 2) throw new Error(`${where}: expected "token principal", got ${fields.length} fields`);
    const [token, principal] = fields as [string, string];
    if (token.length < minimumTokenLength) throw new Error(`${where}: token is shorter than ${minimumTokenLength} characters`);
    if (!principalPattern.test(principal)) {
      throw new Error(`${where}: principal must be 1..128 characters of [A-Za-z0-9._@:-]`);
    }
    if (Object.hasOwn(tokens, token)) throw new Error(`${where}: token repeats an earlier line`);
    tokens[token] = principal;
    count++;
  });
  if (count === 0) throw new Error('holds no "token principal" line');
  return { ...tokens };
}

/** A fresh random token (192 bits, base64url). */
export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}
