/**
 * Every fixture twice, side by side so the two stay in step: `posix` is the argv for a real host
 * (`sh -c '...'` and coreutils), `memory` is the same behaviour as a `MemoryProgram` for core's
 * `memoryTransport`. `ConformanceCommands` (commands.ts) says what each must do.
 */
import type { MemoryProgram, MemoryProgramContext } from '@procwire/core';
import type { ConformanceCommands } from './commands.js';
import { invalidUtf8Bytes, linePieces, splitUtf8Pieces, unknownCommandName } from './fixture-data.js';
import { PatternStream } from './pattern.js';

type FixtureName = keyof ConformanceCommands;

interface Fixture<Name extends FixtureName> {
  readonly posix: ConformanceCommands[Name];
  /** argv[0] of the memory program; the other arguments are the method's, as strings. */
  readonly memoryName: string;
  /** `undefined` for `unknownCommand`, which must stay unknown. */
  readonly memory: MemoryProgram | undefined;
}

const encoder = new TextEncoder();
const PIECE_PAUSE_MS = 50;
const WRITE_CHUNK_BYTES = 64 * 1024;
/** The longest timer Node allows: "until killed" for a fake process. */
const RUN_UNTIL_KILLED_MS = 2_147_483_647;

/** `printf` with every byte as an octal escape, so any bytes pass through `sh` unchanged. */
function printfPieces(pieces: readonly Uint8Array[]): string[] {
  const printfs = pieces.map(
    (piece) => `printf '${Array.from(piece, (byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('')}'`,
  );
  return ['sh', '-c', printfs.join(`; sleep ${PIECE_PAUSE_MS / 1000}; `)];
}

/** Resolves after `ms`, or as soon as `signal` aborts (a killed fake process stops waiting). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

async function writePieces(context: MemoryProgramContext, pieces: readonly (string | Uint8Array)[]): Promise<number> {
  for (const [index, piece] of pieces.entries()) {
    if (index > 0) await pause(PIECE_PAUSE_MS, context.killed);
    await context.stdout.write(piece);
  }
  return 0;
}

/** stdin as lines (without their `\n`), for the fake programs that read lines. */
async function* stdinLines(context: MemoryProgramContext): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of context.stdin) {
    pending += decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      yield pending.slice(0, newline).replace(/\r$/, '');
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  }
  if (pending !== '') yield pending;
}

/** Fake children of `spawnGroup` in memory: alive until the parent's group is killed. */
const memoryChildren = new Map<string, { alive: boolean }>();
let nextMemoryPid = 900_000;

const fixtures: { readonly [Name in FixtureName]: Fixture<Name> } = {
  echoBoth: {
    posix: (stdout, stderr) => ['sh', '-c', 'printf "%s" "$1"; printf "%s" "$2" >&2', 'sh', stdout, stderr],
    memoryName: 'echo-both',
    memory: async ({ argv, stdout, stderr }) => {
      await stdout.write(argv[1] ?? '');
      await stderr.write(argv[2] ?? '');
      return 0;
    },
  },
  interleave: {
    posix: (count) => [
      'sh',
      '-c',
      'i=1; while [ "$i" -le "$1" ]; do echo "out $i"; echo "err $i" >&2; i=$((i + 1)); done',
      'sh',
      String(count),
    ],
    memoryName: 'interleave',
    memory: async ({ argv, stdout, stderr }) => {
      const count = Number(argv[1]);
      for (let i = 1; i <= count; i++) {
        await stdout.write(`out ${i}\n`);
        await stderr.write(`err ${i}\n`);
      }
      return 0;
    },
  },
  exitWith: {
    posix: (code) => ['sh', '-c', 'exit "$1"', 'sh', String(code)],
    memoryName: 'exit-with',
    memory: ({ argv }) => Number(argv[1]),
  },
  cat: {
    posix: () => ['cat'],
    memoryName: 'cat',
    memory: async ({ stdin, stdout }) => {
      for await (const chunk of stdin) await stdout.write(chunk);
      return 0;
    },
  },
  writeBytes: {
    // head stops seq with SIGPIPE once it has its bytes; the pipeline's status is head's (0).
    posix: (length) => ['sh', '-c', 'seq 1 999999999 | head -c "$1"', 'sh', String(length)],
    memoryName: 'write-bytes',
    memory: async ({ argv, stdout }) => {
      const pattern = new PatternStream();
      for (let left = Number(argv[1]); left > 0; left -= WRITE_CHUNK_BYTES) {
        await stdout.write(pattern.next(Math.min(left, WRITE_CHUNK_BYTES)));
      }
      return 0;
    },
  },
  writeSplitUtf8: {
    posix: () => printfPieces(splitUtf8Pieces),
    memoryName: 'write-split-utf8',
    memory: (context) => writePieces(context, splitUtf8Pieces),
  },
  writeInvalidUtf8: {
    posix: () => printfPieces([invalidUtf8Bytes]),
    memoryName: 'write-invalid-utf8',
    memory: (context) => writePieces(context, [invalidUtf8Bytes]),
  },
  writeLines: {
    posix: (finalNewline) => printfPieces(linePieces(finalNewline).map((piece) => encoder.encode(piece))),
    memoryName: 'write-lines',
    memory: (context) => writePieces(context, linePieces(context.argv[1] === 'true')),
  },
  sleep: {
    posix: (seconds) => ['sleep', String(seconds)],
    memoryName: 'sleep',
    memory: async ({ argv, killed }) => {
      await pause(Number(argv[1]) * 1000, killed);
      return 0;
    },
  },
  printEnv: {
    posix: (name) => ['sh', '-c', 'printenv "$1" || echo "<unset>"', 'sh', name],
    memoryName: 'print-env',
    memory: async ({ argv, env, stdout }) => {
      const value = env[argv[1] ?? ''];
      await stdout.write(`${value ?? '<unset>'}\n`);
      return 0;
    },
  },
  printCwd: {
    posix: () => ['sh', '-c', 'pwd -P'],
    memoryName: 'print-cwd',
    memory: async ({ cwd, stdout }) => {
      await stdout.write(`${cwd}\n`);
      return 0;
    },
  },
  ignoreTerm: {
    // An ignored signal stays ignored in children (the sleeps), so SIGTERM to the group ends nothing.
    posix: () => ['sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 1; done'],
    memoryName: 'ignore-term',
    memory: async ({ onSignal, stdout, killed }) => {
      onSignal(() => {});
      await stdout.write('ready\n');
      await pause(RUN_UNTIL_KILLED_MS, killed);
      return 0;
    },
  },
  spawnGroup: {
    posix: () => ['sh', '-c', 'sleep 60 & echo "$!"; wait'],
    memoryName: 'spawn-group',
    memory: async ({ stdout, killed }) => {
      const pid = String(nextMemoryPid++);
      const child = { alive: true };
      memoryChildren.set(pid, child);
      killed.addEventListener('abort', () => {
        child.alive = false;
      });
      await stdout.write(`${pid}\n`);
      await pause(60_000, killed);
      return 0;
    },
  },
  processAlive: {
    // kill -0 also succeeds on a zombie (an orphan nobody reaped yet), so look at its state too.
    posix: (pid) => [
      'sh',
      '-c',
      'kill -0 "$1" 2>/dev/null || exit 1; if [ -r "/proc/$1/stat" ]; then read -r _ _ state _ < "/proc/$1/stat"; [ "$state" != Z ] || exit 1; fi; exit 0',
      'sh',
      pid,
    ],
    memoryName: 'process-alive',
    memory: ({ argv }) => (memoryChildren.get(argv[1] ?? '')?.alive ? 0 : 1),
  },
  isatty: {
    posix: () => ['sh', '-c', 'if [ -t 0 ] && [ -t 1 ]; then echo tty; else echo notty; fi'],
    memoryName: 'isatty',
    memory: async ({ pty, stdout }) => {
      await stdout.write(pty === undefined ? 'notty\n' : 'tty\n');
      return 0;
    },
  },
  terminalSize: {
    posix: () => ['sh', '-c', 'stty size; while read -r line; do [ "$line" = exit ] && exit 0; stty size; done'],
    memoryName: 'terminal-size',
    memory: async (context) => {
      const printSize = () => context.stdout.write(`${context.size?.rows ?? 0} ${context.size?.cols ?? 0}\n`);
      await printSize();
      for await (const line of stdinLines(context)) {
        if (line === 'exit') return 0;
        await printSize();
      }
      return 0;
    },
  },
  unknownCommand: {
    posix: () => [unknownCommandName],
    memoryName: unknownCommandName,
    memory: undefined,
  },
};

/** The fixtures for a real POSIX host (Linux, macOS): `sh`, `cat`, `seq`, `head`, `printf`, `stty`, `sleep`, `printenv`. */
export const posixCommands: ConformanceCommands = Object.fromEntries(
  Object.entries(fixtures).map(([name, fixture]) => [name, fixture.posix]),
) as unknown as ConformanceCommands;

/** The fixtures as argv for `memoryTransport({ programs: memoryPrograms })`. */
export const memoryCommands: ConformanceCommands = Object.fromEntries(
  Object.entries(fixtures).map(([name, fixture]) => [
    name,
    (...args: unknown[]) => [fixture.memoryName, ...args.map((arg) => String(arg))],
  ]),
) as unknown as ConformanceCommands;

/** The fake programs behind {@link memoryCommands}, keyed by argv[0]: pass them to `memoryTransport({ programs })`. */
export const memoryPrograms: Readonly<Record<string, MemoryProgram>> = Object.fromEntries(
  Object.values(fixtures).flatMap((fixture) =>
    fixture.memory === undefined ? [] : [[fixture.memoryName, fixture.memory] as const],
  ),
);
