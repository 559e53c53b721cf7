/** Reading part of a stream while the process still runs (a prompt, a pid, a terminal size). */
import assert from 'node:assert/strict';

/**
 * Pull from `iterator` until the text so far satisfies `done`; returns that text. Fails when the
 * stream ends first. The caller keeps the iterator for the rest of the stream.
 */
export async function readUntil(
  iterator: AsyncIterator<string>,
  done: (text: string) => boolean,
  what: string,
): Promise<string> {
  let text = '';
  while (!done(text)) {
    const next = await iterator.next();
    if (next.done) assert.fail(`${what}: the stream ended first; it had ${JSON.stringify(text)}`);
    text += next.value;
  }
  return text;
}

/** The rest of the stream, to EOF. */
export async function readRest(iterator: AsyncIterator<string>): Promise<string> {
  let text = '';
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) text += next.value;
  return text;
}
