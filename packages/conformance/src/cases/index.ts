/** Every case of the suite, in the order they run. Add a new behaviour's file here. */
import type { ConformanceCase } from '../harness/suite.js';
import { abortCases } from './abort.js';
import { acknowledgementCases } from './acknowledgements.js';
import { badInputCases } from './bad-input.js';
import { byLineCases } from './by-line.js';
import { bytesAndTextCases } from './bytes-and-text.js';
import { callAbortCases } from './call-abort.js';
import { closeInFlightCases } from './close-in-flight.js';
import { connectionCutCases } from './connection-cut.js';
import { cwdCases } from './cwd.js';
import { drainCases } from './drain.js';
import { droppedConnectionCases } from './dropped-connection.js';
import { envCases } from './env.js';
import { exitCodeCases } from './exit-codes.js';
import { idempotentStartCases } from './idempotent-start.js';
import { inputBackpressureCases } from './input-backpressure.js';
import { largeOutputCases } from './large-output.js';
import { listCases } from './list.js';
import { outputBeforeExitCases } from './output-before-exit.js';
import { outputSeparationCases } from './output-separation.js';
import { pollAndReturncodeCases } from './poll-and-returncode.js';
import { principalIsolationCases } from './principal-isolation.js';
import { processGroupCases } from './process-group.js';
import { ptyCases } from './pty.js';
import { reattachCases } from './reattach.js';
import { resumeCases } from './resume.js';
import { signalCases } from './signals.js';
import { singleConsumerCases } from './single-consumer.js';
import { slowConsumerCases } from './slow-consumer.js';
import { stdinRoundTripCases } from './stdin-round-trip.js';
import { streamTypeCases } from './stream-types.js';
import { timeoutCases } from './timeout.js';
import { utf8DecodingCases } from './utf8-decoding.js';
import { wireErrorCases } from './wire-errors.js';
import { writeAfterEofCases } from './write-after-eof.js';

/** The registration functions of every behaviour, in run order. */
export const conformanceCases: readonly ConformanceCase[] = [
  outputSeparationCases,
  bytesAndTextCases,
  utf8DecodingCases,
  byLineCases,
  singleConsumerCases,
  outputBeforeExitCases,
  stdinRoundTripCases,
  drainCases,
  writeAfterEofCases,
  exitCodeCases,
  pollAndReturncodeCases,
  signalCases,
  processGroupCases,
  timeoutCases,
  abortCases,
  callAbortCases,
  streamTypeCases,
  envCases,
  cwdCases,
  ptyCases,
  reattachCases,
  acknowledgementCases,
  listCases,
  idempotentStartCases,
  principalIsolationCases,
  badInputCases,
  wireErrorCases,
  inputBackpressureCases,
  slowConsumerCases,
  resumeCases,
  connectionCutCases,
  droppedConnectionCases,
  largeOutputCases,
  // Last: it closes the transport under test.
  closeInFlightCases,
];
