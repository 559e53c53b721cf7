#!/usr/bin/env node
// Generates packages/grpc/src/gen/ from packages/grpc/proto/ with buf and the local ts-proto plugin,
// offline (no remote plugins, no registry). The output is committed; a test in packages/grpc
// regenerates into a temporary directory and fails when it differs.
//   node tools/scripts/generate-grpc.mjs              regenerate packages/grpc/src/gen
//   node tools/scripts/generate-grpc.mjs --out DIR    generate into DIR instead (drift check)
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('../../packages/grpc', import.meta.url));
const outFlag = process.argv.indexOf('--out');
const outDir = outFlag === -1 ? join(packageDir, 'src', 'gen') : resolve(process.argv[outFlag + 1] ?? '');
const bin = (name) => join(packageDir, 'node_modules', '.bin', name);

// Each option is one line of the ts-proto contract we rely on (see packages/grpc/README.md).
const tsProtoOptions = [
  'outputServices=grpc-js', // service definitions + clients for @grpc/grpc-js
  'esModuleInterop=true',
  'importSuffix=.js', // NodeNext ESM imports
  'env=node', // bytes are Buffer (no copies on the wire path)
  'useOptionals=messages', // message fields are `?:`, scalars have proto3 defaults
  'forceLong=number', // offsets are uint64; procwire keeps them below 2^53
  'enumsAsLiterals=true', // `as const` objects, no TypeScript enum
  'outputJsonMethods=false',
  'outputPartialMethods=false',
  'useDate=false',
];

const template = JSON.stringify({
  version: 'v2',
  plugins: [{ local: bin('protoc-gen-ts_proto'), out: outDir, opt: tsProtoOptions }],
});

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const result = spawnSync(bin('buf'), ['generate', 'proto', '--template', template], {
  cwd: packageDir,
  stdio: 'inherit',
  env: { ...process.env, BUF_CACHE_DIR: join(packageDir, 'node_modules', '.cache', 'buf') },
});
if (result.status !== 0) {
  console.error(`generate-grpc: buf generate failed (exit ${result.status ?? result.signal})`);
  process.exit(result.status || 1);
}
console.log(`generate-grpc: wrote ${outDir}`);
