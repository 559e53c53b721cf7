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
  const grpc = await serveGrpc(transport, { host: '127.0.0.1', port: Number(grpcPort), tokens: reliabilityTokens });
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
