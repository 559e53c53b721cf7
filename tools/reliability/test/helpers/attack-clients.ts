/** Clients the attack tests use: a raw gRPC client (unary calls by hand) and a well-behaved client that counts. */
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { type Client, createClient } from '@procwire/core';
import { grpcTransport } from '@procwire/grpc';
import { procwireV1 } from '@procwire/grpc/generated';
import { websocketTransport } from '@procwire/websocket';

/** The generated grpc-js client and the metadata carrying a token. */
export function rawGrpcClient(address: string, token: string): { client: procwireV1.ProcwireClient; metadata: Metadata } {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  const client = new procwireV1.ProcwireClient(address, credentials.createInsecure(), {
    'grpc.max_send_message_length': -1,
  });
  return { client, metadata };
}

/** One unary call as a promise (rejects with the ServiceError). */
export function unary<Req, Res>(
  call: (request: Req, metadata: Metadata, callback: (error: ServiceError | null, response: Res) => void) => unknown,
  request: Req,
  metadata: Metadata,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    call(request, metadata, (error, response) => (error === null ? resolve(response) : reject(error)));
  });
}

/** A default gRPC StartRequest message for `argv`. */
export function grpcStart(processId: string, argv: string[], env: Record<string, string> = {}): procwireV1.StartRequest {
  return {
    processId,
    argv,
    cwd: '',
    env,
    envUnset: [],
    stdout: procwireV1.OutputMode.OUTPUT_MODE_PIPE,
    stderr: procwireV1.OutputMode.OUTPUT_MODE_PIPE,
    timeoutMs: 0,
  };
}

/**
 * A well-behaved client that runs `echo ok` again and again (over gRPC and WebSocket in turn)
 * while an attack runs, and counts what it got.
 */
export class GoodClient {
  readonly #clients: Client[];
  #running = true;
  #loop: Promise<void> | undefined;
  successes = 0;
  failures = 0;
  readonly errors: string[] = [];

  constructor(addresses: { readonly grpc: string; readonly websocket: string }, token: string) {
    this.#clients = [
      createClient(grpcTransport({ address: addresses.grpc, token }), { retryTimeoutMs: 5000 }),
      createClient(websocketTransport({ url: addresses.websocket, token }), { retryTimeoutMs: 5000 }),
    ];
  }

  /** Starts the loop (bounded by `stop()`). */
  start(): void {
    this.#loop = (async () => {
      for (let round = 0; this.#running; round++) {
        const client = this.#clients[round % this.#clients.length] as Client;
        try {
          const process = await client.exec(['echo', 'ok']);
          const output = await process.stdout.read();
          const code = await process.wait();
          if (code === 0 && output === 'ok\n') this.successes++;
          else {
            this.failures++;
            this.errors.push(`exit ${code}, output ${JSON.stringify(output)}`);
          }
        } catch (error) {
          this.failures++;
          this.errors.push(error instanceof Error ? error.message : String(error));
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
  }

  #stopped: Promise<void> | undefined;

  /** Stops the loop and closes the clients (once; later calls wait for the first). */
  stop(): Promise<void> {
    this.#running = false;
    this.#stopped ??= (async () => {
      await this.#loop;
      await Promise.all(this.#clients.map((client) => client.close()));
    })();
    return this.#stopped;
  }

  /** `successes/total` as text. */
  get rate(): string {
    const total = this.successes + this.failures;
    return `${this.successes}/${total} (${total === 0 ? 0 : ((100 * this.successes) / total).toFixed(1)}%)`;
  }
}
