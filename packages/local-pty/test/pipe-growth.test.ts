/**
 * `outputPipeBytes`: a pipe-mode output whose reader consumed that much gets a kernel pipe that
 * big, so a bulk writer blocks (and wakes the host) far less often; output that stays small, or
 * that nobody consumes, keeps the 64 KiB default, and at most 16 pipes are grown at once. Each
 * probe asks the kernel from inside the process (`fcntl(1, F_GETPIPE_SZ)`) what its stdout is.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { OutputFd, Transport } from '@procwire/core/transport';
import { localTransport } from '@procwire/local-pty';
import { nextId, pipeRequest, pipeSpawnModes, readAll, readText } from './helpers.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Writes `bytes` to stdout, then prints its stdout pipe's capacity to stderr once it is above
 * 64 KiB (the host grows it as it reads) or after 2 s; then waits for stdin to end, keeping its
 * pipes open.
 */
function probe(bytes: number): string[] {
  const script = `
import fcntl, os, sys, time
F_GETPIPE_SZ = 1032
view = memoryview(b"x" * ${bytes})
while len(view):
    view = view[os.write(1, view):]
deadline = time.time() + 2
while fcntl.fcntl(1, F_GETPIPE_SZ) <= 65536 and time.time() < deadline:
    time.sleep(0.01)
sys.stderr.write(str(fcntl.fcntl(1, F_GETPIPE_SZ)))
sys.stderr.flush()
sys.stdin.read()
`;
  return ['python3', '-c', script];
}

/** Reads a stream to EOF as a client does, acknowledging each chunk; returns how many bytes. */
async function consume(host: Transport, processId: string, fd: OutputFd): Promise<number> {
  let end = 0;
  for await (const chunk of host.readOutput({ processId, fd, offset: 0 })) {
    end = chunk.offset + chunk.data.byteLength;
    await host.ackOutput({ processId, fd, offset: end });
  }
  return end;
}

/**
 * Runs probes in `host`, their stdout consumed (or, with `consumed: false`, read and never
 * acknowledged); returns each one's stdout pipe capacity once all reported it.
 */
async function capacities(host: Transport, sizes: number[], consumed = true): Promise<number[]> {
  const ids = sizes.map(() => nextId('pipe'));
  await Promise.all(ids.map((processId, index) => host.start(pipeRequest(processId, probe(sizes[index]!)))));
  const stdouts = ids.map((processId) =>
    consumed ? consume(host, processId, 1) : readAll(host, processId, 1).then((bytes) => bytes.byteLength),
  );
  // Every probe keeps its pipes open until all reported (so the grown ones are open at once); then
  // each gets EOF on stdin, exits, and its stderr ends.
  await Promise.all(
    ids.map(async (processId) => {
      while ((await host.get({ processId })).stderr.written === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }),
  );
  for (const processId of ids) await host.writeInput({ processId, offset: 0, data: new Uint8Array(), eof: true });
  const reported = await Promise.all(ids.map(async (processId) => Number(await readText(host, processId, 2))));
  assert.deepEqual(await Promise.all(stdouts), sizes, 'every probe wrote all its output');
  return reported;
}

for (const mode of pipeSpawnModes) {
  describe(`outputPipeBytes, ${mode.name}`, () => {
    const host = localTransport({ ...mode.options });
    after(() => host.close());

    test('a stdout whose reader consumed 1 MiB gets a 1 MiB pipe; one that stays small keeps 64 KiB', async () => {
      assert.deepEqual(await capacities(host, [3 * MiB, 10 * KiB]), [MiB, 64 * KiB]);
    });

    test('a stdout nobody acknowledges keeps 64 KiB, whatever the host read into its window', async () => {
      assert.deepEqual(await capacities(host, [3 * MiB], false), [64 * KiB]);
    });
  });
}

describe('outputPipeBytes: options', () => {
  const hosts: Transport[] = [];
  after(async () => {
    for (const host of hosts) await host.close();
  });

  test('0 never grows a pipe', async () => {
    const host = localTransport({ outputPipeBytes: 0 });
    hosts.push(host);
    assert.deepEqual(await capacities(host, [3 * MiB]), [64 * KiB]);
  });

  test('256 KiB grows a pipe to 256 KiB', async () => {
    const host = localTransport({ outputPipeBytes: 256 * KiB });
    hosts.push(host);
    assert.deepEqual(await capacities(host, [MiB]), [256 * KiB]);
  });

  test('at most 16 pipes are grown at once; a pipe closed gives its turn back', async () => {
    const host = localTransport();
    hosts.push(host);
    const first = await capacities(host, Array.from({ length: 20 }, () => 2 * MiB));
    assert.equal(first.filter((bytes) => bytes === MiB).length, 16, `capacities: ${first.join(' ')}`);
    assert.equal(first.filter((bytes) => bytes === 64 * KiB).length, 4);
    // Those 20 exited and their pipes closed: the next bulk output grows again.
    assert.deepEqual(await capacities(host, [2 * MiB]), [MiB]);
  });

  test('a bad size is refused, naming the option', () => {
    for (const bad of [-1, 1.5, 2 ** 30 + 1]) {
      assert.throws(() => localTransport({ outputPipeBytes: bad }), { code: 'invalid_argument', message: /outputPipeBytes/ });
    }
  });
});
