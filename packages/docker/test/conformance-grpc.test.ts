// End to end: core client -> grpcTransport -> fault proxy -> serveGrpc -> dockerTransport(), pty
// cases and resume included; `interrupt` cuts every connection at the proxy.
import { describeTransportConformance } from '@procwire/conformance';
import type { Transport } from '@procwire/core/transport';
import { dockerTransport } from '@procwire/docker';
import { type FaultProxy, startFaultProxy } from '@procwire/fault-proxy';
import { grpcTransport } from '@procwire/grpc/client';
import { type GrpcServer, serveGrpc } from '@procwire/grpc/server';
import { busyboxCommands, removeTestContainer, startTestContainer, testDocker } from './engine.js';

const docker = testDocker();
const containerName = 'procwire-conformance-grpc';
let host: Transport;
let server: GrpcServer;
let proxy: FaultProxy;

describeTransportConformance({
  name: 'grpc (grpcTransport -> serveGrpc -> dockerTransport)',
  async setup(kit) {
    host = dockerTransport({ container: await startTestContainer(docker, containerName), docker });
    server = await serveGrpc(kit.observeHost(host), { host: '127.0.0.1', port: 0, tokens: { 'conformance-token': 'conformance', 'other-token': 'other' } });
    proxy = await startFaultProxy({ targetHost: '127.0.0.1', targetPort: server.port });
    return {
      transport: grpcTransport({ address: proxy.address, token: 'conformance-token' }),
      otherPrincipal: grpcTransport({ address: proxy.address, token: 'other-token' }),
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
