// callTransport and the request readers every server shares, against core's memory host: a bad
// request is refused with a clear invalid_argument before it reaches the host, a good one is made
// with the caller's principal, and JSON's null means "absent" / "remove this env key".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, memoryTransport, ProcwireError } from '@procwire/core';
import { callTransport, readOutputRequestFrom, startRequestFrom } from '@procwire/core/transport';

const programs = {
  env: async ({ env, stdout }: { env: Readonly<Record<string, string>>; stdout: { write(text: string): Promise<void> } }) => {
    await stdout.write(JSON.stringify(env));
    return 0;
  },
  idle: async ({ killed }: { killed: AbortSignal }) => {
    await new Promise((resolve) => killed.addEventListener('abort', resolve, { once: true }));
    return 0;
  },
  cat: async ({ stdin, stdout }: { stdin: AsyncIterable<Uint8Array>; stdout: { write(data: Uint8Array): Promise<void> } }) => {
    for await (const chunk of stdin) await stdout.write(chunk);
    return 0;
  },
};

function rejectsWith(promise: Promise<unknown>, code: ErrorCode, message: RegExp): Promise<void> {
  return assert.rejects(promise, (error) => error instanceof ProcwireError && error.code === code && message.test(error.message));
}

async function readAll(host: ReturnType<typeof memoryTransport>, processId: string): Promise<string> {
  let text = '';
  for await (const chunk of host.readOutput(readOutputRequestFrom({ processId, fd: 1, offset: 0 }), {})) {
    text += new TextDecoder().decode(chunk.data);
  }
  return text;
}

describe('callTransport: the checked host call every server makes', { timeout: 30_000 }, () => {
  it('starts a JSON-shaped request: null is absent, stdout/stderr default to pipe, a null env value removes the key', async () => {
    const host = memoryTransport({ programs, baseEnv: { KEEP: 'yes', DROP: 'me' } });
    const request = { processId: 'e', argv: ['env'], cwd: null, env: { DROP: null, ADD: 'new' }, pty: null, timeoutMs: null, extra: 'ignored' };
    const info = await callTransport(host, 'start', request, {});
    assert.deepEqual([info.processId, info.stdout.mode, info.stderr.mode], ['e', 'pipe', 'pipe']);
    assert.deepEqual(JSON.parse(await readAll(host, 'e')), { KEEP: 'yes', ADD: 'new' });
    assert.deepEqual(await callTransport(host, 'wait', { processId: 'e' }, {}), { code: 0 });
    await host.close();
  });

  it('refuses bad requests with invalid_argument naming the field, and the host never sees them', async () => {
    const host = memoryTransport({ programs });
    const start = { processId: 'p', argv: ['idle'] };
    await rejectsWith(callTransport(host, 'start', { ...start, argv: [] }, {}), ErrorCode.InvalidArgument, /argv must be a non-empty array/);
    await rejectsWith(callTransport(host, 'start', { ...start, env: ['A=1'] }, {}), ErrorCode.InvalidArgument, /env must be an object/);
    await rejectsWith(callTransport(host, 'start', { ...start, env: { A: 1 } }, {}), ErrorCode.InvalidArgument, /env A must be a string or null/);
    await rejectsWith(callTransport(host, 'start', { ...start, pty: 'xterm' }, {}), ErrorCode.InvalidArgument, /pty must be an object/);
    await rejectsWith(callTransport(host, 'start', 'start p', {}), ErrorCode.InvalidArgument, /the start request must be an object/);
    assert.deepEqual(await callTransport(host, 'list', undefined, {}), []);
    await callTransport(host, 'start', start, {});
    await rejectsWith(callTransport(host, 'wait', { processId: 'a b' }, {}), ErrorCode.InvalidArgument, /process id must be/);
    await rejectsWith(callTransport(host, 'signal', { processId: 'p', signal: 'TERM' }, {}), ErrorCode.InvalidArgument, /signal must be a name like "SIGTERM"/);
    await rejectsWith(callTransport(host, 'resize', { processId: 'p', size: { cols: 0, rows: 24 } }, {}), ErrorCode.InvalidArgument, /terminal cols/);
    await rejectsWith(callTransport(host, 'ackOutput', { processId: 'p', fd: 3, offset: 0 }, {}), ErrorCode.InvalidArgument, /fd must be 1/);
    await rejectsWith(callTransport(host, 'writeInput', { processId: 'p', offset: -1, data: new Uint8Array(1), eof: false }, {}), ErrorCode.InvalidArgument, /offset must be a non-negative integer/);
    await rejectsWith(callTransport(host, 'writeInput', { processId: 'p', offset: 0, data: 'text', eof: false }, {}), ErrorCode.InvalidArgument, /data must be bytes/);
    await rejectsWith(callTransport(host, 'writeInput', { processId: 'p', offset: 0, data: new Uint8Array(1), eof: 'no' }, {}), ErrorCode.InvalidArgument, /eof must be a boolean/);
    // An unknown method is a rejected promise too, never a synchronous throw.
    await rejectsWith(callTransport(host, 'explode' as 'list', {}, {}), ErrorCode.InvalidArgument, /unknown method "explode"/);
    // Nothing above reached the process: its stdin is untouched.
    assert.deepEqual((await callTransport(host, 'get', { processId: 'p' }, {})).stdin, { offset: 0, eof: false });
    await host.close();
  });

  it('applies the start limits: argv over maxArgvBytes is resource_exhausted', async () => {
    const host = memoryTransport({ programs });
    const request = { processId: 'big', argv: ['idle', 'x'.repeat(100)] };
    await rejectsWith(callTransport(host, 'start', request, {}, { maxArgvBytes: 64 }), ErrorCode.ResourceExhausted, /over the limit of 64 bytes/);
    await callTransport(host, 'start', request, {}, { maxArgvBytes: 1024 });
    await host.close();
  });

  it('makes each call as the given principal: another principal does not see the process', async () => {
    const host = memoryTransport({ programs });
    await callTransport(host, 'start', { processId: 'mine', argv: ['cat'] }, { principal: 'alice' });
    const written = await callTransport(host, 'writeInput', { processId: 'mine', offset: 0, data: new TextEncoder().encode('hi'), eof: true }, { principal: 'alice' });
    assert.deepEqual(written, { offset: 2, eof: true });
    await rejectsWith(callTransport(host, 'get', { processId: 'mine' }, { principal: 'bob' }), ErrorCode.NotFound, /mine/);
    assert.deepEqual(await callTransport(host, 'list', undefined, { principal: 'bob' }), []);
    assert.equal((await callTransport(host, 'wait', { processId: 'mine' }, { principal: 'alice' })).code, 0);
    await host.close();
  });

  it('readOutputRequestFrom keeps the known fields and names a bad one; startRequestFrom copies argv', () => {
    assert.deepEqual(readOutputRequestFrom({ processId: 'p', fd: 2, offset: 5, window: 9 }), { processId: 'p', fd: 2, offset: 5 });
    assert.throws(() => readOutputRequestFrom({ processId: 'p', fd: 1, offset: 1.5 }), /offset must be a non-negative integer/);
    assert.throws(() => readOutputRequestFrom(null), /the readOutput request must be an object/);
    const argv = ['idle'];
    const start = startRequestFrom({ processId: 'p', argv, stdout: 'devnull' });
    assert.deepEqual(start, { processId: 'p', argv: ['idle'], stdout: 'devnull', stderr: 'pipe' });
    assert.notEqual(start.argv, argv);
  });
});
