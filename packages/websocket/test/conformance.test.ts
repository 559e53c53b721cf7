// End to end: core client -> websocketTransport -> fault proxy -> serveWebSocket -> localTransport(),
// pty cases included; `interrupt` cuts every connection at the proxy.
import { describeTransportConformance } from '@procwire/conformance';
import type { Transport } from '@procwire/core';
import { type FaultProxy, startFaultProxy } from '@procwire/fault-proxy';
import { localTransport } from '@procwire/local-pty';
import { serveWebSocket, type WebSocketServerHandle, websocketTransport } from '@procwire/websocket';

let host: Transport;
let server: WebSocketServerHandle;
let proxy: FaultProxy;

describeTransportConformance({
  name: 'websocket (websocketTransport -> serveWebSocket -> localTransport)',
  async setup(kit) {
    host = localTransport();
    server = await serveWebSocket(kit.observeHost(host), { host: '127.0.0.1', port: 0, tokens: { 'conformance-token': 'conformance', 'other-token': 'other' } });
    proxy = await startFaultProxy({ targetHost: '127.0.0.1', targetPort: server.port });
    const url = server.url.replace(`:${server.port}/`, `:${proxy.port}/`);
    return {
      transport: websocketTransport({ url, token: 'conformance-token' }),
      otherPrincipal: websocketTransport({ url, token: 'other-token' }),
      interrupt: () => void proxy.cutAll(),
    };
  },
  async teardown(target) {
    await target.transport.close();
    await target.otherPrincipal?.close();
    await proxy.close();
    await server.close();
    await host.close();
  },
});
