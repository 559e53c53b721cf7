// Bundles the `procwire` binary into dist/bin: one file for the CLI itself, and one chunk per
// transport that it imports only when a URL's scheme asks for it, so `procwire exec -- true`
// loads a few hundred KiB of JavaScript instead of every package. Runs after tsc in `build`.
import { chmod, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/bin`;
const { version } = JSON.parse(await readFile(`${root}package.json`, 'utf8'));
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { procwire: `${root}src/main.ts` },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  // node-pty is native; @procwire/local-pty finds its spawn helper next to its own files.
  // ws loads these optional native helpers only when installed.
  external: ['@procwire/local-pty', 'node-pty', 'bufferutil', 'utf-8-validate'],
  // The bundled CommonJS packages (grpc-js) call require() for Node's modules.
  banner: { js: "import { createRequire as __procwireRequire } from 'node:module'; const require = __procwireRequire(import.meta.url);" },
  define: { PROCWIRE_CLI_VERSION: JSON.stringify(version) },
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
await chmod(`${outdir}/procwire.js`, 0o755);
