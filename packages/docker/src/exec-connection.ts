/**
 * ExecConnection: the hijacked connection of one exec. It reads the wrapper's header line, then
 * hands output to the sink by fd (the engine multiplexes stdout and stderr into frames when there is
 * no terminal), writes stdin, and pauses the socket while a window is full: the engine then stops
 * reading the process's pipes and the process blocks, which is the backpressure of the contract.
 */
import type { Duplex } from 'node:stream';
import type { OutputFd } from '@procwire/core/transport';
import { MAX_HEADER_BYTES, parseHeader, type WrapperHeader } from './exec-wrapper.js';

/** Where a connection delivers what it reads. */
export interface ConnectionSink {
  /** The wrapper's header line arrived (the command was exec'd, or the wrapper refused it). */
  header(header: WrapperHeader): void;
  output(fd: OutputFd, data: Uint8Array): void;
  /** The connection ended: both outputs are at EOF. `error` when it broke instead. */
  closed(error?: Error): void;
}

const FRAME_HEADER_BYTES = 8;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export class ExecConnection {
  private headerBytes: Uint8Array | undefined = new Uint8Array(0) as Uint8Array;
  /** Demultiplexing state (no terminal): the part of a frame header read so far, and the frame's rest. */
  private frameHeader: Uint8Array = new Uint8Array(0);
  private frameFd: OutputFd | 0 = 0;
  private frameLeft = 0;
  private readonly pausedFds = new Set<OutputFd>();
  private ended = false;
  private inputOpen = true;

  constructor(
    private readonly socket: Duplex,
    private readonly tty: boolean,
    private readonly sink: ConnectionSink,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('end', () => this.close());
    socket.on('close', () => this.close());
    socket.on('error', (error: Error) => this.close(error));
  }

  /** Stop reading `fd`'s output: the socket pauses while any stream is paused. */
  pause(fd: OutputFd): void {
    this.pausedFds.add(fd);
    this.socket.pause();
  }

  resume(fd: OutputFd): void {
    this.pausedFds.delete(fd);
    if (this.pausedFds.size === 0 && !this.ended) this.socket.resume();
  }

  /** Writes stdin; resolves when the socket took it (a full socket buffer waits for drain). */
  write(data: Uint8Array): Promise<void> {
    if (!this.inputOpen || this.ended) return Promise.resolve();
    if (this.socket.write(data)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.once('drain', done);
      this.socket.once('close', done);
    });
  }

  /** Closes stdin (a half-close: output goes on). */
  endInput(): void {
    if (!this.inputOpen) return;
    this.inputOpen = false;
    if (!this.ended) this.socket.end();
  }

  /** Stops forwarding stdin: the process is gone. */
  discardInput(): void {
    this.inputOpen = false;
  }

  /** Drops the connection (the host gave up on the process's output). */
  destroy(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    if (this.tty) {
      this.deliver(1, chunk);
      return;
    }
    let at = 0;
    while (at < chunk.byteLength) {
      if (this.frameLeft === 0) {
        const need = FRAME_HEADER_BYTES - this.frameHeader.byteLength;
        const take = chunk.subarray(at, at + need);
        at += take.byteLength;
        this.frameHeader = concat(this.frameHeader, take);
        if (this.frameHeader.byteLength < FRAME_HEADER_BYTES) return;
        const view = new DataView(this.frameHeader.buffer, this.frameHeader.byteOffset, FRAME_HEADER_BYTES);
        const type = view.getUint8(0);
        this.frameFd = type === 1 || type === 2 ? type : 0;
        this.frameLeft = view.getUint32(4);
        this.frameHeader = new Uint8Array(0);
        continue;
      }
      const take = chunk.subarray(at, at + this.frameLeft);
      at += take.byteLength;
      this.frameLeft -= take.byteLength;
      if (this.frameFd !== 0) this.deliver(this.frameFd, take);
    }
  }

  private deliver(fd: OutputFd, data: Uint8Array): void {
    if (data.byteLength === 0) return;
    if (this.headerBytes !== undefined && fd === 1) {
      this.readHeader(data);
      return;
    }
    this.sink.output(fd, data);
  }

  /** Collects stdout up to the header's line end, then passes on what follows it. */
  private readHeader(data: Uint8Array): void {
    const joined = concat(this.headerBytes!, data);
    const newline = joined.indexOf(NEWLINE);
    if (newline < 0) {
      if (joined.byteLength > MAX_HEADER_BYTES) this.brokenHeader(joined);
      else this.headerBytes = joined;
      return;
    }
    const lineEnd = newline > 0 && joined[newline - 1] === CARRIAGE_RETURN ? newline - 1 : newline;
    const header = parseHeader(Buffer.from(joined.subarray(0, lineEnd)).toString('latin1'));
    if (header === undefined) {
      this.brokenHeader(joined);
      return;
    }
    this.headerBytes = undefined;
    this.sink.header(header);
    const rest = joined.subarray(newline + 1);
    if (rest.byteLength > 0) this.sink.output(1, rest);
  }

  private brokenHeader(bytes: Uint8Array): void {
    this.headerBytes = undefined;
    const text = Buffer.from(bytes).toString('utf8').trim();
    this.close(new Error(`the exec wrapper did not start: ${text || 'no header'}`));
  }

  private close(error?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.inputOpen = false;
    // No header at all: the wrapper itself could not run (no `sh` in the container, say).
    if (error === undefined && this.headerBytes !== undefined) {
      const text = Buffer.from(this.headerBytes).toString('utf8').trim();
      error = new Error(`the exec wrapper did not start${text === '' ? '' : `: ${text}`}`);
    }
    this.sink.closed(error);
    this.socket.destroy();
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.byteLength === 0) return b;
  const joined = new Uint8Array(a.byteLength + b.byteLength);
  joined.set(a);
  joined.set(b, a.byteLength);
  return joined;
}
