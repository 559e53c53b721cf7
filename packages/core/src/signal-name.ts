/**
 * The signal names `kill()` takes: the standard Linux signals by name, so a typo such as
 * `'SIGTREM'` does not compile. A signal outside the list (a real-time signal, a platform's own)
 * goes through {@link otherSignal}, the explicit escape hatch; the host still rejects a name it
 * does not know with `invalid_argument`.
 */

/** A standard Linux signal's name. */
export type KnownSignalName =
  | 'SIGHUP'
  | 'SIGINT'
  | 'SIGQUIT'
  | 'SIGILL'
  | 'SIGTRAP'
  | 'SIGABRT'
  | 'SIGBUS'
  | 'SIGFPE'
  | 'SIGKILL'
  | 'SIGUSR1'
  | 'SIGSEGV'
  | 'SIGUSR2'
  | 'SIGPIPE'
  | 'SIGALRM'
  | 'SIGTERM'
  | 'SIGSTKFLT'
  | 'SIGCHLD'
  | 'SIGCONT'
  | 'SIGSTOP'
  | 'SIGTSTP'
  | 'SIGTTIN'
  | 'SIGTTOU'
  | 'SIGURG'
  | 'SIGXCPU'
  | 'SIGXFSZ'
  | 'SIGVTALRM'
  | 'SIGPROF'
  | 'SIGWINCH'
  | 'SIGIO'
  | 'SIGPWR'
  | 'SIGSYS';

declare const otherSignalBrand: unique symbol;

/** A signal name outside {@link KnownSignalName}, made with {@link otherSignal}. */
export type OtherSignalName = `SIG${string}` & { readonly [otherSignalBrand]: true };

/** What `kill()` takes: a known signal's name, or {@link otherSignal}`('SIG...')`. */
export type SignalName = KnownSignalName | OtherSignalName;

/** The escape hatch for a signal name the type does not list: `p.kill(otherSignal('SIGRTMIN'))`. */
export function otherSignal(name: `SIG${string}`): OtherSignalName {
  return name as OtherSignalName;
}
