/**
 * The server side of any message-based wire, once: a front turns decoded messages into calls on a
 * transport (the host it serves) and their outcomes into replies. It checks every request and
 * makes the host call (`callTransport`), sets the principal from the connection's token
 * (`TokenTable`), paces output by the client's credit, and bounds a connection's calls and aborts
 * them when it drops (`ConnectionCalls`): the same pieces the gRPC and WebSocket servers use. A
 * wire only encodes and decodes {@link FrontMessage} and {@link FrontReply}, and calls `close()` on
 * disconnect.
 */
import { ErrorCode, ProcwireError } from '../errors.js';
import { callTransport, readOutputRequestFrom, type TransportCallMethod } from './call-transport.js';
import { ConnectionCalls } from './connection-calls.js';
import type { CallOptions, OutputChunk, Transport } from './contract.js';
import { TokenTable } from './token-table.js';
import type { StartLimits } from './validate.js';
import { encodeWireError, type WireError } from './wire-errors.js';

/** The calls a client can make; `readOutput` streams, the rest answer once. */
export type FrontMethod =
  | 'start'
  | 'readOutput'
  | 'ackOutput'
  | 'writeInput'
  | 'wait'
  | 'poll'
  | 'signal'
  | 'resize'
  | 'get'
  | 'list';

/**
 * A message from the client. `id` names the call (unique among the connection's calls in flight:
 * reusing one cancels that call and answers `invalid_argument`). A call: `method` and `request`
 * (`readOutput` also `credit`: the bytes the server may send before the client grants more;
 * without it, one chunk per grant). `credit` alone grants a read more bytes; `cancel` abandons a
 * call, which answers `aborted` (`not_found` when no call has that id).
 */
export interface FrontMessage {
  readonly id: number;
  readonly method?: FrontMethod;
  readonly request?: unknown;
  readonly credit?: number;
  readonly cancel?: boolean;
}

/** A reply: a call's `result` (absent for `void`), its `error`, or a read's `chunk`s then `end`. */
export interface FrontReply {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: WireError;
  readonly chunk?: OutputChunk;
  readonly end?: true;
}

/** Options of {@link createTransportFront}. */
export interface TransportFrontOptions {
  /** Token -> principal. Without it every connection is the unauthenticated principal (`undefined`). */
  readonly tokens?: Readonly<Record<string, string>>;
  /** Calls one connection may have in flight; one more is `resource_exhausted`. Default 1024. */
  readonly maxCallsPerConnection?: number;
  /** Checks on `start` requests (`maxArgvBytes`, ...), as `validateStartRequest` takes them. */
  readonly startLimits?: StartLimits;
}

/** One client's connection to a front. */
export interface FrontConnection {
  /** The principal its token names. */
  readonly principal: string | undefined;
  /** Handle one decoded message; replies go to the `send` given to `connect`. Never throws. */
  receive(message: unknown): void;
  /** The connection dropped or ended: abort every host call it made. Idempotent. */
  close(): void;
}

/** Fronts one transport for any number of connections. */
export interface TransportFront {
  /**
   * A new connection. `send` delivers a reply; when it returns a promise, the read that sent a
   * chunk waits for it (the wire's own backpressure). Throws `unauthenticated` for a wrong token.
   */
  connect(token: string | undefined, send: (reply: FrontReply) => void | Promise<void>): FrontConnection;
}

/** A front for `transport` (see {@link TransportFront}). */
export function createTransportFront(transport: Transport, options: TransportFrontOptions = {}): TransportFront {
  const tokens = options.tokens === undefined ? undefined : new TokenTable(options.tokens);
  const maxCalls = options.maxCallsPerConnection ?? 1024;
  if (!Number.isSafeInteger(maxCalls) || maxCalls < 1) {
    throw new ProcwireError(ErrorCode.InvalidArgument, `maxCallsPerConnection must be an integer >= 1, got ${String(maxCalls)}`);
  }
  return {
    connect(token, send) {
      const principal = tokens?.principalOf(token);
      if (tokens !== undefined && principal === undefined) {
        throw new ProcwireError(ErrorCode.Unauthenticated, 'missing or unknown token');
      }
      return new Connection(transport, principal, send, new ConnectionCalls<FrontCall>(maxCalls), options.startLimits);
    },
  };
}

interface FrontCall {
  readonly controller: AbortController;
  grant(bytes: number): void;
}

class Connection implements FrontConnection {
  constructor(
    private readonly transport: Transport,
    readonly principal: string | undefined,
    private readonly send: (reply: FrontReply) => void | Promise<void>,
    private readonly calls: ConnectionCalls<FrontCall>,
    private readonly startLimits: StartLimits | undefined,
  ) {}

  receive(input: unknown): void {
    const message = input as FrontMessage;
    if (typeof message !== 'object' || message === null || !Number.isSafeInteger(message.id)) {
      this.reply({ id: -1, error: encodeWireError(new ProcwireError(ErrorCode.InvalidArgument, 'a message needs an integer id')) });
      return;
    }
    try {
      if (message.cancel === true) {
        this.reply({ id: message.id, error: encodeWireError(this.calls.cancel(message.id)) });
      } else if (message.method === undefined && typeof message.credit === 'number') {
        this.calls.get(message.id)?.grant(message.credit);
      } else {
        this.runCall(message);
      }
    } catch (error) {
      this.reply({ id: message.id, error: encodeWireError(error) });
    }
  }

  close(): void {
    this.calls.close();
  }

  private reply(reply: FrontReply): void {
    if (!this.calls.closed) void Promise.resolve(this.send(reply)).catch(() => this.close());
  }

  /** Tracks the call (throws for a reused id or past the bound) and runs it. */
  private runCall(message: FrontMessage): void {
    let credit = Math.max(0, Number(message.credit) || 0);
    let granted: (() => void) | undefined;
    const call: FrontCall = {
      controller: new AbortController(),
      grant: (bytes) => {
        credit += Math.max(0, Number(bytes) || 0);
        granted?.();
      },
    };
    this.calls.open(message.id, call);
    const { signal } = call.controller;
    const options: CallOptions = { signal, principal: this.principal };
    const run = async (): Promise<FrontReply> => {
      if (message.method === 'readOutput') {
        const request = readOutputRequestFrom(message.request);
        for await (const chunk of this.transport.readOutput(request, options)) {
          signal.throwIfAborted();
          await this.send({ id: message.id, chunk });
          credit -= chunk.data.byteLength;
          while (credit <= 0) await untilGranted(signal, (resolve) => (granted = resolve));
        }
        return { id: message.id, end: true };
      }
      const method = message.method as TransportCallMethod;
      const result = await callTransport(this.transport, method, message.request, options, this.startLimits);
      return result === undefined ? { id: message.id } : { id: message.id, result };
    };
    run().then(
      (reply) => {
        if (this.calls.finish(message.id, call)) this.reply(reply);
      },
      (error: unknown) => {
        if (this.calls.finish(message.id, call)) this.reply({ id: message.id, error: encodeWireError(error) });
      },
    );
  }
}

/** Resolves when the client grants more credit; rejects when the call is cancelled or the connection drops. */
function untilGranted(signal: AbortSignal, wait: (resolve: () => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => reject(signal.reason);
    if (signal.aborted) return aborted();
    signal.addEventListener('abort', aborted, { once: true });
    wait(() => {
      signal.removeEventListener('abort', aborted);
      resolve();
    });
  });
}
