/**
 * The page script of the Chromium test, bundled by esbuild for the browser: it resolves
 * `@procwire/websocket/client` to the browser build (global WebSocket, no Node imports).
 */
import { createClient } from '@procwire/core';
import { websocketTransport } from '@procwire/websocket/client';

/** What the page reports back to the test. */
export interface PageRunResult {
  readonly stdout: string;
  readonly exitCode: number;
  readonly echoed: string;
}

async function runProcwire(url: string, token: string): Promise<PageRunResult> {
  const client = createClient(websocketTransport({ url, token }));
  try {
    const p = await client.exec(['sh', '-c', 'echo "from the browser: $0"; exit 5', 'chromium']);
    const stdout = await p.stdout.read();
    const exitCode = await p.wait();
    const cat = await client.exec(['cat']);
    cat.stdin.write('typed in a page');
    cat.stdin.writeEof();
    const echoed = await cat.stdout.read();
    await cat.wait();
    return { stdout, exitCode, echoed };
  } finally {
    await client.close();
  }
}

(globalThis as unknown as { runProcwire: typeof runProcwire }).runProcwire = runProcwire;
