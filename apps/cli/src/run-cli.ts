import { readFileSync } from 'node:fs';
import { CliError } from './cli-error.js';
import { parseCommandLine } from './command-line.js';
import { runAttach } from './commands/attach.js';
import { runExec } from './commands/exec.js';
import { runKill } from './commands/kill.js';
import { runPs } from './commands/ps.js';
import { runWait } from './commands/wait.js';
import { ExitCode } from './exit-codes.js';
import { helpText } from './help.js';

/**
 * Run the CLI with these arguments (without `node` and the script) and resolve with the exit code.
 * Every failure becomes one line on stderr, `procwire: ...`, and a distinct exit code.
 */
export async function runCli(args: readonly string[]): Promise<number> {
  try {
    const command = parseCommandLine(args, process.env);
    switch (command.name) {
      case 'help':
        process.stdout.write(helpText(command.topic));
        return ExitCode.Success;
      case 'version':
        process.stdout.write(`procwire ${packageVersion()}\n`);
        return ExitCode.Success;
      case 'exec':
        return await runExec(command);
      case 'attach':
        return await runAttach(command);
      case 'ps':
        return await runPs(command);
      case 'kill':
        return await runKill(command);
      case 'wait':
        return await runWait(command);
    }
  } catch (error) {
    const failure =
      error instanceof CliError
        ? error
        : new CliError(`internal error: ${error instanceof Error ? error.message : String(error)}`, ExitCode.ServerError);
    process.stderr.write(`procwire: ${failure.message}\n`);
    return failure.exitCode;
  }
}

/** Set by the bundler (scripts/bundle-cli.mjs); the unbundled build reads package.json. */
declare const PROCWIRE_CLI_VERSION: string | undefined;

function packageVersion(): string {
  if (typeof PROCWIRE_CLI_VERSION === 'string') return PROCWIRE_CLI_VERSION;
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return manifest.version ?? 'unknown';
}
