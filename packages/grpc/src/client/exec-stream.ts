/**
 * The client end of one Exec call: it starts the process, then holds the output and the exit
 * status the server streams, until the transport's readOutput and wait take them. So exec + wait
 * costs one round trip. Output waits here only up to the host's window per stream (the host sends
 * no more until it is acknowledged), and a cut call simply sends readers and waiters back to the
 * unary RPCs, which continue from their offsets.
 */
import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { ExitStatus, OutputChunk, OutputFd, ProcessInfo } from '@procwire/core/transport';
import { ErrorCode, ProcwireError } from '@procwire/core/transport';
import type * as pb from '../gen/procwire/v1/procwire.js';
import { exitStatusFromWire, processInfoFromWire } from '../wire/convert.js';
import { fromServiceError } from '../wire/status.js';

/** One output stream's events not yet taken by a reader. */
class PendingOutput {
  readonly chunks: OutputChunk[] = [];
  /** The offset a reader must ask for to be served from here: just past what was taken. */
  next: number;
  /** Just past the last byte received: an ack above it cannot go on the call (see `ack`). */
  received: number;
  eof = false;
  /** A reader is being served from here (one at a time). */
  reading = false;
  wake: (() => void) | undefined;

  constructor(offset: number) {
    this.next = offset;
    this.received = offset;
  }

  notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

export class ExecStream {
  /** The `started` event's process; rejects when the call fails before it. */
  readonly started: Promise<ProcessInfo>;
  /** The `exit` event's status; rejects when the call ends without it. */
  readonly exit: Promise<ExitStatus>;
  /** Set once the call ended without an exit event: readers and waiters use the unary RPCs. */
  broken: ProcwireError | undefined;
  readonly #call: ClientDuplexStream<pb.ExecRequest, pb.ExecEvent>;
  readonly #outputs = new Map<number, PendingOutput>([
    [1, new PendingOutput(0)],
    [2, new PendingOutput(0)],
  ]);
  #ended = false;
  #devnull = new Set<number>();
  #gotExit = false;

  constructor(call: ClientDuplexStream<pb.ExecRequest, pb.ExecEvent>, start: pb.StartRequest, processId: string) {
    this.#call = call;
    let started!: (info: ProcessInfo) => void;
    let failedStart!: (error: ProcwireError) => void;
    let exited!: (status: ExitStatus) => void;
    let failedExit!: (error: ProcwireError) => void;
    this.started = new Promise((resolve, reject) => {
      started = resolve;
      failedStart = reject;
    });
    this.exit = new Promise((resolve, reject) => {
      exited = resolve;
      failedExit = reject;
    });
    this.exit.catch(() => {});
    call.on('data', (event: pb.ExecEvent) => {
      if (event.started !== undefined) {
        const info = processInfoFromWire(event.started);
        // The server streams no DEVNULL output: reads of it go by RPC (and get its error).
        this.#devnull = new Set([info.stdout.mode === 'devnull' ? 1 : 0, info.stderr.mode === 'devnull' ? 2 : 0]);
        started(info);
      }
      else if (event.output !== undefined) this.#received(event.output);
      else if (event.exit !== undefined) {
        this.#gotExit = true;
        exited(exitStatusFromWire(event.exit));
        // Nothing more to say on this call: later acks go by AckOutput.
        call.end();
      }
    });
    const fail = (error: ProcwireError) => {
      this.#ended = true;
      if (this.#gotExit) return;
      this.broken = error;
      failedStart(error);
      failedExit(error);
      for (const output of this.#outputs.values()) output.notify();
    };
    call.on('error', (error) => fail(fromServiceError(error, { processId })));
    call.on('end', () => {
      // The usual end, after the exit: no error to build (its stack costs more than the rest).
      if (this.#gotExit) this.#ended = true;
      else fail(new ProcwireError(ErrorCode.Unavailable, 'the Exec call ended before the exit status'));
    });
    call.write({ start: { start, stdoutOffset: 0, stderrOffset: 0 } });
  }

  #received(output: pb.ExecOutput): void {
    const pending = this.#outputs.get(output.fd);
    if (pending === undefined) return;
    if (output.data.byteLength > 0) {
      pending.chunks.push({ offset: output.offset, data: output.data });
      pending.received = output.offset + output.data.byteLength;
    }
    if (output.eof) pending.eof = true;
    pending.notify();
  }

  /**
   * The output of `fd` from `offset`, if this call can serve it (it is the offset the call's
   * stream is at, and nobody else reads it here); else `undefined`, and the caller reads by RPC.
   */
  read(fd: OutputFd, offset: number, signal: AbortSignal | undefined): AsyncIterable<OutputChunk> | undefined {
    const pending = this.#outputs.get(fd)!;
    if (this.broken !== undefined || this.#devnull.has(fd) || pending.reading || pending.next !== offset) return undefined;
    pending.reading = true;
    return this.#serve(pending, signal);
  }

  async *#serve(pending: PendingOutput, signal: AbortSignal | undefined): AsyncGenerator<OutputChunk> {
    try {
      for (;;) {
        const chunk = pending.chunks.shift();
        if (chunk !== undefined) {
          pending.next = chunk.offset + chunk.data.byteLength;
          yield chunk;
          continue;
        }
        if (pending.eof) return;
        if (this.broken !== undefined) throw this.broken;
        if (signal?.aborted) throw new ProcwireError(ErrorCode.Aborted, 'the call was aborted', { cause: signal.reason });
        await new Promise<void>((resolve) => {
          const onAbort = () => resolve();
          signal?.addEventListener('abort', onAbort, { once: true });
          pending.wake = () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          };
        });
      }
    } finally {
      pending.reading = false;
    }
  }

  /**
   * Sends an ack on the call; false when the call is over, or for an offset past what it received
   * (then ack by RPC, which answers an offset past the output with its own error: on the call, that
   * error would end the whole exec).
   */
  ack(fd: OutputFd, offset: number): boolean {
    if (this.#ended || this.#gotExit || offset > this.#outputs.get(fd)!.received) return false;
    this.#call.write({ ack: { processId: '', fd, offset } });
    return true;
  }

  /** Ends the call (the process goes on). */
  cancel(): void {
    this.#call.cancel();
  }
}
