// The suite tests itself against core's in-memory transport, with the fixtures as fake programs.
// A fake cannot have real process groups or a file system, so those cases are skipped (and named).
import { memoryTransport } from '@procwire/core';
import { describeTransportConformance, memoryCommands, memoryPrograms, withPrincipal } from '@procwire/conformance';

describeTransportConformance({
  name: 'memoryTransport',
  setup: () => {
    const transport = memoryTransport({ programs: memoryPrograms, baseEnv: { HOME: '/home/memory' } });
    return { transport, interrupt: () => transport.interrupt(), otherPrincipal: withPrincipal(transport, 'conformance-other') };
  },
  supports: { pty: true, signals: true, processGroups: false, resume: true, workingDirectory: false },
  commands: memoryCommands,
});
