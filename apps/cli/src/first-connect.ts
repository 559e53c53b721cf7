/**
 * A server that refuses the first connection fails the CLI fast (exit 255, one line), as ssh
 * does, instead of the quiet reconnecting meant for a connection lost later: the core's retries
 * are cut short until some call has succeeded once, `--wait-for-server` seconds after the start.
 */
import type { Transport } from '@procwire/core';
import { ProcwireError } from '@procwire/core';
import { CliError } from './cli-error.js';
import { type Connection, describeEndpoint } from './endpoint.js';
import { ExitCode } from './exit-codes.js';

/** Watches whether the host answered yet, and stops the retries of a first connection past its time. */
export class FirstConnect {
  private answered = false;
  private readonly startedAt = Date.now();

  constructor(private readonly connection: Connection) {}

  /** `transport`, with each answer of the calls a command starts with noted. */
  watch(transport: Transport): Transport {
    const noted = <T>(answer: Promise<T>): Promise<T> =>
      answer.then((value) => {
        this.answered = true;
        return value;
      });
    return {
      ...bindAll(transport),
      start: (request, options) => noted(transport.start(request, options)),
      get: (request, options) => noted(transport.get(request, options)),
      list: (options) => noted(transport.list(options)),
    };
  }

  /** The core's `onRetry`: throws (ending the retries) when the first connection took too long. */
  readonly onRetry = (error: unknown): void => {
    if (this.answered || Date.now() - this.startedAt < this.connection.firstConnectMs) return;
    const where = describeEndpoint(this.connection.endpoint);
    const waited = this.connection.firstConnectMs;
    const detail = ProcwireError.from(error).message.replace(/\s*\n\s*/g, ' ').replace(/\.? Resolution note:\s*$/, '');
    const message =
      waited === 0
        ? `cannot reach ${where}: ${detail} (--wait-for-server S keeps trying for S seconds)`
        : `cannot reach ${where}; gave up after ${waited / 1000} s: ${detail}`;
    throw new CliError(message, ExitCode.Unavailable);
  };
}

/** Every method of `transport`, bound to it (a class's methods are not own properties). */
function bindAll(transport: Transport): Transport {
  return {
    start: (request, options) => transport.start(request, options),
    readOutput: (request, options) => transport.readOutput(request, options),
    ackOutput: (request, options) => transport.ackOutput(request, options),
    writeInput: (request, options) => transport.writeInput(request, options),
    wait: (request, options) => transport.wait(request, options),
    poll: (request, options) => transport.poll(request, options),
    signal: (request, options) => transport.signal(request, options),
    resize: (request, options) => transport.resize(request, options),
    get: (request, options) => transport.get(request, options),
    list: (options) => transport.list(options),
    close: () => transport.close(),
  };
}
