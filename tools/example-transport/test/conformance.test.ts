// The whole suite, every capability, end to end over 127.0.0.1:
// core client -> exampleTransport -> fault proxy -> serveExample -> localTransport().
import { describeTransportConformance, type FaultProxy, startFaultProxy } from '@procwire/conformance';
import type { Transport } from '@procwire/core/transport';
import { localTransport } from '@procwire/local-pty';
import { type ExampleServer, exampleTransport, serveExample } from '@procwire/example-transport';

let host: Transport;
let server: ExampleServer;
let proxy: FaultProxy;

describeTransportConformance({
  name: 'exampleTransport over node:net',
  setup: async (kit) => {
    host = localTransport();
    server = await serveExample(kit.observeHost(host), { tokens: { 'alice-token': 'alice', 'bob-token': 'bob' } });
    proxy = await startFaultProxy(server.address);
    return {
      transport: exampleTransport({ address: proxy.address, token: 'alice-token' }),
      otherPrincipal: exampleTransport({ address: server.address, token: 'bob-token' }),
      interrupt: () => void proxy.cutAll(),
    };
  },
  teardown: async ({ transport, otherPrincipal }) => {
    await transport.close();
    await otherPrincipal?.close();
    await proxy.close();
    await server.close();
    await host.close();
  },
});
