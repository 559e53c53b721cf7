// The behaviour suite every transport passes, against the real host: real processes, real process
// groups, real terminals. Only `resume` is skipped: a local host has no connection to cut.
import { describeTransportConformance } from '@procwire/conformance';
import { localTransport } from '@procwire/local-pty';

describeTransportConformance({
  name: 'localTransport',
  setup: () => ({ transport: localTransport() }),
  supports: { pty: true, signals: true, processGroups: true, resume: false, workingDirectory: true },
});
