// The behaviour suite, directly over dockerTransport() against the private engine's container.
// Only `resume` is skipped: a host transport has no connection to cut.
import { describeTransportConformance, withPrincipal } from '@procwire/conformance';
import { dockerTransport } from '@procwire/docker';
import { busyboxCommands, removeTestContainer, startTestContainer, testDocker } from './engine.js';

const docker = testDocker();
describeTransportConformance({
  name: 'dockerTransport',
  async setup() {
    const container = await startTestContainer(docker, 'procwire-conformance-direct');
    const transport = dockerTransport({ container, docker });
    return { transport, otherPrincipal: withPrincipal(transport, 'other'), container };
  },
  async teardown(target) {
    await target.transport.close();
    await removeTestContainer(docker, target.container);
  },
  supports: { resume: false },
  commands: busyboxCommands,
  timeoutScale: 3,
});
