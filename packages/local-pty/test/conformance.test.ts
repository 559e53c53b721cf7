// The behaviour suite every transport passes, against the real host: real processes, real process
// groups, real terminals, principals. Only `resume` is skipped: a local host has no connection to cut.
// It runs twice: pipe-mode processes spawned in this process, and through the spawn helper.
import { describeTransportConformance, withPrincipal } from '@procwire/conformance';
import { localTransport } from '@procwire/local-pty';

const supports = { pty: true, signals: true, processGroups: true, resume: false, workingDirectory: true, principals: true };

describeTransportConformance({
  name: 'localTransport',
  setup: () => {
    const transport = localTransport();
    return { transport, otherPrincipal: withPrincipal(transport, 'other') };
  },
  supports,
});

describeTransportConformance({
  name: 'localTransport({ spawnHelper: true })',
  setup: () => {
    const transport = localTransport({ spawnHelper: true });
    return { transport, otherPrincipal: withPrincipal(transport, 'other') };
  },
  supports,
});
