/** Tokens: the `token principal [uid:gid]` file format, and the token generated when there is no file. */
import { randomBytes } from 'node:crypto';
import type { PrincipalUser } from './server-config.js';

const principalPattern = /^[A-Za-z0-9._@:-]{1,128}$/;
/** Shorter tokens are refused: they can be guessed. */
const minimumTokenLength = 16;
/** The highest uid/gid Linux gives (2^32 - 2; 2^32 - 1 means "no id"). */
const maximumId = 4_294_967_294;

/** What a tokens file holds. */
export interface TokensFile {
  /** Token -> principal. */
  readonly tokens: Record<string, string>;
  /** Principal -> user, for the lines that give one. */
  readonly users: Record<string, PrincipalUser>;
}

/**
 * Parses `token principal [uid:gid]` lines (blank lines and `#` comments ignored). Several tokens
 * may name one principal; when they give it a user, they must give the same one. Errors name the
 * line, never the token.
 */
export function parseTokensFile(text: string): TokensFile {
  const tokens: Record<string, string> = Object.create(null);
  const users: Record<string, PrincipalUser> = Object.create(null);
  let count = 0;
  text.split('\n').forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    const where = `line ${index + 1}`;
    if (fields.length !== 2 && fields.length !== 3) {
      throw new Error(`${where}: expected "token principal [uid:gid]", got ${fields.length} fields`);
    }
    const [token, principal, userText] = fields as [string, string, string | undefined];
    if (token.length < minimumTokenLength) throw new Error(`${where}: token is shorter than ${minimumTokenLength} characters`);
    if (!principalPattern.test(principal)) {
      throw new Error(`${where}: principal must be 1..128 characters of [A-Za-z0-9._@:-]`);
    }
    if (Object.hasOwn(tokens, token)) throw new Error(`${where}: token repeats an earlier line`);
    if (userText !== undefined) {
      const user = parseUser(userText, where);
      const earlier = users[principal];
      if (earlier !== undefined && (earlier.uid !== user.uid || earlier.gid !== user.gid)) {
        throw new Error(`${where}: principal ${principal} was given ${earlier.uid}:${earlier.gid} on an earlier line`);
      }
      const sharing = Object.entries(users).find(([other, given]) => other !== principal && given.uid === user.uid);
      if (sharing !== undefined) {
        throw new Error(`${where}: uid ${user.uid} is also principal ${sharing[0]}'s: each principal needs a uid of its own`);
      }
      users[principal] = user;
    }
    tokens[token] = principal;
    count++;
  });
  if (count === 0) throw new Error('holds no "token principal" line');
  return { tokens: { ...tokens }, users: { ...users } };
}

function parseUser(text: string, where: string): PrincipalUser {
  const match = /^(\d{1,10}):(\d{1,10})$/.exec(text);
  const uid = Number(match?.[1]);
  const gid = Number(match?.[2]);
  if (match === null || uid > maximumId || gid > maximumId) {
    throw new Error(`${where}: the third field must be uid:gid (numbers), got ${JSON.stringify(text)}`);
  }
  if (uid === 0 || gid === 0) throw new Error(`${where}: uid:gid ${text} is root; give the principal an unprivileged user`);
  return { uid, gid };
}

/** A fresh random token (192 bits, base64url). */
export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}
