// Bundles the web terminal (src/web) with xterm.js and the browser WebSocket client into
// dist/public, next to the static page. Runs after tsc in `build`.
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/public`;
await mkdir(outdir, { recursive: true });
await build({
  entryPoints: { terminal: `${root}src/web/terminal-page.ts` },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome110', 'firefox110', 'safari16'],
  conditions: ['browser'],
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  outdir,
  logLevel: 'warning',
});
await copyFile(`${root}src/web/index.html`, `${outdir}/index.html`);
await copyFile(`${root}src/web/favicon.ico`, `${outdir}/favicon.ico`);
await copyFile(`${root}node_modules/@xterm/xterm/css/xterm.css`, `${outdir}/xterm.css`);
