import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@procwire/core';
import { localTransport } from '@procwire/local-pty';
import {
  CloseCode,
  encodeAddressedFrame,
  encodeFrame,
  encodeJson,
  type Frame,
  FrameFlag,
  FrameType,
  serveWebSocket,
  type WebSocketServerHandle,
  websocketTransport,
} from '@procwire/websocket';
import { seededRandom } from './helpers/prng.js';
import { RawClient } from './helpers/raw-client.js';

const FRAMES = 100_000;
const SEED = Number(process.env.PROCWIRE_FUZZ_SEED ?? 20261126);
const IN_FLIGHT = 256;
const MAX_FRAME_BYTES = 64 * 1024;
const token = 'fuzz-token';
const terminalTypes: ReadonlySet<number> = new Set([FrameType.Result, FrameType.Error, FrameType.End, FrameType.Written]);
const documentedCloses: ReadonlySet<number> = new Set([CloseCode.UnsupportedData, CloseCode.MessageTooBig]);

function addressed(type: FrameType, processId: string, rest: Uint8Array, header: { fd?: number; offset?: number; flags?: number } = {}) {
  const built = encodeAddressedFrame({ type, callId: 1, ...header }, processId, rest.byteLength);
  built.rest.set(rest);
  return built.frame;
}

/** Well-formed frames of every type: the corpus the mutations start from. */
function corpus(): Uint8Array[] {
  const json = (type: FrameType, value: unknown) => encodeFrame({ type, callId: 1 }, encodeJson(value));
  const window = new Uint8Array([0, 1, 0, 0]);
  return [
    json(FrameType.Start, { processId: 'fz-1', argv: ['echo', 'hi'] }),
    json(FrameType.Start, { processId: 'fz-2', argv: ['true'], env: { A: 'b', HOME: null }, stdout: 'devnull' }),
    addressed(FrameType.Read, 'fz-1', window, { fd: 1 }),
    addressed(FrameType.Read, 'fz-1', window, { fd: 2, offset: 0 }),
    encodeFrame({ type: FrameType.Credit, callId: 1, offset: 3 }),
    encodeFrame({ type: FrameType.Cancel, callId: 1 }),
    addressed(FrameType.Ack, 'fz-1', new Uint8Array(0), { fd: 1, offset: 0 }),
    addressed(FrameType.Write, 'fz-1', new TextEncoder().encode('input'), { flags: FrameFlag.Eof }),
    json(FrameType.Wait, { processId: 'fz-1' }),
    json(FrameType.Poll, { processId: 'fz-1' }),
    json(FrameType.Signal, { processId: 'fz-1', signal: 'SIGTERM' }),
    json(FrameType.Resize, { processId: 'fz-1', size: { cols: 80, rows: 24 } }),
    json(FrameType.Get, { processId: 'fz-1' }),
    encodeFrame({ type: FrameType.List, callId: 1 }),
    encodeFrame({ type: FrameType.Result, callId: 1 }, encodeJson({ code: 0 })),
    encodeFrame({ type: FrameType.Output, callId: 1, fd: 1 }, new Uint8Array([1, 2, 3])),
  ];
}

/** One fuzz frame: a corpus frame, mutated one of several ways, or plain random bytes. */
function mutate(random: () => number, seeds: readonly Uint8Array[]): Uint8Array {
  const int = (n: number) => Math.floor(random() * n);
  const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  const base = seeds[int(seeds.length)]!;
  const frame = Uint8Array.from(base);
  switch (int(8)) {
    case 0:
      return randomBytes(int(48));
    case 1:
      for (let i = 1 + int(4); i > 0; i--) frame[int(frame.length)]! ^= 1 << int(8);
      return frame;
    case 2:
      for (let i = 1 + int(4); i > 0; i--) frame[int(frame.length)] = int(256);
      return frame;
    case 3:
      return frame.subarray(0, int(frame.length));
    case 4: {
      const longer = new Uint8Array(frame.length + 1 + int(32));
      longer.set(frame);
      longer.set(randomBytes(longer.length - frame.length), frame.length);
      return longer;
    }
    case 5:
      frame.set(randomBytes(16).subarray(0, Math.min(16, frame.length)));
      return frame;
    case 6:
      // A valid frame with only its type changed: exercises every handler with the wrong payload.
      frame[0] = int(0x10) | (random() < 0.2 ? 0x80 : 0);
      return frame;
    default:
      return frame;
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.subarray(0, 64)).toString('hex');
}

describe('websocket fuzz: random and mutated frames at a live server', () => {
  const host = localTransport();
  let server: WebSocketServerHandle;

  before(async () => {
    server = await serveWebSocket(host, {
      host: '127.0.0.1',
      port: 0,
      tokens: { [token]: 'fuzzer', 'good-token': 'good' },
      limits: { maxFrameBytes: MAX_FRAME_BYTES },
    });
  });
  after(async () => {
    await server.close();
    await host.close();
  });

  it(`answers each of ${FRAMES} frames with a frame or a documented close, and keeps serving a good client`, { timeout: 150_000 }, async (t) => {
    t.diagnostic(`seed ${SEED} (set PROCWIRE_FUZZ_SEED to reproduce another run)`);
    const random = seededRandom(SEED);
    const seeds = corpus();

    // A well-behaved client runs commands the whole time.
    let fuzzing = true;
    let goodRuns = 0;
    const good = createClient(websocketTransport({ url: server.url, token: 'good-token' }));
    const goodLoop = (async () => {
      while (fuzzing) {
        const p = await good.exec(['echo', `run ${goodRuns}`]);
        assert.equal(await p.stdout.read(), `run ${goodRuns}\n`);
        assert.equal(await p.wait(), 0);
        goodRuns++;
        // Pace it: the point is that it keeps working, not to compete for the CPU.
        await sleep(20);
      }
    })();

    let raw = await RawClient.connect(server.url, token);
    // The process the corpus frames name, so that some mutated frames are valid calls.
    raw.send(encodeFrame({ type: FrameType.Start, callId: 1 }, encodeJson({ processId: 'fz-1', argv: ['echo', 'hi'] })));
    await raw.until(() => raw.frames.length > 0, 10_000, 'the first start');

    let nextCallId = 2;
    const pending = new Map<number, Uint8Array>();
    let pendingShort = 0;
    let seen = 0;
    let answered = 0;
    let closes = 0;
    const drainFrames = () => {
      for (; seen < raw.frames.length; seen++) {
        const frame: Frame = raw.frames[seen]!;
        if (!terminalTypes.has(frame.type)) continue;
        if (frame.callId === 0 && frame.type === FrameType.Error) {
          pendingShort--;
          answered++;
        } else if (pending.delete(frame.callId)) {
          answered++;
        }
      }
    };
    const waitForRoom = (room: number, what: string) =>
      raw.until(
        () => {
          drainFrames();
          return pending.size + Math.max(0, pendingShort) <= room;
        },
        20_000,
        what,
      );

    const startedAt = performance.now();
    let closeMs = 0;
    for (let i = 0; i < FRAMES; i++) {
      const roll = random();
      if (roll < 0.0001 || roll > 0.9999) {
        // Frames the protocol answers with a close: text, or larger than maxFrameBytes.
        const closeStart = performance.now();
        await waitForRoom(0, 'answers before a closing frame');
        const text = roll < 0.0001;
        raw.send(text ? 'not binary' : new Uint8Array(MAX_FRAME_BYTES + 1));
        const info = await raw.closed;
        assert.ok(documentedCloses.has(info.code), `frame ${i}: undocumented close code ${info.code}`);
        assert.equal(info.code, text ? CloseCode.UnsupportedData : CloseCode.MessageTooBig);
        closes++;
        answered++;
        raw = await RawClient.connect(server.url, token);
        seen = 0;
        closeMs += performance.now() - closeStart;
        continue;
      }
      const frame = mutate(random, seeds);
      if (frame.length >= 8) {
        const callId = nextCallId++;
        new DataView(frame.buffer, frame.byteOffset, frame.byteLength).setUint32(4, callId);
        pending.set(callId, frame);
      } else {
        pendingShort++;
      }
      raw.send(frame);
      if (pending.size + pendingShort >= IN_FLIGHT) {
        await waitForRoom(IN_FLIGHT / 2, `answers (frame ${i}; oldest unanswered ${hex([...pending.values()][0] ?? new Uint8Array())})`);
      }
    }
    await waitForRoom(0, `the last answers; unanswered: ${[...pending.values()].map(hex).join(' ')}`);
    assert.ok(raw.isOpen, 'the server closed a connection without a documented reason');
    await raw.close();

    fuzzing = false;
    await goodLoop;
    await good.close();
    t.diagnostic(`fuzzing took ${Math.round(performance.now() - startedAt)} ms, ${Math.round(closeMs)} ms of it around closes`);
    t.diagnostic(`${answered} answered, ${closes} documented closes, ${goodRuns} good runs alongside`);
    assert.equal(answered, FRAMES);
    assert.ok(goodRuns > 0);

    // And the server still serves after the run.
    const after = createClient(websocketTransport({ url: server.url, token: 'good-token' }));
    const p = await after.exec(['echo', 'still here']);
    assert.equal(await p.stdout.read(), 'still here\n');
    await after.close();
  });
});
