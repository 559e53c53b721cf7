// The behaviour suite every transport passes, against the real host: real processes, real process
// groups, real terminals, principals. Only `resume` is skipped: a local host has no connection to cut.
// It runs three times, one per way pipe-mode processes start: posix_spawn (the default), a fork
// through child_process, and the spawn helper.
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
  name: 'localTransport({ vforkSpawn: false })',
  setup: () => {
    const transport = localTransport({ vforkSpawn: false });
    return { transport, otherPrincipal: withPrincipal(transport, 'other') };
  },
  supports,
});

describeTransportConformance({
  name: 'localTransport({ spawnHelper: true, vforkSpawn: false })',
  setup: () => {
    const transport = localTransport({ spawnHelper: true, vforkSpawn: false });
    return { transport, otherPrincipal: withPrincipal(transport, 'other') };
  },
  supports,
});
