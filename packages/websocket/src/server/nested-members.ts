/**
 * Members of nested objects in a JSON payload, counted without parsing it. In a `Start` payload
 * the nested objects are `env` and `pty`: JSON.parse builds a property per env entry (70 ms for
 * 70,000 tiny ones), so the server counts first and refuses before parsing.
 */
import { validateEnvEntries } from '@procwire/core/transport';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** The members (`"key": value`) of every object below the top level of `json` (UTF-8). */
export function nestedMembers(json: Uint8Array): number {
  let depth = 0;
  let inString = false;
  let members = 0;
  for (let index = 0; index < json.byteLength; index++) {
    const byte = json[index]!;
    if (inString) {
      if (byte === BACKSLASH) index++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
    else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth--;
    else if (byte === COLON && depth >= 2) members++;
  }
  return members;
}

/** `pty`'s members (cols, rows, term): the other nested object of a Start. */
const PTY_MEMBERS = 3;

/**
 * Throws `resource_exhausted` when a `Start` payload's nested objects hold more members than an
 * env of `maxEnvEntries` entries and a pty can: the exact count is checked after parsing.
 */
export function precheckStartEntries(payload: Uint8Array, maxEnvEntries: number): void {
  const members = nestedMembers(payload);
  if (members > maxEnvEntries + PTY_MEMBERS) validateEnvEntries(members - PTY_MEMBERS, maxEnvEntries);
}
