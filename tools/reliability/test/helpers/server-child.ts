/**
 * A procwire server in its own process (gRPC and WebSocket over one `localTransport()`), so a test
 * can read its memory on its own and kill it like a crash. Ports come from argv (`0` = any);
 * reports `{ type: 'ready', grpcPort, wsPort }` over IPC and answers `{ type: 'memory' }`.
 */
import { serveGrpc } from '@procwire/grpc';
import { localTransport } from '@procwire/local-pty';
import { serveWebSocket } from '@procwire/websocket';
import { reliabilityTokens } from './tokens.js';


async function main(): Promise<void> {
  const [grpcPort = '0', wsPort = '0', maxProcesses = '2000', retentionMs = '2000'] = process.argv.slice(2);
  const transport = localTransport({ maxProcesses: Number(maxProcesses), retentionMs: Number(retentionMs), killGraceMs: 500 });
  // The load test has 50 gRPC clients per principal, each with 4 processes in flight and a read and
  // a wait open for each: up to 400 long-lived calls per principal, past the default of 256 (which
  // rightly answers resource_exhausted). It tests loss and mix-ups under load, not that limit.
  const grpc = await serveGrpc(transport, {
    host: '127.0.0.1',
    port: Number(grpcPort),
    tokens: reliabilityTokens,
    limits: { maxStreamsPerPrincipal: 1024 },
  });
  const ws = await serveWebSocket(transport, {
    host: '127.0.0.1',
    port: Number(wsPort),
    path: '/procwire',
    tokens: reliabilityTokens,
  });
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (message: { type?: string }) => {
    if (message.type !== 'memory') return;
    gc?.();
    gc?.();
    const usage = process.memoryUsage();
    // The parent may have gone (a failed test); a reply nobody reads is not an error.
    if (process.connected) process.send?.({ type: 'memory', rss: usage.rss, heapUsed: usage.heapUsed }, undefined, {}, () => {});
  });
  process.on('disconnect', () => {
    void Promise.allSettled([grpc.close(), ws.close()])
      .then(() => transport.close())
      .finally(() => process.exit(0));
  });
  process.send?.({ type: 'ready', grpcPort: grpc.port, wsPort: ws.port });
}

if (process.send !== undefined) {
  main().catch((error: unknown) => {
    process.send?.({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  });
}
