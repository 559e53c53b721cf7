/**
 * Conversions between the core transport contract's types and the generated protobuf messages.
 * Used by both ends, so what the client sends is exactly what the server reads back.
 */
import type {
  ExitStatus,
  InputStreamInfo,
  OutputMode,
  OutputStreamInfo,
  ProcessInfo,
  PtySettings,
  SignalName,
  StartRequest,
} from '@procwire/core/transport';
import { ErrorCode, ProcwireError } from '@procwire/core/transport';
import * as pb from '../gen/procwire/v1/procwire.js';

const invalid = (message: string) => new ProcwireError(ErrorCode.InvalidArgument, message);

export function outputModeToWire(mode: OutputMode): pb.OutputMode {
  return mode === 'devnull' ? pb.OutputMode.OUTPUT_MODE_DEVNULL : pb.OutputMode.OUTPUT_MODE_PIPE;
}

export function outputModeFromWire(mode: pb.OutputMode): OutputMode {
  if (mode === pb.OutputMode.OUTPUT_MODE_DEVNULL) return 'devnull';
  if (mode === pb.OutputMode.OUTPUT_MODE_PIPE || mode === pb.OutputMode.OUTPUT_MODE_UNSPECIFIED) return 'pipe';
  throw invalid(`output mode ${mode} is not PIPE (1) or DEVNULL (2)`);
}

export function startRequestToWire(request: StartRequest): pb.StartRequest {
  const env: Record<string, string> = {};
  const envUnset: string[] = [];
  for (const [key, value] of Object.entries(request.env ?? {})) {
    if (value === undefined) envUnset.push(key);
    else env[key] = value;
  }
  return {
    processId: request.processId,
    argv: [...request.argv],
    cwd: request.cwd ?? '',
    env,
    envUnset,
    pty: request.pty === undefined ? undefined : { ...request.pty },
    stdout: outputModeToWire(request.stdout),
    stderr: outputModeToWire(request.stderr),
    timeoutMs: request.timeoutMs === undefined ? 0 : Math.ceil(request.timeoutMs),
  };
}

export function startRequestFromWire(request: pb.StartRequest): StartRequest {
  const env: Record<string, string | undefined> = { ...request.env };
  for (const key of request.envUnset) {
    if (Object.hasOwn(request.env, key)) throw invalid(`env key ${JSON.stringify(key)} is both set and unset`);
    env[key] = undefined;
  }
  return {
    processId: request.processId,
    argv: request.argv,
    ...(request.cwd === '' ? {} : { cwd: request.cwd }),
    ...(Object.keys(env).length === 0 ? {} : { env }),
    ...(request.pty === undefined ? {} : { pty: { ...request.pty } }),
    stdout: outputModeFromWire(request.stdout),
    stderr: outputModeFromWire(request.stderr),
    ...(request.timeoutMs === 0 ? {} : { timeoutMs: request.timeoutMs }),
  };
}

export function exitStatusToWire(exit: ExitStatus): pb.ExitStatus {
  return {
    ...(exit.signal === undefined ? { code: exit.code } : { signal: exit.signal }),
    timedOut: exit.timedOut === true,
    exitCode: exit.code,
  };
}

export function exitStatusFromWire(exit: pb.ExitStatus): ExitStatus {
  const code = exit.exitCode !== 0 || exit.signal !== undefined ? exit.exitCode : (exit.code ?? 0);
  return {
    code,
    ...(exit.signal === undefined ? {} : { signal: exit.signal as SignalName }),
    ...(exit.timedOut ? { timedOut: true } : {}),
  };
}

// `replayFrom` travels as the distance below `acknowledged` (proto3 without `optional`: 0 is unset,
// and a replay tail kept from offset 0 is the usual case).
function outputToWire(stream: OutputStreamInfo): pb.OutputStreamInfo {
  return {
    mode: outputModeToWire(stream.mode),
    acknowledged: stream.acknowledged,
    written: stream.written,
    eof: stream.eof,
    replayableBytes: stream.replayFrom === undefined ? 0 : Math.max(0, stream.acknowledged - stream.replayFrom),
  };
}

function outputFromWire(stream: pb.OutputStreamInfo | undefined): OutputStreamInfo {
  if (stream === undefined) return { mode: 'pipe', acknowledged: 0, written: 0, eof: false };
  const info = { mode: outputModeFromWire(stream.mode), acknowledged: stream.acknowledged, written: stream.written, eof: stream.eof };
  return stream.replayableBytes > 0 && stream.replayableBytes <= stream.acknowledged
    ? { ...info, replayFrom: stream.acknowledged - stream.replayableBytes }
    : info;
}

function ptyFromWire(pty: pb.PtySettings | undefined): PtySettings | undefined {
  return pty === undefined ? undefined : { cols: pty.cols, rows: pty.rows, term: pty.term };
}

export function processInfoToWire(info: ProcessInfo): pb.ProcessInfo {
  return {
    processId: info.processId,
    argv: [...info.argv],
    cwd: info.cwd ?? '',
    pid: info.pid ?? 0,
    pty: info.pty === undefined ? undefined : { ...info.pty },
    state: info.state === 'exited' ? pb.ProcessState.PROCESS_STATE_EXITED : pb.ProcessState.PROCESS_STATE_RUNNING,
    exit: info.exit === undefined ? undefined : exitStatusToWire(info.exit),
    startedAtMs: Math.floor(info.startedAt),
    exitedAtMs: info.exitedAt === undefined ? 0 : Math.floor(info.exitedAt),
    stdout: outputToWire(info.stdout),
    stderr: outputToWire(info.stderr),
    stdin: { ...info.stdin },
    outputWindowBytes: info.outputWindowBytes,
    groupRunning: info.groupRunning === true,
  };
}

export function processInfoFromWire(info: pb.ProcessInfo): ProcessInfo {
  const stdin: InputStreamInfo = info.stdin === undefined ? { offset: 0, eof: false } : { ...info.stdin };
  const pty = ptyFromWire(info.pty);
  return {
    processId: info.processId,
    argv: info.argv,
    ...(info.cwd === '' ? {} : { cwd: info.cwd }),
    ...(info.pid === 0 ? {} : { pid: info.pid }),
    ...(pty === undefined ? {} : { pty }),
    state: info.state === pb.ProcessState.PROCESS_STATE_EXITED ? 'exited' : 'running',
    ...(info.exit === undefined ? {} : { exit: exitStatusFromWire(info.exit) }),
    startedAt: info.startedAtMs,
    ...(info.exitedAtMs === 0 ? {} : { exitedAt: info.exitedAtMs }),
    stdout: outputFromWire(info.stdout),
    stderr: outputFromWire(info.stderr),
    stdin,
    outputWindowBytes: info.outputWindowBytes,
    ...(info.groupRunning ? { groupRunning: true } : {}),
  };
}
