// The behaviour suite every transport passes, against the real host: real processes, real process
// groups, real terminals, principals. Only `resume` is skipped: a local host has no connection to cut.
import { describeTransportConformance, withPrincipal } from '@procwire/conformance';
import { localTransport } from '@procwire/local-pty';

describeTransportConformance({
  name: 'localTransport',
  setup: () => {
    const transport = localTransport();
    return { transport, otherPrincipal: withPrincipal(transport, 'other') };
  },
  supports: { pty: true, signals: true, processGroups: true, resume: false, workingDirectory: true, principals: true },
});
