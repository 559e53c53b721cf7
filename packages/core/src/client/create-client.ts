/**
 * `createClient(transport)`: the user's entry point. Turns exec options into a start request,
 * retries the (idempotent) start, and wraps the answer in a {@link RemoteProcess}.
 */
import type { Client, ClientOptions, ContainerProcess, ExecOptions, GetOptions } from '../api.js';
import { StreamType } from '../api.js';
import { ErrorCode, ProcwireError } from '../errors.js';
import type { OutputMode, ProcessInfo, PtySettings, StartRequest, Transport } from '../transport/contract.js';
import { ConsumedOffsets } from './consumed-offsets.js';
import type { ReaderMode } from './output-reader.js';
import { randomProcessId } from './process-id.js';
import { processDetails, RemoteProcess } from './remote-process.js';
import { abortError, type RetryPolicy, withRetry } from './retry.js';

const DEFAULT_RETRY_TIMEOUT_MS = 30_000;
/** How long `close()` waits for held acks to reach the host. */
const closeAckFlushMs = 1000;

/** Defaults of `exec(argv, { pty: true })`. */
export const DEFAULT_PTY: PtySettings = { cols: 80, rows: 24, term: 'xterm-256color' };

/**
 * Make a client over `transport`. The client owns the transport: `close()` closes it.
 *
 * ```ts
 * const client = createClient(memoryTransport({ programs: { echo } }));
 * const p = await client.exec(['echo', 'hi']);
 * await p.stdout.read(); // 'hi\n'
 * ```
 */
export function createClient(transport: Transport, options: ClientOptions = {}): Client {
  if (typeof transport?.start !== 'function' || typeof transport.readOutput !== 'function') {
    throw new ProcwireError(ErrorCode.InvalidArgument, 'createClient needs a transport, e.g. localTransport() or memoryTransport({ programs })');
  }
  const retryTimeoutMs = options.retryTimeoutMs ?? DEFAULT_RETRY_TIMEOUT_MS;
  if (!(retryTimeoutMs >= 0)) {
    throw new ProcwireError(ErrorCode.InvalidArgument, `retryTimeoutMs must be a non-negative number, got ${retryTimeoutMs}`);
  }
  const retry: RetryPolicy = { retryTimeoutMs, onRetry: options.onRetry };
  const stdoutSink = options.stdoutSink ?? defaultStdoutSink();
  const consumed = new ConsumedOffsets();
  const heldAcks = new Set<{ flushAcks(): Promise<void> }>();
  let closed = false;

  const checkOpen = () => {
    if (closed) throw new ProcwireError(ErrorCode.Closed, 'the procwire client is closed');
  };

  async function exec(
    argv: readonly string[],
    execOptions: ExecOptions = {},
  ): Promise<ContainerProcess<string> | ContainerProcess<Uint8Array>> {
    checkOpen();
    if (!Array.isArray(argv)) {
      throw new ProcwireError(ErrorCode.InvalidArgument, `argv must be an array of strings, got ${typeof argv}: a command is never a shell string`);
    }
    const text = execOptions.text ?? true;
    const byLine = execOptions.byLine ?? false;
    if (byLine && !text) {
      throw new ProcwireError(ErrorCode.InvalidArgument, 'byLine needs text mode: lines are split from decoded text (drop text: false or byLine)');
    }
    const stdoutMode = streamMode('stdout', execOptions.stdout);
    const stderrMode = streamMode('stderr', execOptions.stderr);
    const abortSignal = execOptions.signal;
    if (abortSignal?.aborted) throw abortError(abortSignal, 'exec() was aborted before the process started');
    const request: StartRequest = {
      processId: execOptions.processId ?? randomProcessId(),
      argv: [...argv],
      stdout: hostMode(stdoutMode),
      stderr: hostMode(stderrMode),
      ...(execOptions.cwd === undefined ? {} : { cwd: execOptions.cwd }),
      ...(execOptions.env === undefined ? {} : { env: execOptions.env }),
      ...(execOptions.timeoutMs === undefined ? {} : { timeoutMs: execOptions.timeoutMs }),
      ...ptyOf(execOptions.pty),
    };
    const info = await withRetry(retry, () => transport.start(request), abortSignal);
    const process = new RemoteProcess<string | Uint8Array>({
      transport,
      retry,
      info,
      stdoutMode,
      stderrMode,
      decoding: { text, byLine },
      stdoutSink,
      timeoutMs: execOptions.timeoutMs,
      abortSignal,
      consumed,
      heldAcks,
    });
    return process as ContainerProcess<string> | ContainerProcess<Uint8Array>;
  }

  async function get(
    processId: string,
    getOptions: GetOptions = {},
  ): Promise<ContainerProcess<string> | ContainerProcess<Uint8Array>> {
    checkOpen();
    const text = getOptions.text ?? true;
    const byLine = getOptions.byLine ?? false;
    if (byLine && !text) {
      throw new ProcwireError(ErrorCode.InvalidArgument, 'byLine needs text mode: lines are split from decoded text (drop text: false or byLine)');
    }
    const info: ProcessInfo = await withRetry(retry, () => transport.get({ processId }));
    const process = new RemoteProcess<string | Uint8Array>({
      transport,
      retry,
      info,
      stdoutMode: info.stdout.mode,
      stderrMode: info.stderr.mode,
      decoding: { text, byLine },
      stdoutSink,
      consumed,
      heldAcks,
      replay: getOptions.replay === true,
    });
    return process as ContainerProcess<string> | ContainerProcess<Uint8Array>;
  }

  const client = {
    exec,
    get,
    async list() {
      checkOpen();
      const infos = await withRetry(retry, () => transport.list());
      return infos.map(processDetails);
    },
    async close() {
      if (closed) return;
      closed = true;
      // What the readers consumed reaches the host before the transport closes, so the next
      // reader (a later `get(id)`, another client) starts after it; bounded, as acks are advisory.
      await sendHeldAcks(heldAcks, closeAckFlushMs);
      await transport.close();
    },
    async [Symbol.asyncDispose]() {
      await client.close();
    },
  };
  return client as Client;
}

/** Sends the held acks of `readers` and waits for them, for at most `timeoutMs`. */
async function sendHeldAcks(readers: Set<{ flushAcks(): Promise<void> }>, timeoutMs: number): Promise<void> {
  if (readers.size === 0) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.all([...readers].map((reader) => reader.flushAcks())),
    new Promise((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
}

function streamMode(name: string, value: ExecOptions['stdout']): ReaderMode {
  if (value === undefined) return StreamType.PIPE;
  if (value === StreamType.PIPE || value === StreamType.DEVNULL || value === StreamType.STDOUT) return value;
  throw new ProcwireError(
    ErrorCode.InvalidArgument,
    `${name} must be StreamType.PIPE, StreamType.DEVNULL or StreamType.STDOUT, got ${JSON.stringify(value)}`,
  );
}

/** The client copies `STDOUT` streams itself, so the host pipes them. */
function hostMode(mode: ReaderMode): OutputMode {
  return mode === StreamType.DEVNULL ? 'devnull' : 'pipe';
}

function ptyOf(pty: ExecOptions['pty']): { pty?: PtySettings } {
  if (pty === undefined || pty === false) return {};
  if (pty === true) return { pty: DEFAULT_PTY };
  return {
    pty: { cols: pty.cols ?? DEFAULT_PTY.cols, rows: pty.rows ?? DEFAULT_PTY.rows, term: pty.term ?? DEFAULT_PTY.term },
  };
}

interface ByteSink {
  write(data: Uint8Array): unknown;
}

/**
 * The host program's standard output: Node's `process.stdout` (found on globalThis, so this file
 * imports no Node module), else the console, decoded as text.
 */
function defaultStdoutSink(): (data: Uint8Array) => void {
  const nodeStdout = (globalThis as { process?: { stdout?: ByteSink } }).process?.stdout;
  if (typeof nodeStdout?.write === 'function') return (data) => void nodeStdout.write(data);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  return (data) => {
    const text = decoder.decode(data, { stream: true });
    if (text !== '') console.log(text);
  };
}
