// Each case must be able to fail: run it against memoryTransport with one deliberate fault and
// expect the failure a transport author would need to see. (memory-transport.test.ts shows the
// same cases pass without the fault.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, memoryTransport, ProcwireError } from '@procwire/core';
import type { OutputChunk, ReadOutputRequest } from '@procwire/core/transport';
import { memoryPrograms } from '@procwire/conformance';
import { withFault } from './faulty-transport.js';
import { runCase } from './run-case.js';

const host = (outputWindowBytes?: number) =>
  memoryTransport({ programs: memoryPrograms, baseEnv: { HOME: '/home/memory' }, ...(outputWindowBytes ? { outputWindowBytes } : {}) });

describe('the cases catch a faulty transport', { timeout: 60_000 }, () => {
  it('large output: one corrupted byte is reported at its offset', async () => {
    const base = host();
    const transport = withFault(base, {
      async *readOutput(request: ReadOutputRequest, options) {
        for await (const chunk of base.readOutput(request, options)) {
          const corrupt = chunk.offset <= 1_000_000 && chunk.offset + chunk.data.length > 1_000_000;
          if (!corrupt) yield chunk;
          else {
            const data = chunk.data.slice();
            data[1_000_000 - chunk.offset] = 0x21;
            yield { offset: chunk.offset, data };
          }
        }
      },
    });
    await assert.rejects(runCase('large output: the whole stream arrives byte for byte (bytes mode)', transport), /byte 1000000 differs/);
  });

  it('exit codes: a transport that reports the wrong code fails', async () => {
    const base = host();
    const wrong = async <T extends { code: number } | null>(status: Promise<T>) => {
      const value = await status;
      return value === null ? value : { ...value, code: value.code + 1 };
    };
    const transport = withFault(base, {
      wait: (request, options) => wrong(base.wait(request, options)) as ReturnType<typeof base.wait>,
      poll: (request, options) => wrong(base.poll(request, options)),
    });
    await assert.rejects(runCase('exit code: 1 comes back from wait(), poll() and returncode', transport), /2 !== 1|Expected values to be strictly equal/);
  });

  it('signals: a transport that sends SIGKILL for SIGTERM fails', async () => {
    const base = host();
    const transport = withFault(base, { signal: (request, options) => base.signal({ ...request, signal: 'SIGKILL' }, options) });
    await assert.rejects(runCase("signals: kill('SIGTERM') ends the process with 143", transport), /137 !== 143/);
  });

  it('env: a transport that drops env fails', async () => {
    const base = host();
    const transport = withFault(base, { start: (request, options) => base.start({ ...request, env: {} }, options) });
    await assert.rejects(runCase('env: a variable given in env is set for the process', transport), /a value with spaces/);
  });

  it('list: a transport that forgets exited processes fails', async () => {
    const base = host();
    const transport = withFault(base, {
      list: async (options) => (await base.list(options)).filter((info) => info.state === 'running'),
    });
    await assert.rejects(runCase('list: shows the process running, then exited with its code', transport), /shows process .* 0 times/);
  });

  it('bad input: a transport that turns invalid_argument into internal fails', async () => {
    const base = host();
    const transport = withFault(base, {
      start: async (request, options) => {
        try {
          return await base.start(request, options);
        } catch (error) {
          throw new ProcwireError(ErrorCode.Internal, 'something broke', { cause: error });
        }
      },
    });
    await assert.rejects(runCase('bad input: a NUL byte in argv is invalid_argument, and the transport runs on', transport), /expected code "invalid_argument", got "internal"/);
  });

  it('slow consumer: a host that never frees acknowledged output fails', async () => {
    const base = host(1024 * 1024);
    const transport = withFault(base, {
      get: async (request, options) => {
        const info = await base.get(request, options);
        return { ...info, stdout: { ...info.stdout, acknowledged: 0 } };
      },
    });
    await assert.rejects(runCase('slow consumer: nothing is lost and the host retains at most its window', transport), /over its window/);
  });

  it('resume: a transport that loses a byte when it resumes fails', async () => {
    const base = host();
    const transport = withFault(base, {
      async *readOutput(request: ReadOutputRequest, options): AsyncGenerator<OutputChunk> {
        let first = request.offset > 0;
        for await (const chunk of base.readOutput(request, options)) {
          // Claims the requested offset but starts one byte later: a lost byte.
          if (first && chunk.data.length > 1) yield { offset: chunk.offset, data: chunk.data.subarray(1) };
          else yield chunk;
          first = false;
        }
      },
    });
    await assert.rejects(
      runCase('resume: 16 MiB of stdout arrive intact across several interruptions', transport, { interrupt: () => base.interrupt() }),
      /differs from the pattern/,
    );
  });

  it('resume: an interrupt() that cuts nothing fails', async () => {
    await assert.rejects(
      runCase('resume: 16 MiB of stdout arrive intact across several interruptions', host(), { interrupt: () => {} }),
      /interrupt\(\) did not cut/,
    );
  });

  it('principals: a host that ignores the principal fails', async () => {
    const base = host();
    const other = withFault(base, { close: async () => {} });
    await assert.rejects(
      runCase("principals: another principal's process is not_found for every call, and its id is free", base, { otherPrincipal: other }),
      /expected a "not_found" error, but it succeeded/,
    );
  });

  it('pty: a transport that ignores resize fails', async () => {
    const base = host();
    const transport = withFault(base, { resize: async () => {} });
    await assert.rejects(
      runCase('pty: stty size shows the requested size and follows resize()', transport),
      /stty size after resize/,
    );
  });
});
