import type { CommandName } from './command-line.js';
import { exitCodeTable } from './exit-codes.js';

const connectionHelp = `Connection (every command):
  --url URL           where processes run: grpc://HOST:PORT, grpcs://HOST:PORT,
                      ws://HOST:PORT[/PATH], wss://HOST:PORT[/PATH] (default path /procwire);
                      none: this host (env PROCWIRE_URL)
  --token T           token for the server (env PROCWIRE_TOKEN); never printed
  --token-file F      read the token from the first line of F (env PROCWIRE_TOKEN_FILE)
  --give-up S         keep reconnecting for S seconds after a lost connection before
                      failing with exit 255 (default 30)
  --wait-for-server S keep trying the first connection for S seconds (a server that is
                      starting); without it an unreachable server fails at once, exit 255
  -h, --help          this help`;

const exitCodes = `Exit codes:
${exitCodeTable.map(([code, meaning]) => `  ${String(code).padEnd(5)} ${meaning}`).join('\n')}`;

const pages: Record<CommandName | 'main', string> = {
  main: `procwire: run and control processes on this host or on a procwire server.

Usage:
  procwire exec [-i] [-t] [OPTIONS] [--] CMD [ARGS...]   run a command, exit with its code
  procwire attach [--no-replay] ID                       follow a process again, recent output first
  procwire ps [--json]                                   list your processes
  procwire kill ID [SIGNAL]                              send a signal (default SIGTERM)
  procwire wait ID                                       wait for a process, exit with its code
  procwire help COMMAND | procwire COMMAND --help        help for one command

${connectionHelp}

Examples:
  procwire exec -- uname -a
  procwire exec --url grpc://build-1:50051 --token-file ~/.procwire-token -- make test
  tar c src | procwire exec -i --url ws://build-1:8080 -- tar x -C /tmp/src
  procwire exec -it --url grpc://build-1:50051 -- bash

${exitCodes}`,

  exec: `Usage: procwire exec [-i] [-t] [OPTIONS] [--] CMD [ARGS...]

Runs CMD (an argv, never a shell string) and exits with its exit code (128+n when signal n
ended it). stdout and stderr go to the local stdout and stderr. Options stop at the command
(or at --), so 'procwire exec ls -la' runs 'ls -la'.

Options:
  -i, --interactive   pipe local stdin to the process, then EOF (without -i the process
                      sees EOF at once and local stdin is not read)
  -t, --tty           run in a pseudo-terminal sized like this one, in raw mode; resizes
                      follow; stderr is merged into stdout; the terminal is restored on
                      every exit
  --cwd DIR           working directory on the host
  -e, --env K=V       set an environment variable (repeatable); -e K passes the local value
  --timeout S         kill the process group after S seconds (exit 124)

${connectionHelp}

Ctrl-C (without -t) sends SIGINT to the process; a second Ctrl-C sends SIGKILL; a third
leaves at once (exit 130). Under -t, keys go to the process; signals to the CLI itself
(SIGINT, SIGTERM, SIGHUP) hang up the process with SIGHUP and exit 128+n.
A lost connection is retried quietly; output resumes where it stopped, nothing is lost or
repeated. Past --give-up the CLI prints one line and exits 255.

Examples:
  procwire exec -- sh -c 'echo out; echo err >&2; exit 3'   # exit code 3
  procwire exec -i -- sha256sum < big.iso
  procwire exec --cwd /srv -e MODE=ci --timeout 600 -- ./run-tests
  PROCWIRE_URL=grpc://127.0.0.1:50051 PROCWIRE_TOKEN=... procwire exec -it -- bash

${exitCodes}`,

  attach: `Usage: procwire attach [OPTIONS] ID

Follows a process started earlier (by any client with the same token), and exits with its
exit code. It first prints the recent output the server still keeps (procwire-server
--replay-bytes, 64 KiB per stream by default: the last screen of a shell), read or not, then
continues as it comes. A process in a terminal (exec -t) gets this terminal, in raw mode, as
exec -t does.

Options:
  --no-replay         skip the kept output: continue from where the output was last read

${connectionHelp}

Examples:
  procwire ps --url grpc://build-1:50051
  procwire attach --url grpc://build-1:50051 3f1c2a9e-...

${exitCodes}`,

  ps: `Usage: procwire ps [--json] [OPTIONS]

Lists your processes on the server (running ones, and exited ones it still keeps):
id, pid, state, exit code, start time, command.

Options:
  --json              one JSON array: [{ id, argv, cwd, pid, state, exit, startedAt, exitedAt }],
                      the names of the API's client.list(); times as ISO 8601 (UTC), exit as
                      { code, signal?, timedOut? } or null while running

${connectionHelp}

Examples:
  procwire ps --url ws://127.0.0.1:8080
  procwire ps --json | jq -r '.[] | select(.state == "running") | .id'

${exitCodes}`,

  kill: `Usage: procwire kill [OPTIONS] ID [SIGNAL]

Sends SIGNAL (default SIGTERM) to the process's group. SIGNAL is a name or a number:
TERM, SIGTERM, 9, KILL, INT, HUP, USR1, ... Killing a process that has exited is not an error.

${connectionHelp}

Examples:
  procwire kill --url grpc://build-1:50051 3f1c2a9e-...
  procwire kill --url grpc://build-1:50051 3f1c2a9e-... KILL

${exitCodes}`,

  wait: `Usage: procwire wait [OPTIONS] ID

Waits until the process has exited and exits with its exit code (128+n for signal n).
Prints nothing; use 'procwire attach ID' to see the output.

${connectionHelp}

Examples:
  procwire wait --url grpc://build-1:50051 3f1c2a9e-... && echo passed

${exitCodes}`,
};

/** The help page of one command, or the overview. */
export function helpText(topic?: CommandName): string {
  return `${pages[topic ?? 'main']}\n`;
}
