/**
 * `@procwire/core/node`: what only Node has. The terminal of this process for `attach()`, and
 * Node stream converters for readers and writers.
 */
export { type NodeTerminal, type NodeTerminalOptions, nodeTerminal, type TerminalInput, type TerminalOutput } from './node-terminal.js';
export { toNodeReadable, toNodeWritable } from './node-streams.js';
