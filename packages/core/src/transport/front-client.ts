/**
 * The client side of a message-based wire, once: a `Transport` whose every call is a
 * {@link FrontMessage} to a server's `createTransportFront`, over a link the wire provides. It
 * connects lazily (again after a drop), cancels a call whose signal aborts, grants read credit as
 * the consumer takes chunks, fails the calls of a dropped link with `unavailable` and every call
 * after `close()` with `closed`. A wire only encodes and decodes, as on the server side.
 */
import { ErrorCode, ProcwireError } from '../errors.js';
import type { CallOptions, OutputChunk, StartRequest, Transport } from './contract.js';
import type { FrontMessage, FrontMethod, FrontReply } from './transport-front.js';
import { connectionLostError, decodeWireError } from './wire-errors.js';

/** One connection to a front, as the wire makes it. */
export interface FrontLink {
  /** Send one message (the wire encodes it; `Uint8Array` fields are data). */
  send(message: FrontMessage): void;
  /** Drop the connection (the client is closing). */
  close(): void;
}

/** What a wire gives {@link createFrontClient}. */
export interface FrontClientOptions {
  /** For messages: what the client talks to, e.g. `'127.0.0.1:4000'`. */
  readonly name: string;
  /**
   * Open a connection. Call `receive` with each decoded reply and `lost` once when it drops or
   * fails (with the error to report, default `unavailable`; e.g. the server's `unauthenticated`),
   * from an event: never from inside `connect` itself.
   */
  connect(receive: (reply: FrontReply) => void, lost: (error?: ProcwireError) => void): FrontLink;
  /** Bytes a read may receive before the client grants more; default 1 MiB. */
  readonly readCreditBytes?: number;
}

type Handler = (reply: FrontReply | ProcwireError) => void;

/** A `Transport` that makes every call through a front (see {@link FrontClientOptions}). */
export function createFrontClient(options: FrontClientOptions): Transport {
  return new FrontClient(options);
}

class FrontClient implements Transport {
  private link: FrontLink | undefined;
  private readonly calls = new Map<number, Handler>();
  private nextId = 1;
  private closed = false;
  private readonly credit: number;

  constructor(private readonly options: FrontClientOptions) {
    this.credit = options.readCreditBytes ?? 1024 * 1024;
  }

  start(request: StartRequest, options?: CallOptions) {
    // JSON has no undefined: an env key to remove travels as null (the front turns it back).
    const env = request.env && Object.fromEntries(Object.entries(request.env).map(([key, value]) => [key, value ?? null]));
    return this.call('start', { ...request, env }, options) as ReturnType<Transport['start']>;
  }
  ackOutput: Transport['ackOutput'] = (request, options) => this.call('ackOutput', request, options) as Promise<void>;
  writeInput: Transport['writeInput'] = (request, options) => this.call('writeInput', request, options) as never;
  wait: Transport['wait'] = (request, options) => this.call('wait', request, options) as never;
  poll: Transport['poll'] = (request, options) => this.call('poll', request, options) as never;
  signal: Transport['signal'] = (request, options) => this.call('signal', request, options) as Promise<void>;
  resize: Transport['resize'] = (request, options) => this.call('resize', request, options) as Promise<void>;
  get: Transport['get'] = (request, options) => this.call('get', request, options) as never;
  list: Transport['list'] = (options) => this.call('list', {}, options) as never;

  readOutput: Transport['readOutput'] = (request, options) => ({ [Symbol.asyncIterator]: () => this.read(request, options) });

  async close(): Promise<void> {
    this.closed = true;
    this.lose(this.link, new ProcwireError(ErrorCode.Closed, `the transport to ${this.options.name} was closed`));
  }

  private call(method: FrontMethod, request: object, options?: CallOptions): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.open({ method, request }, options?.signal, (reply) => {
        if (reply instanceof ProcwireError) reject(reply);
        else if (reply.error !== undefined) reject(decodeWireError(reply.error));
        else resolve(reply.result);
      });
    });
  }

  private async *read(request: object, options?: CallOptions): AsyncGenerator<OutputChunk> {
    const replies: Array<FrontReply | ProcwireError> = [];
    let wake: (() => void) | undefined;
    const { id, link } = this.open({ method: 'readOutput', request, credit: this.credit }, options?.signal, (reply) => {
      replies.push(reply);
      wake?.();
    });
    let taken = 0;
    try {
      for (;;) {
        while (replies.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        const reply = replies.shift()!;
        if (reply instanceof ProcwireError) throw reply;
        if (reply.error !== undefined) throw decodeWireError(reply.error);
        if (reply.end === true || reply.chunk === undefined) return;
        yield reply.chunk;
        taken += reply.chunk.data.byteLength;
        if (taken >= this.credit / 2 && this.link === link) {
          link?.send({ id, credit: taken });
          taken = 0;
        }
      }
    } finally {
      // Broken out of early: the server stops reading.
      if (this.calls.delete(id) && this.link === link) link?.send({ id, cancel: true });
    }
  }

  /** Sends a call; `handler` gets its replies, or the error that ends it (abort, lost link, closed). */
  private open(message: Omit<FrontMessage, 'id'>, signal: AbortSignal | undefined, handler: Handler): { id: number; link?: FrontLink } {
    const id = this.nextId++;
    if (this.closed) {
      handler(new ProcwireError(ErrorCode.Closed, `the transport to ${this.options.name} was closed`));
      return { id };
    }
    if (signal?.aborted) {
      handler(ProcwireError.from(signal.reason, ErrorCode.Aborted));
      return { id };
    }
    const link = this.connection();
    const abort = () => {
      if (!this.calls.delete(id)) return;
      if (this.link === link) link.send({ id, cancel: true });
      handler(ProcwireError.from(signal?.reason, ErrorCode.Aborted));
    };
    this.calls.set(id, (reply) => {
      if (reply instanceof ProcwireError || reply.chunk === undefined) {
        this.calls.delete(id);
        signal?.removeEventListener('abort', abort);
      }
      handler(reply);
    });
    signal?.addEventListener('abort', abort, { once: true });
    link.send({ id, ...message });
    return { id, link };
  }

  private connection(): FrontLink {
    if (this.link !== undefined) return this.link;
    const link: FrontLink = this.options.connect(
      (reply) => this.calls.get(reply.id)?.(reply),
      (error) => this.lose(link, error ?? connectionLostError(this.options.name)),
    );
    this.link = link;
    return link;
  }

  /** The link is gone: every call on it ends with `error`. */
  private lose(link: FrontLink | undefined, error: ProcwireError): void {
    if (link === undefined || this.link !== link) return;
    this.link = undefined;
    link.close();
    for (const handler of [...this.calls.values()]) handler(error);
  }
}
