/** OpenSSH client measurements: `ssh host head -c N`, `ssh host 'cat >/dev/null'`, mux round trips, `ssh -tt` echo. */
import { spawn } from 'node:child_process';
import { type EchoPlan, EchoProbe, type EchoSamples, rawCatScript, sampleEcho } from '../echo-probe.js';
import { rawRoundTrip, rawStdinBytes, rawStdoutBytes } from './raw-process.js';

/** Bytes of `head -c bytes /dev/zero` run over ssh (`baseArgs`: the bench sshd's, `OpenSsh.baseArgs()`). */
export async function sshStdoutBytes(baseArgs: readonly string[], bytes: number): Promise<number> {
  const result = await rawStdoutBytes('ssh', [...baseArgs, `head -c ${bytes} /dev/zero`]);
  if (result.code !== 0) throw new Error(`ssh head exited with ${result.code}`);
  return result.bytes;
}

/** Write `bytes` into `cat >/dev/null` over ssh. */
export async function sshStdin(baseArgs: readonly string[], bytes: number): Promise<void> {
  const code = await rawStdinBytes('ssh', [...baseArgs, 'cat >/dev/null'], bytes);
  if (code !== 0) throw new Error(`ssh cat exited with ${code}`);
}

/** One `ssh` command `true` through the ControlMaster (`muxArgs`: `OpenSsh.muxArgs()`). */
export async function sshMuxTrue(muxArgs: readonly string[]): Promise<void> {
  const code = await rawRoundTrip('ssh', [...muxArgs, 'true']);
  if (code !== 0) throw new Error(`ssh true exited with ${code}`);
}

/** Echo latencies (ms) of a raw-mode `cat` in the remote terminal of `ssh -tt`. */
export async function sshEcho(baseArgs: readonly string[], plan: EchoPlan): Promise<EchoSamples> {
  const child = spawn('ssh', ['-tt', ...baseArgs, rawCatScript], { stdio: ['pipe', 'pipe', 'ignore'] });
  const probe = new EchoProbe();
  child.stdout.on('data', (data: Buffer) => probe.feed(data));
  const exited = new Promise((resolve) => child.once('close', resolve));
  try {
    return await sampleEcho(probe, (byte) => child.stdin.write(byte), plan);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}
