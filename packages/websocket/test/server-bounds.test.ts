import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { localTransport } from '@procwire/local-pty';
import {
  decodeError,
  encodeAddressedFrame,
  encodeFrame,
  encodeJson,
  FrameType,
  serveWebSocket,
} from '@procwire/websocket';
import { RawClient } from './helpers/raw-client.js';
import { rawUpgrade } from './helpers/raw-upgrade.js';

const host = localTransport();
after(() => host.close());

const upgradeHeaders = { 'sec-websocket-protocol': 'procwire.v1', authorization: 'Bearer origin-token' };

describe('serveWebSocket bounds', () => {
  it('takes pages of its own origin (or a listed one) and clients without Origin; refuses other pages with 403', async () => {
    const server = await serveWebSocket(host, { port: 0, tokens: { 'origin-token': 'alice' } });
    const listed = await serveWebSocket(host, {
      port: 0,
      tokens: { 'origin-token': 'alice' },
      allowedOrigins: ['https://app.example'],
    });
    const open = await serveWebSocket(host, { port: 0 });
    try {
      const own = `http://127.0.0.1:${server.port}`;
      assert.equal((await rawUpgrade(server.url, upgradeHeaders)).status, 101, 'no Origin: a program');
      assert.equal((await rawUpgrade(server.url, { ...upgradeHeaders, origin: own })).status, 101, 'same origin');
      const foreign = await rawUpgrade(server.url, { ...upgradeHeaders, origin: 'https://evil.example' });
      assert.equal(foreign.status, 403);
      assert.match(foreign.body, /origin https:\/\/evil\.example may not connect/);
      assert.equal((await rawUpgrade(listed.url, { ...upgradeHeaders, origin: 'https://app.example' })).status, 101);
      const notListed = await rawUpgrade(listed.url, { ...upgradeHeaders, origin: `http://127.0.0.1:${listed.port}` });
      assert.equal(notListed.status, 403, 'with a list, only the list');
      const bare = { 'sec-websocket-protocol': 'procwire.v1' };
      assert.equal((await rawUpgrade(open.url, bare)).status, 101, 'no tokens, no Origin: a local program');
      const page = await rawUpgrade(open.url, { ...bare, origin: `http://127.0.0.1:${open.port}` });
      assert.equal(page.status, 403, 'no tokens: no page at all, not even its own origin');
      await assert.rejects(serveWebSocket(host, { port: 0, allowedOrigins: ['app.example'] }), /allowedOrigins holds "app\.example"/);
    } finally {
      await Promise.all([server.close(), listed.close(), open.close()]);
    }
  });

  it('refuses Write frames past maxPendingInputBytes with resource_exhausted, and keeps serving the connection', async () => {
    const limit = 1024 * 1024;
    const server = await serveWebSocket(host, {
      port: 0,
      tokens: { 'flood-token': 'flood' },
      limits: { maxPendingInputBytes: limit },
    });
    const raw = await RawClient.connect(server.url, 'flood-token');
    try {
      raw.send(encodeFrame({ type: FrameType.Start, callId: 1 }, encodeJson({ processId: 'flood', argv: ['sleep', '30'] })));
      await raw.until(() => raw.frames.some((frame) => frame.callId === 1), 10_000, 'the start');
      assert.equal(raw.frames.find((frame) => frame.callId === 1)?.type, FrameType.Result);
      // 64 writes of 256 KiB (16 MiB) to a process that never reads stdin, none awaited.
      const chunk = 256 * 1024;
      const writes = 64;
      for (let index = 0; index < writes; index++) {
        const { frame, rest } = encodeAddressedFrame(
          { type: FrameType.Write, callId: 100 + index, offset: index * chunk },
          'flood',
          chunk,
        );
        rest.fill(0x61);
        raw.send(frame);
      }
      const refusals = () =>
        raw.frames.filter((frame) => frame.callId >= 100 && frame.type === FrameType.Error).map((frame) => decodeError(frame.payload));
      await raw.until(() => refusals().length >= writes - limit / chunk, 20_000, 'the refusals');
      for (const error of refusals()) {
        assert.equal(error.code, 'resource_exhausted', error.message);
        assert.match(error.message, /not taken yet, the limit is 1048576/);
      }
      // The connection still serves other calls.
      raw.send(encodeFrame({ type: FrameType.Signal, callId: 2 }, encodeJson({ processId: 'flood', signal: 'SIGKILL' })));
      await raw.until(() => raw.frames.some((frame) => frame.callId === 2), 10_000, 'the signal answer');
      assert.equal(raw.frames.find((frame) => frame.callId === 2)?.type, FrameType.Result);
    } finally {
      await server.close();
    }
  });

  it('refuses a Start whose env has more than maxEnvEntries entries before parsing it, and keeps serving', async () => {
    const limit = 100;
    const server = await serveWebSocket(host, { port: 0, tokens: { 'env-token': 'env' }, limits: { maxEnvEntries: limit } });
    const raw = await RawClient.connect(server.url, 'env-token');
    const envOf = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, index) => [`PW_E${index}`, 'x']));
    const answer = async (callId: number) => {
      await raw.until(() => raw.frames.some((frame) => frame.callId === callId), 10_000, `the answer to call ${callId}`);
      return raw.frames.find((frame) => frame.callId === callId)!;
    };
    try {
      const start = (callId: number, processId: string, env: unknown, tail = '') => {
        const json = new TextEncoder().encode(JSON.stringify({ processId, argv: ['true'], env }).slice(0, -1) + tail + '}');
        raw.send(encodeFrame({ type: FrameType.Start, callId }, json));
      };
      // Exactly the limit, one entry full of colons, braces and escaped quotes that are not entries.
      start(1, 'at-limit', { ...envOf(limit - 1), 'KEY:WITH{COLON}"': ':{"a":[1}'.repeat(20) });
      assert.equal((await answer(1)).type, FrameType.Result, 'colons and braces inside strings are not entries');
      start(2, 'over', envOf(limit + 1));
      const over = await answer(2);
      assert.equal(over.type, FrameType.Error);
      assert.deepEqual(
        { code: decodeError(over.payload).code, message: decodeError(over.payload).message },
        { code: 'resource_exhausted', message: `env has ${limit + 1} entries, over the limit of ${limit} entries` },
      );
      // Counted before parsing: entries in JSON that does not parse are refused by their count.
      start(3, 'broken', envOf(limit + 50), ', "broken": ');
      const broken = await answer(3);
      assert.equal(decodeError(broken.payload).code, 'resource_exhausted');
      start(4, 'broken-small', envOf(3), ', "broken": ');
      assert.equal(decodeError((await answer(4)).payload).code, 'invalid_argument', 'a small broken Start is reported as such');
      raw.send(encodeFrame({ type: FrameType.Get, callId: 5 }, encodeJson({ processId: 'at-limit' })));
      assert.equal((await answer(5)).type, FrameType.Result);
    } finally {
      await server.close();
    }
  });
});
