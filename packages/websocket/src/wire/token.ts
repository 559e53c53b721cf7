/** How a browser carries its token: inside a subprotocol entry, base64url without padding. */
import { TOKEN_SUBPROTOCOL_PREFIX } from './frame.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** `procwire.token.<base64url(utf8(token))>`. */
export function tokenSubprotocol(token: string): string {
  let binary = '';
  for (const byte of encoder.encode(token)) binary += String.fromCharCode(byte);
  const base64url = btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return TOKEN_SUBPROTOCOL_PREFIX + base64url;
}

/** The token inside a `procwire.token.` entry, or `undefined` when it is not valid base64url UTF-8. */
export function tokenFromSubprotocol(entry: string): string | undefined {
  const encoded = entry.slice(TOKEN_SUBPROTOCOL_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return undefined;
  try {
    const binary = atob(encoded.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}
