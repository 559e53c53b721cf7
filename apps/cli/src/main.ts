#!/usr/bin/env node
// The `procwire` binary: everything testable lives in run-cli.ts and the modules it uses.
import { runCli } from './run-cli.js';
import { restoreTerminal } from './terminal-session.js';

// The write callback reports EPIPE (reader gone); without a listener it would crash the CLI.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);
// Last line of defence: never leave the user's terminal in raw mode, whatever path exits.
process.on('exit', restoreTerminal);

const code = await runCli(process.argv.slice(2));
process.exit(code);
