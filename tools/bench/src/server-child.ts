/**
 * A server in its own process, so that client and server use separate cores (as in a deployment)
 * and the server's memory can be read on its own. Started by `ServerProcess` with one of
 * `raw-grpc`, `raw-ws`, `procwire-grpc`, `procwire-ws`, and `--tls CERT KEY` for the TLS variant.
 * Talks to its parent over IPC: sends `{ ready }`, answers `{ type: 'memory' }`, exits on `{ type: 'close' }`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import * as grpc from '@grpc/grpc-js';
import pty from 'node-pty';
import { WebSocketServer } from 'ws';
import { rawCatScript } from './echo-probe.js';
import { readMemoryAfterGc } from './memory.js';
import { benchToken, loadProcwire, type ServerHandle, serverHostOptions } from './procwire.js';
import { rawGrpcService, rawWebSocketHighWater, rawWebSocketPath } from './raw-wire.js';

interface Running {
  readonly port: number;
  readonly url?: string;
  readonly address?: string;
  close(): Promise<void>;
}

function tlsFromArgs(argv: readonly string[]): { cert: string; key: string } | undefined {
  const at = argv.indexOf('--tls');
  if (at < 0) return undefined;
  return { cert: readFileSync(argv[at + 1]!, 'utf8'), key: readFileSync(argv[at + 2]!, 'utf8') };
}

function spawnArgv(argvJson: string) {
  const argv = JSON.parse(argvJson) as string[];
  return spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
}

async function startRawGrpc(tls: { cert: string; key: string } | undefined): Promise<Running> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  server.addService(rawGrpcService, {
    readStdout(call: grpc.ServerWritableStream<Buffer, Buffer>) {
      const child = spawnArgv(call.request.toString());
      child.stdout.on('data', (chunk: Buffer) => {
        if (!call.write(chunk)) {
          child.stdout.pause();
          call.once('drain', () => child.stdout.resume());
        }
      });
      child.stdout.on('end', () => call.end());
      call.on('cancelled', () => child.kill('SIGKILL'));
    },
    relayTerminal(call: grpc.ServerDuplexStream<Buffer, Buffer>) {
      const terminal = spawnEchoTerminal();
      // `encoding: null`: node-pty hands over Buffers.
      terminal.onData((data: string | Buffer) => call.write(data as Buffer));
      call.on('data', (data: Buffer) => terminal.write(data));
      const kill = () => terminal.kill('SIGKILL');
      call.on('cancelled', kill);
      call.on('error', kill);
      call.on('end', kill);
      terminal.onExit(() => call.end());
    },
  });
  const credentials = tls
    ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }], false)
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    port,
    address: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

async function startRawWebSocket(tls: { cert: string; key: string } | undefined): Promise<Running> {
  const http: HttpServer = tls ? createHttpsServer(tls) : createHttpServer();
  const wss = new WebSocketServer({ server: http, path: rawWebSocketPath, perMessageDeflate: false });
  wss.on('connection', (socket, request) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.searchParams.has('echo')) {
      relayTerminal(socket);
      return;
    }
    const child = spawnArgv(url.searchParams.get('argv') ?? '["true"]');
    const resumeWhenDrained = () => {
      if (socket.bufferedAmount <= rawWebSocketHighWater) child.stdout.resume();
    };
    child.stdout.on('data', (chunk: Buffer) => {
      socket.send(chunk, { binary: true }, resumeWhenDrained);
      if (socket.bufferedAmount > rawWebSocketHighWater) child.stdout.pause();
    });
    child.stdout.on('end', () => socket.close(1000));
    socket.on('close', () => child.kill('SIGKILL'));
    socket.on('error', () => child.kill('SIGKILL'));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  if (address === null || typeof address === 'string') throw new Error('raw ws: no TCP address');
  return {
    port: address.port,
    url: `${tls ? 'wss' : 'ws'}://127.0.0.1:${address.port}${rawWebSocketPath}`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** The raw-mode `cat` of the echo scenario in a node-pty terminal, for the raw relays. */
function spawnEchoTerminal(): pty.IPty {
  return pty.spawn('sh', ['-c', rawCatScript], { cols: 80, rows: 24, name: 'xterm-256color', encoding: null });
}

/**
 * The echo baseline over `ws`: the terminal's output sent as binary frames and every frame received
 * written to it. What a bare Node relay costs.
 */
function relayTerminal(socket: import('ws').WebSocket): void {
  const terminal = spawnEchoTerminal();
  terminal.onData((data: string | Buffer) => socket.send(data, { binary: true }));
  socket.on('message', (data: Buffer) => terminal.write(data));
  const kill = () => terminal.kill('SIGKILL');
  socket.on('close', kill);
  socket.on('error', kill);
  terminal.onExit(() => socket.close(1000));
}

async function startProcwire(kind: 'grpc' | 'ws', tls: { cert: string; key: string } | undefined): Promise<Running> {
  const procwire = await loadProcwire();
  const serve = kind === 'grpc' ? procwire.serveGrpc : procwire.serveWebSocket;
  const serveName = kind === 'grpc' ? 'serveGrpc' : 'serveWebSocket';
  if (procwire.localTransport === undefined) throw new Error(procwire.missing['localTransport']);
  if (serve === undefined) throw new Error(procwire.missing[serveName]);
  // Room for the concurrency scenario: 500 processes, each with two output reads and a wait in flight.
  const limits =
    kind === 'grpc'
      ? { maxStreamsPerPrincipal: 4096, maxConcurrentStreamsPerConnection: 4096 }
      : { maxCallsPerConnection: 4096 };
  const options: Record<string, unknown> = { host: '127.0.0.1', port: 0, tokens: { [benchToken]: 'bench' }, limits };
  if (kind === 'ws') options['path'] = '/procwire';
  if (tls) options['tls'] = tls;
  const transport = procwire.localTransport(serverHostOptions());
  const handle: ServerHandle = await serve(transport, options);
  return {
    port: handle.port,
    ...(handle.url === undefined ? {} : { url: handle.url }),
    ...(handle.address === undefined ? {} : { address: handle.address }),
    close: async () => {
      await handle.close();
      await transport.close();
    },
  };
}

async function main(): Promise<void> {
  const [kind] = process.argv.slice(2);
  const tls = tlsFromArgs(process.argv);
  let running: Running;
  if (kind === 'raw-grpc') running = await startRawGrpc(tls);
  else if (kind === 'raw-ws') running = await startRawWebSocket(tls);
  else if (kind === 'procwire-grpc') running = await startProcwire('grpc', tls);
  else if (kind === 'procwire-ws') running = await startProcwire('ws', tls);
  else throw new Error(`server child: unknown kind ${JSON.stringify(kind)}`);
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'memory') process.send?.({ type: 'memory', memory: readMemoryAfterGc() });
    if (message.type === 'close') {
      void running.close().finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready', port: running.port, url: running.url, address: running.address });
}

if (process.send !== undefined) {
  main().catch((error: unknown) => {
    process.send?.({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  });
}
