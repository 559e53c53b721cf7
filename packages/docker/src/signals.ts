/**
 * Signal names and numbers. A container shares the host's kernel, so the host's table is the
 * container's.
 */
import { constants } from 'node:os';
import { ErrorCode, ProcwireError, type SignalName, validateSignalName } from '@procwire/core/transport';

const signalNumbers = constants.signals as Readonly<Record<string, number>>;

/** Throws `invalid_argument` unless `name` is a signal the kernel knows; returns its number. */
export function signalNumberOf(name: unknown): number {
  validateSignalName(name);
  const number = Object.hasOwn(signalNumbers, name) ? signalNumbers[name] : undefined;
  if (number === undefined) {
    throw new ProcwireError(ErrorCode.InvalidArgument, `unknown signal ${JSON.stringify(name)}`);
  }
  return number;
}

/** The name of a signal number (`9` -> `'SIGKILL'`), or `undefined`. */
export function signalNameOf(number: number): SignalName | undefined {
  for (const [name, value] of Object.entries(signalNumbers)) {
    if (value === number && name.startsWith('SIG')) return name as SignalName;
  }
  return undefined;
}
