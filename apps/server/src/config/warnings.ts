/** Start-up warnings: configurations that run, but put principals or tokens at risk. */
import type { ServerConfig } from './server-config.js';

/** One line per risk in `config`, for stderr and the log; empty when there is none. */
export function configWarnings(config: ServerConfig, userId: number | undefined = process.getuid?.()): string[] {
  const warnings: string[] = [];
  const principals = new Set(Object.values(config.tokens)).size;
  if (config.isolation === 'none' && principals > 1) {
    const who = userId === 0 ? 'root' : 'the server\'s user';
    warnings.push(
      `--isolation none with ${principals} principals: all their processes run as ${who}, so each can read and signal the others' processes (see docs/SECURITY.md; --isolation uid keeps them apart)`,
    );
  }
  if (config.tls === undefined && config.allowPlaintext) {
    const open = [config.grpcListen, config.httpListen].filter((address) => !isLoopback(address.host));
    if (open.length > 0) {
      warnings.push(
        `--allow-plaintext: listening on ${open.map((address) => address.host).join(', ')} without TLS: tokens and every byte of every process cross the network in clear`,
      );
    }
  }
  return warnings;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
