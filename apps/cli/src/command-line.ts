import { type ParseArgsConfig, parseArgs } from 'node:util';
import { usageError } from './cli-error.js';
import type { ConnectionFlags } from './endpoint.js';
import { normaliseSignal } from './signals.js';
import type { SignalName } from '@procwire/core';

/** The commands, in the order `--help` lists them. */
export const commandNames = ['exec', 'attach', 'ps', 'kill', 'wait'] as const;
/** One of {@link commandNames}. */
export type CommandName = (typeof commandNames)[number];

/** `procwire exec`: run a command and pass its exit code through. */
export interface ExecCommand {
  readonly name: 'exec';
  readonly connection: ConnectionFlags;
  /** `-i`: pipe local stdin to the process, then EOF. */
  readonly interactive: boolean;
  /** `-t`: run in a pseudo-terminal attached to the local one. */
  readonly tty: boolean;
  readonly cwd?: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutSeconds?: number;
  readonly argv: readonly string[];
}

/** `procwire attach ID`. */
export interface AttachCommand {
  readonly name: 'attach';
  readonly connection: ConnectionFlags;
  readonly processId: string;
  /** Show the output the server still keeps first (off with `--no-replay`). */
  readonly replay: boolean;
}

/** `procwire ps [--json]`. */
export interface PsCommand {
  readonly name: 'ps';
  readonly connection: ConnectionFlags;
  readonly json: boolean;
}

/** `procwire kill ID [SIGNAL]`. */
export interface KillCommand {
  readonly name: 'kill';
  readonly connection: ConnectionFlags;
  readonly processId: string;
  readonly signal: SignalName;
}

/** `procwire wait ID`. */
export interface WaitCommand {
  readonly name: 'wait';
  readonly connection: ConnectionFlags;
  readonly processId: string;
}

/** `--help` (of one command or of all) or `--version`. */
export type InfoCommand = { readonly name: 'help'; readonly topic?: CommandName } | { readonly name: 'version' };

/** What the command line asks for. */
export type Command = ExecCommand | AttachCommand | PsCommand | KillCommand | WaitCommand | InfoCommand;

type Options = NonNullable<ParseArgsConfig['options']>;

const connectionOptions = {
  url: { type: 'string' },
  token: { type: 'string' },
  'token-file': { type: 'string' },
  'give-up': { type: 'string' },
  'wait-for-server': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

const execOptions = {
  ...connectionOptions,
  interactive: { type: 'boolean', short: 'i' },
  tty: { type: 'boolean', short: 't' },
  cwd: { type: 'string' },
  env: { type: 'string', short: 'e', multiple: true },
  timeout: { type: 'string' },
} as const satisfies Options;

const attachOptions = { ...connectionOptions, 'no-replay': { type: 'boolean' } } as const satisfies Options;

const psOptions = { ...connectionOptions, json: { type: 'boolean' } } as const satisfies Options;

/**
 * Parse `procwire`'s arguments (without `node` and the script). Throws a usage `CliError` naming
 * the bad flag or argument. `env` supplies values for `-e NAME` without `=`.
 */
export function parseCommandLine(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): Command {
  const [first, ...rest] = args;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic !== undefined && !isCommandName(topic)) throw usageError(`unknown command '${topic}'`);
    return topic === undefined ? { name: 'help' } : { name: 'help', topic };
  }
  if (first === '--version' || first === '-V') return { name: 'version' };
  if (!isCommandName(first)) {
    if (first.startsWith('-')) throw usageError(`unknown option '${first}' before the command`);
    throw usageError(`unknown command '${first}'`);
  }
  switch (first) {
    case 'exec':
      return parseExec(rest, env);
    case 'ps': {
      const { values, positionals } = parse(first, rest, psOptions);
      if (values.help) return { name: 'help', topic: first };
      expectPositionals(first, positionals, 0, 0);
      return { name: 'ps', connection: connectionFlags(first, values), json: values.json === true };
    }
    case 'attach': {
      const { values, positionals } = parse(first, rest, attachOptions);
      if (values.help) return { name: 'help', topic: first };
      expectPositionals(first, positionals, 1, 1);
      return {
        name: 'attach',
        connection: connectionFlags(first, values),
        processId: positionals[0]!,
        replay: values['no-replay'] !== true,
      };
    }
    case 'wait': {
      const { values, positionals } = parse(first, rest, connectionOptions);
      if (values.help) return { name: 'help', topic: first };
      expectPositionals(first, positionals, 1, 1);
      return { name: first, connection: connectionFlags(first, values), processId: positionals[0]! };
    }
    case 'kill': {
      const { values, positionals } = parse(first, rest, connectionOptions);
      if (values.help) return { name: 'help', topic: first };
      expectPositionals(first, positionals, 1, 2);
      const signal = normaliseSignal(positionals[1] ?? 'SIGTERM');
      if (signal === undefined) throw usageError(`unknown signal '${positionals[1]}'`, first);
      return { name: 'kill', connection: connectionFlags(first, values), processId: positionals[0]!, signal };
    }
  }
}

function isCommandName(value: string): value is CommandName {
  return (commandNames as readonly string[]).includes(value);
}

function parse<T extends Options>(command: CommandName, args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(parseArgsMessage(error), command);
  }
}

/** node's parseArgs messages are long and mention internals; keep the part that names the flag. */
function parseArgsMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option '${unknown[1]}'`;
  const missing = /Option '([^']+)' argument missing/.exec(message);
  if (missing) return `option '${missing[1]?.replace(/^-\w, /, '').replace(/ <value>$/, '')}' needs a value`;
  return message.split('\n')[0] ?? message;
}

function expectPositionals(command: CommandName, positionals: readonly string[], min: number, max: number): void {
  if (positionals.length < min) throw usageError(`missing the process id`, command);
  if (positionals.length > max) throw usageError(`unexpected argument '${positionals[max]}'`, command);
}

function connectionFlags(
  command: CommandName,
  values: { url?: string; token?: string; 'token-file'?: string; 'give-up'?: string; 'wait-for-server'?: string },
): ConnectionFlags {
  const giveUpSeconds = values['give-up'] === undefined ? undefined : seconds(command, '--give-up', values['give-up']);
  const waitForServer = values['wait-for-server'];
  const waitForServerSeconds = waitForServer === undefined ? undefined : seconds(command, '--wait-for-server', waitForServer);
  return {
    ...(values.url === undefined ? {} : { url: values.url }),
    ...(values.token === undefined ? {} : { token: values.token }),
    ...(values['token-file'] === undefined ? {} : { tokenFile: values['token-file'] }),
    ...(giveUpSeconds === undefined ? {} : { giveUpSeconds }),
    ...(waitForServerSeconds === undefined ? {} : { waitForServerSeconds }),
  };
}

function seconds(command: CommandName, flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw usageError(`${flag} takes a positive number of seconds, not '${text}'`, command);
  }
  return value;
}

// exec's options stop at the command: `procwire exec -i sort -r` runs `sort -r`.
const execValueOptions = new Set(['--url', '--token', '--token-file', '--give-up', '--wait-for-server', '--cwd', '--env', '-e', '--timeout']);

/** Split exec's arguments into its own options and the command (at `--` or the first word). */
function splitExecArgs(args: readonly string[]): { options: string[]; argv: string[] } {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--') return { options: args.slice(0, index), argv: args.slice(index + 1) };
    if (!arg.startsWith('-') || arg === '-') return { options: args.slice(0, index), argv: args.slice(index) };
    if (arg.startsWith('--') ? execValueOptions.has(arg) : shortGroupTakesNext(arg)) index++;
  }
  return { options: [...args], argv: [] };
}

/** In a short group such as `-ie`, `-e` takes the rest of the word, or the next word when none is left. */
function shortGroupTakesNext(arg: string): boolean {
  const at = arg.indexOf('e', 1);
  return at === arg.length - 1;
}

function parseExec(args: readonly string[], env: Readonly<Record<string, string | undefined>>): Command {
  const split = splitExecArgs(args);
  const { values, positionals } = parse('exec', split.options, execOptions);
  if (values.help) return { name: 'help', topic: 'exec' };
  if (positionals.length > 0) throw usageError(`unexpected argument '${positionals[0]}'`, 'exec');
  if (split.argv.length === 0) throw usageError('missing the command to run', 'exec');
  const variables: Record<string, string> = {};
  for (const entry of values.env ?? []) {
    const equals = entry.indexOf('=');
    const name = equals === -1 ? entry : entry.slice(0, equals);
    if (name === '' || name.includes('\0')) throw usageError(`bad -e '${entry}': expected NAME=VALUE or NAME`, 'exec');
    // `-e NAME` passes this shell's value through, as docker does; an unset NAME is skipped.
    const value = equals === -1 ? env[name] : entry.slice(equals + 1);
    if (value !== undefined) variables[name] = value;
  }
  const timeoutSeconds = values.timeout === undefined ? undefined : seconds('exec', '--timeout', values.timeout);
  return {
    name: 'exec',
    connection: connectionFlags('exec', values),
    interactive: values.interactive === true,
    tty: values.tty === true,
    ...(values.cwd === undefined ? {} : { cwd: values.cwd }),
    env: variables,
    ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
    argv: split.argv,
  };
}
