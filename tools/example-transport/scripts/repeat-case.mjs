// Runs one conformance case N times through the worked example (exampleTransport -> fault proxy ->
// serveExample -> localTransport()) and prints how many failed, with each failure's message.
// Usage: node scripts/repeat-case.mjs [runs] [case name]   (after `nx run-many -t build`)
import { runConformanceCase, startFaultProxy } from '@procwire/conformance';
import { localTransport } from '@procwire/local-pty';
import { exampleTransport, serveExample } from '@procwire/example-transport';

const runs = Number(process.argv[2] ?? 100);
const caseName = process.argv[3] ?? 'slow consumer: nothing is lost and the host retains at most its window';
let failures = 0;
for (let run = 1; run <= runs; run++) {
  let server;
  let proxy;
  let host;
  try {
    await runConformanceCase(caseName, {
      setup: async (kit) => {
        host = localTransport();
        server = await serveExample(kit.observeHost(host));
        proxy = await startFaultProxy(server.address);
        return { transport: exampleTransport({ address: proxy.address }), interrupt: () => void proxy.cutAll() };
      },
      teardown: async ({ transport }) => {
        await transport.close();
        await proxy.close();
        await server.close();
        await host.close();
      },
    });
  } catch (error) {
    failures++;
    console.log(`run ${run}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
console.log(`${caseName}: ${runs - failures} of ${runs} runs passed`);
process.exitCode = failures === 0 ? 0 : 1;
