/**
 * Measures interactive echo: write one byte to a raw-mode `cat` in a terminal and time until it
 * comes back. The remote command prints `R` once the terminal is raw, so no sample is taken
 * before `stty` took effect.
 */
import { elapsedMs } from './stats.js';

/** The shell command every echo subject runs in its terminal. */
export const rawCatScript = 'stty raw -echo; printf R; exec cat';

/** Counts echoed bytes and resolves waiters; feed it every output chunk. */
export class EchoProbe {
  private ready = false;
  private readyResolve: (() => void) | undefined;
  private readonly readyPromise = new Promise<void>((resolve) => {
    this.readyResolve = resolve;
  });
  private received = 0;
  private wanted = 0;
  private wake: (() => void) | undefined;

  /** Output from the terminal, in order. */
  feed(data: Uint8Array): void {
    let bytes = data.byteLength;
    if (!this.ready) {
      const marker = data.indexOf(0x52); // 'R'
      if (marker < 0) return;
      this.ready = true;
      bytes -= marker + 1;
      this.readyResolve?.();
    }
    this.received += bytes;
    if (this.wake !== undefined && this.received >= this.wanted) {
      const wake = this.wake;
      this.wake = undefined;
      wake();
    }
  }

  /** Resolves once the terminal is raw (or rejects after `timeoutMs`). */
  async whenReady(timeoutMs = 20_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the echo process never became ready')), timeoutMs);
    });
    try {
      await Promise.race([this.readyPromise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Send one byte with `send` and resolve with the milliseconds until it came back. */
  async roundTrip(send: (byte: Uint8Array) => void, byte: number): Promise<number> {
    this.wanted = this.received + 1;
    const back = new Promise<void>((resolve) => {
      this.wake = resolve;
    });
    const start = process.hrtime.bigint();
    send(Uint8Array.of(byte));
    await back;
    return elapsedMs(start);
  }
}

/** How many echo round trips to time, and how many to make between the cold and the warm ones. */
export interface EchoPlan {
  readonly samples: number;
  readonly warmup: number;
}

/** Echo latencies in ms, of a fresh session and of the same session in its steady state. */
export interface EchoSamples {
  /** The first `samples` round trips (after 20 untimed ones): JIT compiles fall in here. */
  readonly cold: number[];
  /** `samples` round trips after `warmup` more untimed ones. */
  readonly warm: number[];
}

/**
 * Time echo round trips in one terminal session: `samples` right after it starts, then, after
 * `warmup` more, another `samples`. Node's JIT settles after a few thousand round trips (on the
 * 2-core bench machine a raw `ws` relay's p99 fell from 3-4 ms to 0.2-0.3 ms after about 4,000),
 * and OpenSSH has no JIT: both figures are reported, for every subject alike.
 */
export async function sampleEcho(probe: EchoProbe, send: (byte: Uint8Array) => void, plan: EchoPlan): Promise<EchoSamples> {
  await probe.whenReady();
  let sent = 0;
  const run = async (count: number, keep: boolean): Promise<number[]> => {
    const latencies: number[] = [];
    for (let i = 0; i < count; i++) {
      const latency = await probe.roundTrip(send, 0x61 + (sent++ % 26));
      if (keep) latencies.push(latency);
    }
    return latencies;
  };
  await run(20, false);
  const cold = await run(plan.samples, true);
  await run(plan.warmup, false);
  const warm = await run(plan.samples, true);
  return { cold, warm };
}
