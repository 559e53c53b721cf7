// End to end: core client -> websocketTransport -> fault proxy -> serveWebSocket -> dockerTransport(),
// pty cases and resume included; `interrupt` cuts every connection at the proxy.
import { describeTransportConformance } from '@procwire/conformance';
import type { Transport } from '@procwire/core/transport';
import { dockerTransport } from '@procwire/docker';
import { type FaultProxy, startFaultProxy } from '@procwire/fault-proxy';
import { serveWebSocket, type WebSocketServerHandle, websocketTransport } from '@procwire/websocket';
import { busyboxCommands, removeTestContainer, startTestContainer, testDocker } from './engine.js';

const docker = testDocker();
const containerName = 'procwire-conformance-websocket';
let host: Transport;
let server: WebSocketServerHandle;
let proxy: FaultProxy;

describeTransportConformance({
  name: 'websocket (websocketTransport -> serveWebSocket -> dockerTransport)',
  async setup(kit) {
    host = dockerTransport({ container: await startTestContainer(docker, containerName), docker });
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
    await removeTestContainer(docker, containerName);
  },
  commands: busyboxCommands,
  timeoutScale: 3,
});
