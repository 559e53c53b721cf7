/**
 * The server side of any message-based wire, once: a front turns decoded messages into calls on a
 * transport (the host it serves) and their outcomes into replies. It checks every request, sets
 * the principal from the connection's token, paces output by the client's credit, bounds the
 * calls a connection may hold, and aborts a connection's host calls when it drops. A wire only
 * encodes and decodes {@link FrontMessage} and {@link FrontReply}, and calls `close()` on disconnect.
 */
import { ErrorCode, ProcwireError } from '../errors.js';
import type { CallOptions, OutputChunk, StartRequest, Transport } from './contract.js';
import {
  type StartLimits,
  validateFd,
  validateOffset,
  validateProcessId,
  validateSignalName,
  validateStartRequest,
  validateTerminalSize,
} from './validate.js';
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
 * A message from the client. `id` names the call (unique among the connection's calls in flight).
 * A call: `method` and `request` (`readOutput` also `credit`: the bytes the server may send before
 * the client grants more; without it, one chunk per grant). `credit` alone grants a read more
 * bytes; `cancel` abandons a call.
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
  const tokens = options.tokens === undefined ? undefined : Object.entries(options.tokens);
  return {
    connect(token, send) {
      const principal = tokens === undefined ? undefined : principalOf(tokens, token);
      return new Connection(transport, principal, send, options);
    },
  };
}

/** Every token compared in full (no early exit), so the time taken says nothing about them. */
function principalOf(tokens: ReadonlyArray<readonly [string, string]>, token: string | undefined): string {
  let found: string | undefined;
  for (const [candidate, principal] of tokens) {
    if (sameText(candidate, token ?? '') && token !== undefined) found = principal;
  }
  if (found === undefined) throw new ProcwireError(ErrorCode.Unauthenticated, 'missing or unknown token');
  return found;
}

function sameText(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i % Math.max(b.length, 1));
  return difference === 0;
}

interface Call {
  readonly controller: AbortController;
  grant(bytes: number): void;
}

class Connection implements FrontConnection {
  private readonly calls = new Map<number, Call>();
  private readonly dropped = new AbortController();
  private readonly maxCalls: number;

  constructor(
    private readonly transport: Transport,
    readonly principal: string | undefined,
    private readonly send: (reply: FrontReply) => void | Promise<void>,
    private readonly options: TransportFrontOptions,
  ) {
    this.maxCalls = options.maxCallsPerConnection ?? 1024;
  }

  receive(input: unknown): void {
    const message = input as FrontMessage;
    if (typeof message !== 'object' || message === null || !Number.isSafeInteger(message.id)) {
      this.reply({ id: -1, error: invalid('a message needs an integer id') });
      return;
    }
    const existing = this.calls.get(message.id);
    if (message.cancel === true) existing?.controller.abort();
    else if (message.method === undefined && typeof message.credit === 'number') existing?.grant(message.credit);
    else if (existing !== undefined) this.reply({ id: message.id, error: invalid(`call ${message.id} is already in flight`) });
    else if (this.calls.size >= this.maxCalls) {
      const error = new ProcwireError(ErrorCode.ResourceExhausted, `too many calls in flight on one connection: the limit is ${this.maxCalls}`);
      this.reply({ id: message.id, error: encodeWireError(error) });
    } else if (!this.dropped.signal.aborted) void this.run(message);
  }

  close(): void {
    this.dropped.abort(new ProcwireError(ErrorCode.Unavailable, 'the connection was closed'));
  }

  private reply(reply: FrontReply): void {
    if (!this.dropped.signal.aborted) void Promise.resolve(this.send(reply)).catch(() => this.close());
  }

  private async run(message: FrontMessage): Promise<void> {
    const controller = new AbortController();
    const abort = () => controller.abort(this.dropped.signal.reason);
    this.dropped.signal.addEventListener('abort', abort, { once: true });
    let credit = Math.max(0, Number(message.credit) || 0);
    let granted: (() => void) | undefined;
    this.calls.set(message.id, {
      controller,
      grant: (bytes) => {
        credit += Math.max(0, Number(bytes) || 0);
        granted?.();
      },
    });
    const options: CallOptions = { signal: controller.signal, principal: this.principal };
    try {
      if (message.method === 'readOutput') {
        const request = readRequest(message.request);
        for await (const chunk of this.transport.readOutput(request, options)) {
          await this.deliver({ id: message.id, chunk });
          credit -= chunk.data.byteLength;
          while (credit <= 0) await untilGranted(controller.signal, (resolve) => (granted = resolve));
        }
        await this.deliver({ id: message.id, end: true });
      } else {
        const result = await this.dispatch(message.method, message.request, options);
        await this.deliver(result === undefined ? { id: message.id } : { id: message.id, result });
      }
    } catch (error) {
      this.reply({ id: message.id, error: encodeWireError(error) });
    } finally {
      granted = undefined;
      this.calls.delete(message.id);
      this.dropped.signal.removeEventListener('abort', abort);
    }
  }

  private async deliver(reply: FrontReply): Promise<void> {
    this.dropped.signal.throwIfAborted();
    await this.send(reply);
  }

  private dispatch(method: FrontMethod | undefined, input: unknown, options: CallOptions): Promise<unknown> {
    const transport = this.transport;
    const request = objectOf(input, method);
    switch (method) {
      case 'start': {
        const start = { ...request, env: envFromJson(request['env']) } as unknown as StartRequest;
        validateStartRequest(start, this.options.startLimits);
        return transport.start(start, options);
      }
      case 'ackOutput':
        return transport.ackOutput(readRequest(request), options);
      case 'writeInput': {
        validateProcessId(request['processId']);
        validateOffset(request['offset']);
        if (!(request['data'] instanceof Uint8Array)) throw invalidError('writeInput data must be bytes (a Uint8Array)');
        if (typeof request['eof'] !== 'boolean') throw invalidError('writeInput eof must be a boolean');
        const { processId, offset, data, eof } = request as { processId: string; offset: number; data: Uint8Array; eof: boolean };
        return transport.writeInput({ processId, offset, data, eof }, options);
      }
      case 'wait':
      case 'poll':
      case 'get':
        validateProcessId(request['processId']);
        return transport[method]({ processId: request['processId'] }, options);
      case 'signal':
        validateProcessId(request['processId']);
        validateSignalName(request['signal']);
        return transport.signal({ processId: request['processId'], signal: request['signal'] }, options);
      case 'resize':
        validateProcessId(request['processId']);
        validateTerminalSize(request['size']);
        return transport.resize({ processId: request['processId'], size: request['size'] }, options);
      case 'list':
        return transport.list(options);
      default:
        throw invalidError(`unknown method ${JSON.stringify(method)}`);
    }
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

/** JSON has no `undefined`: an env key to remove arrives as `null`. */
function envFromJson(env: unknown): unknown {
  if (typeof env !== 'object' || env === null) return env;
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === null ? undefined : value]));
}

function objectOf(input: unknown, method: unknown): Record<string, unknown> {
  if (method === 'list') return {};
  if (typeof input !== 'object' || input === null) throw invalidError(`the ${String(method)} request must be an object`);
  return input as Record<string, unknown>;
}

function readRequest(input: unknown): { processId: string; fd: 1 | 2; offset: number } {
  const request = objectOf(input, 'output');
  validateProcessId(request['processId']);
  validateFd(request['fd']);
  validateOffset(request['offset']);
  return { processId: request['processId'], fd: request['fd'], offset: request['offset'] };
}

function invalidError(message: string): ProcwireError {
  return new ProcwireError(ErrorCode.InvalidArgument, message);
}

function invalid(message: string): WireError {
  return encodeWireError(invalidError(message));
}
