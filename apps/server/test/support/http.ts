/** A tiny GET for the HTTP endpoints. */
import { request } from 'node:http';

/** GETs `url`; resolves with the status, content type and body. */
export function httpGet(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          type: String(response.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** The value of one sample line of Prometheus text (`name{labels} value`), or 0 when absent. */
export function metricValue(text: string, sample: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${sample} `)) return Number(line.slice(sample.length + 1));
  }
  return 0;
}

/**
 * Fetches `/metrics` until `settled(text)` holds (exit counters move when the host's own wait
 * returns, a moment apart from the client's), or 10 s pass; returns the last text.
 */
export async function settledMetrics(baseUrl: string, settled: (text: string) => boolean): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = (await httpGet(`${baseUrl}/metrics`)).body;
    if (settled(text) || Date.now() > deadline) return text;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
