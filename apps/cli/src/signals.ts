import { constants } from 'node:os';
import type { SignalName } from '@procwire/core';

const signalNumbers: Readonly<Record<string, number>> = constants.signals;

/**
 * Accept a signal as users write it to kill(1): `TERM`, `SIGTERM`, `sigterm`, `15`. Returns the
 * `SIG...` name, or `undefined` when it names no signal this system knows.
 */
export function normaliseSignal(text: string): SignalName | undefined {
  if (/^\d+$/.test(text)) {
    const number = Number(text);
    const name = Object.keys(signalNumbers).find((key) => signalNumbers[key] === number);
    return name === undefined ? undefined : (name as SignalName);
  }
  const upper = text.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return name in signalNumbers ? (name as SignalName) : undefined;
}

/** The number of a signal name (SIGINT: 2), for 128+n exit codes. */
export function signalNumber(name: string): number | undefined {
  return signalNumbers[name];
}
