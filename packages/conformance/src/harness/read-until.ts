/** Reading part of a stream while the process still runs (a prompt, a pid, a terminal size). */
import assert from 'node:assert/strict';

/** How long `readUntil` waits for the text it expects before failing with what it got. */
const READ_UNTIL_MS = 10_000;

/**
 * Pull from `iterator` until the text so far satisfies `done`; returns that text. Fails when the
 * stream ends first, or when `done` is not met within 10 s (naming `what` and the text so far).
 * The caller keeps the iterator for the rest of the stream.
 */
export async function readUntil(
  iterator: AsyncIterator<string>,
  done: (text: string) => boolean,
  what: string,
): Promise<string> {
  let text = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), READ_UNTIL_MS);
  });
  try {
    while (!done(text)) {
      const next = await Promise.race([iterator.next(), expired]);
      if (next === 'expired') assert.fail(`${what}: not seen within ${READ_UNTIL_MS} ms; the output so far is ${JSON.stringify(text)}`);
      if (next.done) assert.fail(`${what}: the stream ended first; it had ${JSON.stringify(text)}`);
      text += next.value;
    }
    return text;
  } finally {
    clearTimeout(timer);
  }
}

/** The rest of the stream, to EOF. */
export async function readRest(iterator: AsyncIterator<string>): Promise<string> {
  let text = '';
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) text += next.value;
  return text;
}
