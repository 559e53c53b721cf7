/**
 * `ContainerProcess` over any transport: exit status, timeout and abort errors, signals, resize,
 * and the `StreamType.STDOUT` copy. Streams live in OutputReader / InputWriter.
 */
import type { AttachOptions, ContainerProcess, ProcessDetails } from '../api.js';
import { ErrorCode, isProcwireError, ProcwireError } from '../errors.js';
import type { SignalName } from '../signal-name.js';
import type { ExitStatus, OutputStreamInfo, ProcessInfo, TerminalSize, Transport } from '../transport/contract.js';
import { attachTerminal } from './attach.js';
import { InputWriter } from './input-writer.js';
import { lostProcessError, reportLostProcess } from './lost-process.js';
import type { ConsumedOffsets } from './consumed-offsets.js';
import { type Decoding, OutputReader, type ReaderMode } from './output-reader.js';
import { type RetryPolicy, withRetry } from './retry.js';

/** Everything a {@link RemoteProcess} needs. */
export interface RemoteProcessInit {
  readonly transport: Transport;
  readonly retry: RetryPolicy;
  /** What the host answered to start or get. */
  readonly info: ProcessInfo;
  readonly stdoutMode: ReaderMode;
  readonly stderrMode: ReaderMode;
  readonly decoding: Decoding;
  /** Where `StreamType.STDOUT` streams are copied. */
  readonly stdoutSink: (data: Uint8Array) => void | Promise<void>;
  /** The exec's timeout, for the timeout error's message. */
  readonly timeoutMs?: number | undefined;
  /** The exec's AbortSignal: aborting kills the process. */
  readonly abortSignal?: AbortSignal | undefined;
  /** This client's consumed offsets: readers start after them and report to them. */
  readonly consumed: ConsumedOffsets;
  /** This client's readers holding an ack back (sent by `client.close()`). */
  readonly heldAcks: Set<{ flushAcks(): Promise<void> }>;
  /** Start the readers at the host's replay tail (`get(id, { replay: true })`). */
  readonly replay?: boolean;
}

/** A {@link ContainerProcess} over any transport. */
export class RemoteProcess<T extends string | Uint8Array> implements ContainerProcess<T> {
  readonly id: string;
  readonly stdout: OutputReader<T>;
  readonly stderr: OutputReader<T>;
  readonly stdin: InputWriter;
  /** The host's terminal settings, when the process runs in a pty. */
  readonly hasPty: boolean;
  private readonly transport: Transport;
  private readonly retry: RetryPolicy;
  private readonly argv: readonly string[];
  private exit: ExitStatus | undefined;
  private exitPromise: Promise<ExitStatus> | undefined;
  private abortedByUser = false;
  private readonly copies: Promise<void>[] = [];
  private copyFailure: unknown;
  private readonly abortSignal: AbortSignal | undefined;
  private readonly onAbort = () => this.abortProcess();

  constructor(private readonly init: RemoteProcessInit) {
    const { retry, info } = init;
    const transport = reportLostProcess(init.transport, info.processId, info.argv);
    this.transport = transport;
    this.retry = retry;
    this.id = info.processId;
    this.argv = info.argv;
    this.hasPty = info.pty !== undefined;
    const source = { transport, processId: info.processId, retry };
    // Readers map failures themselves (no wrapper on each chunk's path): `not_found` is `process_lost`.
    const readSource = {
      ...source,
      transport: init.transport,
      mapError: lostProcessError(info.processId, info.argv),
      windowBytes: info.outputWindowBytes,
      heldAcks: init.heldAcks,
    };
    const { consumed } = init;
    const id = info.processId;
    const startOffset = (fd: 1 | 2, stream: OutputStreamInfo) =>
      init.replay === true ? (stream.replayFrom ?? stream.acknowledged) : consumed.startOffset(id, fd, stream.acknowledged);
    this.stdout = new OutputReader<T>(
      {
        ...readSource,
        fd: 1,
        startOffset: startOffset(1, info.stdout),
        onDelivered: (offset) => consumed.delivered(id, 1, offset),
      },
      init.stdoutMode,
      init.decoding,
    );
    this.stderr = new OutputReader<T>(
      {
        ...readSource,
        fd: 2,
        startOffset: startOffset(2, info.stderr),
        onDelivered: (offset) => consumed.delivered(id, 2, offset),
      },
      init.stderrMode,
      init.decoding,
    );
    this.stdin = new InputWriter({ ...source, startOffset: info.stdin.offset, startEof: info.stdin.eof });
    if (info.exit !== undefined) this.exit = info.exit;
    for (const [reader, mode] of [
      [this.stdout, init.stdoutMode],
      [this.stderr, init.stderrMode],
    ] as const) {
      if (mode === 'stdout') this.copies.push(this.copyToSink(reader));
    }
    this.abortSignal = init.abortSignal;
    if (this.exit === undefined && this.abortSignal !== undefined) {
      // Aborted while the start was in flight: the process exists now, so kill it.
      if (this.abortSignal.aborted) this.abortProcess();
      else this.abortSignal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  get returncode(): number {
    if (this.exit === undefined) {
      throw new ProcwireError(
        ErrorCode.FailedPrecondition,
        `process ${this.id} has no exit code yet: await wait() (or poll() until it returns a number) before reading returncode`,
        { processId: this.id, argv: this.argv },
      );
    }
    return this.exit.code;
  }

  async poll(): Promise<number | null> {
    if (this.exit !== undefined) return this.exit.code;
    const status = await withRetry(this.retry, () => this.transport.poll({ processId: this.id }));
    if (status === null) return null;
    this.recordExit(status);
    return status.code;
  }

  async wait(): Promise<number> {
    const status = await this.waitStatus();
    if (status.timedOut === true) {
      const limit = this.init.timeoutMs === undefined ? '' : ` after ${this.init.timeoutMs} ms`;
      throw new ProcwireError(
        ErrorCode.Timeout,
        `process ${this.id} (${this.argv[0]}) timed out${limit} and was killed: ${describeExit(status)}`,
        { ...this.details(status), timedOut: true },
      );
    }
    if (this.abortedByUser) {
      throw new ProcwireError(
        ErrorCode.Aborted,
        `process ${this.id} (${this.argv[0]}) was killed because its AbortSignal fired: ${describeExit(status)}`,
        { ...this.details(status), cause: this.abortSignal?.reason },
      );
    }
    return status.code;
  }

  waitStatus(): Promise<ExitStatus> {
    this.exitPromise ??= this.fetchExit().catch((error: unknown) => {
      // A failed wait (host unreachable past the retry time) may be tried again.
      this.exitPromise = undefined;
      throw error;
    });
    return this.exitPromise;
  }

  async kill(signal: SignalName = 'SIGTERM'): Promise<void> {
    await withRetry(this.retry, () => this.transport.signal({ processId: this.id, signal }));
  }

  async resize(size: TerminalSize): Promise<void> {
    await withRetry(this.retry, () => this.transport.resize({ processId: this.id, size }));
  }

  attach(options: AttachOptions): Promise<number> {
    return attachTerminal(this, options);
  }

  async info(): Promise<ProcessDetails> {
    const info = await withRetry(this.retry, () => this.transport.get({ processId: this.id }));
    if (info.exit !== undefined) this.recordExit(info.exit);
    return processDetails(info);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.abortSignal?.removeEventListener('abort', this.onAbort);
    if (this.exit !== undefined) return;
    try {
      if ((await this.poll()) === null) await this.kill('SIGKILL');
    } catch (error) {
      // Already gone from the host, or the transport is closed: nothing left to kill.
      if (!isProcwireError(error, ErrorCode.ProcessLost) && !isProcwireError(error, ErrorCode.Closed)) throw error;
    }
  }

  private async fetchExit(): Promise<ExitStatus> {
    const status = this.exit ?? (await withRetry(this.retry, () => this.transport.wait({ processId: this.id })));
    this.recordExit(status);
    // wait() promises the copied output is out, too.
    await Promise.all(this.copies);
    if (this.copyFailure !== undefined) throw ProcwireError.from(this.copyFailure);
    return status;
  }

  private recordExit(status: ExitStatus): void {
    if (this.exit !== undefined) return;
    this.exit = status;
    this.abortSignal?.removeEventListener('abort', this.onAbort);
  }

  private abortProcess(): void {
    if (this.exit !== undefined) return;
    this.abortedByUser = true;
    withRetry(this.retry, () => this.transport.signal({ processId: this.id, signal: 'SIGKILL' })).catch(() => {
      // The process is gone or the host unreachable; wait() reports what happened.
    });
  }

  private async copyToSink(reader: OutputReader<T>): Promise<void> {
    try {
      for await (const data of reader.consumeBytes('the StreamType.STDOUT copy')) await this.init.stdoutSink(data);
    } catch (error) {
      this.copyFailure ??= error;
    }
  }

  private details(status: ExitStatus) {
    return {
      processId: this.id,
      argv: this.argv,
      exitCode: status.code,
      ...(status.signal === undefined ? {} : { signal: status.signal }),
    };
  }
}

function describeExit(status: ExitStatus): string {
  return status.signal === undefined ? `exit code ${status.code}` : `exit code ${status.code} (${status.signal})`;
}

/** The host's ProcessInfo as users see it: `id`, as on the handle. */
export function processDetails(info: ProcessInfo): ProcessDetails {
  const { processId, ...rest } = info;
  return { id: processId, ...rest };
}
