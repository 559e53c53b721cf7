import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ClientDuplexStream, credentials, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { createClient } from '@procwire/core';
import { procwireV1 } from '@procwire/grpc/generated';
import { type Stack, startStack } from './support/stack.js';

type Event = procwireV1.ExecEvent;
type Call = ClientDuplexStream<procwireV1.ExecRequest, Event>;

const token = 'exec-call-token';
const startRequest = (processId: string, argv: string[]): procwireV1.StartRequest => ({
  processId,
  argv,
  cwd: '',
  env: {},
  envUnset: [],
  stdout: 0,
  stderr: 0,
  timeoutMs: 0,
});

/** `promise`, or a rejection with `message` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Collects a call's events; `next(predicate)` waits for the first event after the last taken that matches. */
function collect(call: Call) {
  const events: Event[] = [];
  let taken = 0;
  let wake: (() => void) | undefined;
  const ended = new Promise<ServiceError | undefined>((resolve) => {
    call.on('error', (error: ServiceError) => resolve(error));
    call.on('end', () => resolve(undefined));
  });
  call.on('data', (event: Event) => {
    events.push(event);
    wake?.();
  });
  return {
    events,
    ended,
    async next(matches: (event: Event) => boolean): Promise<Event> {
      for (;;) {
        while (taken < events.length) {
          const event = events[taken++]!;
          if (matches(event)) return event;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
  };
}

describe('Exec: a whole exec on one call', () => {
  let stack: Stack;
  let raw: InstanceType<typeof procwireV1.ProcwireClient>;
  const metadata = () => {
    const value = new Metadata();
    value.set('authorization', `Bearer ${token}`);
    return value;
  };
  before(async () => {
    stack = await startStack({ tokens: { [token]: 'ella' } });
    raw = new procwireV1.ProcwireClient(stack.address, credentials.createInsecure());
  });
  after(async () => {
    raw.close();
    await stack.close();
  });

  test('started, stdin answered, both outputs in order with their eof, then exit, then OK', async () => {
    const call = raw.exec(metadata());
    const events = collect(call);
    call.write({ start: { start: startRequest('whole', ['sh', '-c', 'cat; echo err >&2; exit 3']), stdoutOffset: 0, stderrOffset: 0 } });
    call.write({ input: { processId: '', offset: 0, data: Buffer.from('hello\n'), eof: true } });
    assert.equal(await events.ended, undefined, 'the call ends OK');
    call.end();
    const kinds = events.events.map((event) => Object.keys(event).find((key) => event[key as keyof Event] !== undefined));
    assert.equal(kinds[0], 'started');
    assert.equal(kinds.at(-1), 'exit');
    assert.deepEqual(events.events.find((event) => event.input !== undefined)?.input, { offset: 6, eof: true });
    const text = (fd: number) =>
      Buffer.concat(events.events.filter((event) => event.output?.fd === fd).map((event) => event.output!.data)).toString();
    assert.equal(text(1), 'hello\n');
    assert.equal(text(2), 'err\n');
    const eofs = events.events.filter((event) => event.output?.eof).map((event) => [event.output!.fd, event.output!.offset]);
    assert.deepEqual(eofs.sort(), [
      [1, 6],
      [2, 4],
    ]);
    assert.equal(events.events.at(-1)?.exit?.exitCode, 3);
  });

  test("the client's half-close after the exit ends the call OK at once (its HTTP/2 stream is freed)", async () => {
    const call = raw.exec(metadata());
    const events = collect(call);
    call.write({ start: { start: startRequest('half-closed', ['sh', '-c', 'echo hi']), stdoutOffset: 0, stderrOffset: 0 } });
    assert.equal((await events.next((event) => event.exit !== undefined)).exit?.exitCode, 0);
    call.end();
    const ended = await within(events.ended, 5000, 'the call did not end after the half-close: its stream stays open');
    assert.equal(ended, undefined, 'the call ends OK');
  });

  test('a retried Exec with the offsets it has continues the same process, without a repeat', async () => {
    const first = raw.exec(metadata());
    const firstEvents = collect(first);
    const argv = ['sh', '-c', 'echo one; read x; echo two'];
    first.write({ start: { start: startRequest('resumed', argv), stdoutOffset: 0, stderrOffset: 0 } });
    const started = (await firstEvents.next((event) => event.started !== undefined)).started!;
    const one = (await firstEvents.next((event) => event.output !== undefined)).output!;
    assert.deepEqual([one.offset, one.data.toString()], [0, 'one\n']);
    first.cancel(); // a cut: the process goes on
    assert.equal((await firstEvents.ended)?.code, status.CANCELLED);

    const second = raw.exec(metadata());
    const secondEvents = collect(second);
    // A different argv would start a different command: the same id names the same process.
    second.write({ start: { start: startRequest('resumed', ['false']), stdoutOffset: 4, stderrOffset: 0 } });
    const again = (await secondEvents.next((event) => event.started !== undefined)).started!;
    assert.equal(again.pid, started.pid, 'the same process, not a new one');
    second.write({ input: { processId: '', offset: 0, data: Buffer.from('x\n'), eof: true } });
    const two = (await secondEvents.next((event) => event.output !== undefined && !event.output.eof)).output!;
    assert.deepEqual([two.offset, two.data.toString()], [4, 'two\n']);
    assert.equal((await secondEvents.next((event) => event.exit !== undefined)).exit?.exitCode, 0);
    assert.equal(await secondEvents.ended, undefined);
    second.end();
  });

  test('an ack past the output ends the call with OUT_OF_RANGE and the code trailer; the process runs on', async () => {
    const call = raw.exec(metadata());
    const events = collect(call);
    call.write({ start: { start: startRequest('bad-ack', ['sh', '-c', 'echo hi; sleep 30']), stdoutOffset: 0, stderrOffset: 0 } });
    await events.next((event) => event.output !== undefined);
    call.write({ ack: { processId: '', fd: 1, offset: 1000 } });
    const error = await events.ended;
    assert.equal(error?.code, status.OUT_OF_RANGE);
    assert.deepEqual(error?.metadata.get('procwire-error-code'), ['out_of_range']);
    const info = await stack.host.get({ processId: 'bad-ack' }, { principal: 'ella' });
    assert.equal(info.state, 'running');
    await stack.host.signal({ processId: 'bad-ack', signal: 'SIGKILL' }, { principal: 'ella' });
  });

  test('a first message that is not a start is INVALID_ARGUMENT', async () => {
    const call = raw.exec(metadata());
    const events = collect(call);
    call.write({ ack: { processId: 'x', fd: 1, offset: 0 } });
    const error = await events.ended;
    assert.equal(error?.code, status.INVALID_ARGUMENT);
    assert.match(error?.details ?? '', /first Exec message must be `start`/);
  });
});

describe('Exec calls on one connection', () => {
  test('each exec frees its HTTP/2 stream: more execs in sequence than the connection allows streams at once', async () => {
    const streamsAtOnce = 4;
    const stack = await startStack({ tokens: { [token]: 'ella' }, limits: { maxConcurrentStreamsPerConnection: streamsAtOnce } });
    const client = createClient(stack.transport({ token }));
    try {
      for (let index = 0; index < 3 * streamsAtOnce; index++) {
        const run = (async () => {
          const process = await client.exec(['sh', '-c', 'echo "$1"', 'sh', String(index)]);
          return Promise.all([process.stdout.read(), process.wait()]);
        })();
        const message = `exec ${index + 1} did not finish: calls queue behind streams earlier execs never freed`;
        assert.deepEqual(await within(run, 10_000, message), [`${index}\n`, 0]);
      }
    } finally {
      await client.close();
      await stack.close();
    }
  });
});
