import { describeTransportConformance } from '@procwire/conformance';
import { type Stack, startStack } from './support/stack.js';

// End to end: core client -> grpcTransport -> fault proxy -> serveGrpc -> localTransport().
let stack: Stack;
describeTransportConformance({
  name: 'grpc (grpcTransport -> serveGrpc -> localTransport)',
  async setup(kit) {
    stack = await startStack({
      tokens: { 'conformance-token': 'conformance', 'other-token': 'other' },
      proxy: true,
      observe: (host) => kit.observeHost(host),
    });
    return {
      transport: stack.transport({ token: 'conformance-token' }),
      otherPrincipal: stack.transport({ token: 'other-token' }),
      interrupt: () => void stack.proxy!.cutAll(),
    };
  },
  teardown: () => stack.close(),
});
