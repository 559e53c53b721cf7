/**
 * What one echoed keystroke allocates, client and server together: a procwire server (local host,
 * gRPC or WebSocket) and its client in ONE process, V8's sampling heap profiler on (counting the
 * objects the young and old collections freed too), `--samples` round trips after `--warmup`
 * more. Prints the bytes per echo, then by package (a frame of Node or a library is counted to
 * the nearest procwire package below it on the stack) and the heaviest allocation sites. Garbage
 * per keystroke is what sets how often a session stops for a collection. A diagnostic beside the
 * echo-latency rows.
 *
 *   node tools/bench/dist/echo-allocations.js [--transport ws|grpc] [--samples 5000] [--warmup 6000] [--sites 25]
 */
import { Session } from 'node:inspector/promises';
import { benchToken, loadProcwire, serverHostOptions } from './procwire.js';
import { openEchoTerminal } from './procwire-ops.js';

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

interface ProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}

/** `packages/core/dist/client/...` -> `core/client`; tools and libraries by name; else undefined. */
function packageOf(url: string): string | undefined {
  const own = /packages\/([a-z-]+)\/dist\/([a-z-]+)/.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  const library = /node_modules\/((?:@[a-z-]+\/)?[a-z-]+)\//.exec(url);
  if (library) return library[1];
  return /tools\/bench\//.test(url) ? 'bench' : undefined;
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
}

async function main(): Promise<void> {
  const overGrpc = flag('transport', 'ws') === 'grpc';
  const samples = Number(flag('samples', '5000'));
  const warmup = Number(flag('warmup', '6000'));
  const siteCount = Number(flag('sites', '25'));
  const procwire = await loadProcwire();
  const transport = procwire.localTransport!(serverHostOptions());
  const options: Record<string, unknown> = { host: '127.0.0.1', port: 0, tokens: { [benchToken]: 'bench' } };
  const server = overGrpc ? await procwire.serveGrpc!(transport, options) : await procwire.serveWebSocket!(transport, options);
  const client = procwire.createClient!(
    overGrpc
      ? procwire.grpcTransport!({ address: server.address, token: benchToken })
      : procwire.websocketTransport!({ url: server.url, token: benchToken }),
  );
  const terminal = await openEchoTerminal(client);
  const { probe, send } = terminal;
  await probe.whenReady();
  for (let i = 0; i < warmup; i++) await probe.roundTrip(send, 0x61 + (i % 26));

  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 256,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  for (let i = 0; i < samples; i++) await probe.roundTrip(send, 0x61 + (i % 26));
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };
  session.disconnect();

  let total = 0;
  const byPackage = new Map<string, number>();
  const bySite = new Map<string, number>();
  const visit = (node: ProfileNode, owner: string, caller: string) => {
    const here = packageOf(node.callFrame.url);
    // A procwire package owns what it calls into (Node's streams, ws, grpc-js).
    const current = here !== undefined && (here.includes('/') || owner === 'other') ? here : owner;
    if (node.selfSize > 0) {
      total += node.selfSize;
      byPackage.set(current, (byPackage.get(current) ?? 0) + node.selfSize);
      const site = `${frameName(node)}  <-  ${caller}`;
      bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    }
    for (const child of node.children) visit(child, current, frameName(node));
  };
  visit(profile.head, 'other', '');
  const perEcho = (bytes: number) => `${(bytes / samples).toFixed(0).padStart(6)} B`;
  console.log(`echo-allocations: ${overGrpc ? 'grpc' : 'ws'}, ${samples} round trips after ${warmup}; bytes allocated per echo (client and server)`);
  console.log(`${perEcho(total)}  total`);
  for (const [name, bytes] of [...byPackage].sort((a, b) => b[1] - a[1])) console.log(`${perEcho(bytes)}  ${name}`);
  console.log('heaviest sites:');
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, siteCount)) console.log(`${perEcho(bytes)}  ${site}`);

  await terminal.close();
  await client.close();
  await server.close();
  await transport.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
