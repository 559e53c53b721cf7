/**
 * Copy one remote output stream to a local stream, a chunk at a time: the next chunk is read only
 * once the local stream took the previous one, so a slow consumer slows the process, never
 * memory. When the local reader goes away (EPIPE), `onBrokenPipe` runs once and the rest of the
 * output is read and discarded, so the process is never left blocked on a full window.
 */
export async function copyOutput(
  reader: AsyncIterable<Uint8Array>,
  sink: NodeJS.WritableStream,
  onBrokenPipe: () => void,
): Promise<void> {
  let broken = false;
  for await (const chunk of reader) {
    if (broken || chunk.byteLength === 0) continue;
    const error = await writeChunk(sink, chunk);
    if (error !== undefined) {
      broken = true;
      onBrokenPipe();
    }
  }
}

function writeChunk(sink: NodeJS.WritableStream, chunk: Uint8Array): Promise<Error | undefined> {
  return new Promise((resolve) => {
    sink.write(chunk, (error) => resolve(error ?? undefined));
  });
}
