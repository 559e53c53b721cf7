/**
 * The Exec RPC: a whole exec on one bidirectional call. The first message starts the process; the
 * server streams `started`, both outputs by offset (each ended by an eof event) and `exit`, then
 * ends the call OK. The client's later messages acknowledge output and write stdin on the same
 * call, so exec + wait costs one round trip and a client needs no other RPC.
 */
import { once } from 'node:events';
import type { handleBidiStreamingCall, ServerDuplexStream, ServiceError } from '@grpc/grpc-js';
import {
  type CallOptions,
  callTransport,
  ErrorCode,
  type OutputFd,
  ProcwireError,
  type StartLimits,
  type Transport,
  validateOffset,
} from '@procwire/core/transport';
import type * as pb from '../gen/procwire/v1/procwire.js';
import { exitStatusToWire, processInfoToWire, startRequestFromWire } from '../wire/convert.js';
import type { ExecEventOut } from '../wire/exec-codecs.js';
import { outputBatches } from './output-batches.js';
import { decodedRequest } from './tolerant-deserializers.js';

type ExecCall = ServerDuplexStream<pb.ExecRequest, ExecEventOut>;

/** What the Exec handler borrows from the service that registers it. */
export interface ExecCallHost {
  readonly transport: Transport;
  /** Authenticates and counts the call as long-lived; `undefined` once it sent the refusal. */
  admit(
    call: ExecCall,
    refuse: (error: Partial<ServiceError>) => void,
  ): { readonly signal: AbortSignal; readonly options: CallOptions; end(): void } | undefined;
  /** The error to end the call with. */
  failure(error: unknown): Partial<ServiceError>;
  /** The most output bytes in one event. */
  readonly maxOutputChunkBytes: number;
  /** Checks on the start request (argv and env limits). */
  readonly startLimits: StartLimits;
}

/**
 * Output events stop being pulled from the host while this many bytes wait for HTTP/2, as for
 * ReadOutput: enough to keep the connection busy, little to hold per slow reader.
 */
const unsentOutputLimit = 2 * 1024 * 1024;

/** The reason the host calls of a finished Exec call are aborted with (nobody reads it). */
const execCallOver = new ProcwireError(ErrorCode.Aborted, 'the Exec call is over');

/** The grpc-js handler of `Exec`. */
export function execCallHandler(host: ExecCallHost): handleBidiStreamingCall<pb.ExecRequest, ExecEventOut> {
  return (call) => {
    const context = host.admit(call, (error) => call.emit('error', error));
    if (context === undefined) return;
    // Ends the host reads of this call when it fails part-way (the call's own signal covers cancels).
    const stop = new AbortController();
    const onCallEnd = () => stop.abort();
    context.signal.addEventListener('abort', onCallEnd, { once: true });
    const options: CallOptions = { ...context.options, signal: stop.signal };
    runExec(host, call, options, stop.signal).then(
      () => {
        finish();
        call.end();
      },
      (error: unknown) => {
        finish();
        if (!call.cancelled) call.emit('error', host.failure(error));
      },
    );
    function finish(): void {
      context?.signal.removeEventListener('abort', onCallEnd);
      // A reason of our own: abort() without one builds a DOMException and its stack, every exec.
      stop.abort(execCallOver);
      context?.end();
    }
  };
}

async function runExec(host: ExecCallHost, call: ExecCall, options: CallOptions, signal: AbortSignal): Promise<void> {
  // Not the stream's own async iterator: at the client's half-close it destroys the whole call,
  // and a destroyed call never sends its status, so its HTTP/2 stream would stay open for good
  // (after `grpc.max_concurrent_streams` execs, every new call on the connection would queue).
  const messages: AsyncIterator<pb.ExecRequest> = call.iterator({ destroyOnReturn: false });
  const first = await messages.next();
  if (first.done === true) throw new ProcwireError(ErrorCode.InvalidArgument, 'Exec sent no message: the first must be `start`');
  const begin = (await decodedRequest(first.value)).start;
  if (begin?.start === undefined) {
    throw new ProcwireError(ErrorCode.InvalidArgument, 'the first Exec message must be `start` with its `start` request');
  }
  const request = startRequestFromWire(begin.start);
  validateOffset(begin.stdoutOffset, 'stdout_offset');
  validateOffset(begin.stderrOffset, 'stderr_offset');
  const info = await callTransport(host.transport, 'start', request, options, host.startLimits);
  const { processId } = info;
  const sender = new EventSender(call, signal);
  await sender.send({ started: processInfoToWire(info) }, 0);

  const outputs: Promise<void>[] = [];
  const streams = [
    { fd: 1 as const, mode: info.stdout.mode, offset: begin.stdoutOffset },
    { fd: 2 as const, mode: info.stderr.mode, offset: begin.stderrOffset },
  ];
  for (const stream of streams) {
    if (stream.mode === 'pipe') outputs.push(streamOutput(host, sender, processId, stream.fd, stream.offset, options));
  }
  // The client's acks and stdin, applied in order while output flows. A failure ends the call.
  let requestsFailed: ((error: unknown) => void) | undefined;
  const requestFailure = new Promise<never>((_resolve, reject) => {
    requestsFailed = reject;
  });
  requestFailure.catch(() => {});
  const requestsApplied = applyRequests(host, messages, sender, processId, options);
  requestsApplied.catch((error: unknown) => requestsFailed?.(error));

  await Promise.race([Promise.all(outputs), requestFailure]);
  const status = await Promise.race([host.transport.wait({ processId }, options), requestFailure]);
  await sender.send({ exit: exitStatusToWire(status) }, 0);
  // Acks the client sent before it saw the exit are still on their way: they are applied until it
  // half-closes (it does on the exit), so a later get() continues exactly after what it consumed.
  // A client that never half-closes gets the call ended after a while.
  await Promise.race([requestsApplied, requestFailure, lingering(signal)]).catch(() => {});
}

/** How long the call stays open after the exit for the client's last acks. */
const lingerAfterExitMs = 2000;

/** Resolves after {@link lingerAfterExitMs} or when `signal` aborts (the call ended). */
function lingering(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, lingerAfterExitMs);
    timer.unref();
    if (signal.aborted) done();
    else signal.addEventListener('abort', done, { once: true });
  });
}

async function streamOutput(
  host: ExecCallHost,
  sender: EventSender,
  processId: string,
  fd: OutputFd,
  offset: number,
  options: CallOptions,
): Promise<void> {
  let end = offset;
  for await (const batch of outputBatches(host.transport.readOutput({ processId, fd, offset }, options), host.maxOutputChunkBytes)) {
    let size = 0;
    for (const part of batch.parts) size += part.byteLength;
    await sender.send({ outputBatch: { fd, offset: batch.offset, parts: batch.parts, eof: false } }, size);
    end = batch.offset + size;
  }
  await sender.send({ outputBatch: { fd, offset: end, parts: [], eof: true } }, 0);
}

async function applyRequests(
  host: ExecCallHost,
  messages: AsyncIterator<pb.ExecRequest>,
  sender: EventSender,
  processId: string,
  options: CallOptions,
): Promise<void> {
  for (;;) {
    const next = await messages.next();
    if (next.done === true) return;
    const decoded = decodedRequest(next.value);
    const message = decoded instanceof Promise ? await decoded : decoded;
    if (message.ack !== undefined) {
      const { fd, offset } = message.ack;
      await callTransport(host.transport, 'ackOutput', { processId, fd, offset }, options);
      // A process_id inside an ack or input is ignored: the call's process is the one it started.
    } else if (message.input !== undefined) {
      const { offset, data, eof } = message.input;
      const result = await callTransport(host.transport, 'writeInput', { processId, offset, data, eof }, options);
      await sender.send({ input: { offset: result.offset, eof: result.eof } }, 0);
    } else {
      throw new ProcwireError(ErrorCode.InvalidArgument, 'after `start`, an Exec message must be `ack` or `input`');
    }
  }
}

/**
 * Writes the call's events one at a time (two output streams share the call), each only when HTTP/2
 * has room and fewer than {@link unsentOutputLimit} bytes wait to be sent.
 */
class EventSender {
  #unsent = 0;
  #queue: Promise<void> = Promise.resolve();
  #wake: (() => void) | undefined;

  constructor(
    private readonly call: ExecCall,
    private readonly signal: AbortSignal,
  ) {}

  send(event: ExecEventOut, size: number): Promise<void> {
    const sent = this.#queue.then(() => this.#write(event, size));
    this.#queue = sent.catch(() => {});
    return sent;
  }

  async #write(event: ExecEventOut, size: number): Promise<void> {
    this.signal.throwIfAborted();
    this.#unsent += size;
    const written = this.call.write(event, () => {
      this.#unsent -= size;
      if (this.#unsent <= unsentOutputLimit) this.#wake?.();
    });
    if (!written) await once(this.call, 'drain', { signal: this.signal });
    while (this.#unsent > unsentOutputLimit) {
      this.signal.throwIfAborted();
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        this.signal.addEventListener('abort', onAbort, { once: true });
        this.#wake = () => {
          this.#wake = undefined;
          this.signal.removeEventListener('abort', onAbort);
          resolve();
        };
      });
    }
  }
}
