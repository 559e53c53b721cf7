/** Two principals and their tokens, and a tokens file holding them. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const aliceToken = 'alice-secret-token-4f1c9a7e2b';
export const bobToken = 'bob-secret-token-93d0c6e8a1f';

/** Writes a tokens file for alice and bob into a fresh temp dir; returns its path. */
export function writeTokensFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'procwire-server-test-'));
  const file = join(dir, 'tokens');
  writeFileSync(file, `# test principals\n${aliceToken} alice\n${bobToken} bob\n`);
  return file;
}
