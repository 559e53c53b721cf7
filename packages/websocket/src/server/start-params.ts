/** Turns a `Start` frame's JSON into a clean `StartRequest` (known fields only, `null` env = remove). */
import {
  ErrorCode,
  ProcwireError,
  type PtySettings,
  type StartRequest,
  type StartLimits,
  validateStartRequest,
} from '@procwire/core/transport';

function invalid(message: string): ProcwireError {
  return new ProcwireError(ErrorCode.InvalidArgument, message);
}

/** Build and validate a start request; throws `invalid_argument` / `resource_exhausted`. */
export function startRequestFrom(params: Record<string, unknown>, limits: StartLimits): StartRequest {
  const { processId, argv, cwd, env, pty, stdout, stderr, timeoutMs } = params;
  let cleanEnv: Record<string, string | undefined> | undefined;
  if (env !== undefined && env !== null) {
    if (typeof env !== 'object' || Array.isArray(env)) throw invalid('env must be an object');
    cleanEnv = {};
    for (const [key, value] of Object.entries(env)) {
      if (value !== null && typeof value !== 'string') throw invalid(`env ${key} must be a string or null`);
      cleanEnv[key] = value ?? undefined;
    }
  }
  let cleanPty: PtySettings | undefined;
  if (pty !== undefined && pty !== null) {
    if (typeof pty !== 'object' || Array.isArray(pty)) throw invalid('pty must be an object { cols, rows, term }');
    const { cols, rows, term } = pty as Record<string, unknown>;
    cleanPty = { cols, rows, term } as PtySettings;
  }
  const request = {
    processId,
    argv,
    stdout: stdout ?? 'pipe',
    stderr: stderr ?? 'pipe',
    ...(cwd === undefined || cwd === null ? {} : { cwd }),
    ...(cleanEnv === undefined ? {} : { env: cleanEnv }),
    ...(cleanPty === undefined ? {} : { pty: cleanPty }),
    ...(timeoutMs === undefined || timeoutMs === null ? {} : { timeoutMs }),
  } as StartRequest;
  validateStartRequest(request, limits);
  return { ...request, argv: [...request.argv] };
}
