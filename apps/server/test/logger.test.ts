import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from 'procwire-server';

/** Collects what a logger writes. */
function sink() {
  const lines: string[] = [];
  return { lines, write: (text: string) => void lines.push(...text.split('\n').filter((line) => line !== '')) };
}

describe('server log formats', () => {
  it('human: short lines, no line per request at info, the request lines at debug', () => {
    for (const [level, expected] of [
      ['info', 2],
      ['debug', 3],
    ] as const) {
      const out = sink();
      const logger = createLogger(level, out, 'human');
      logger.info({ addresses: { grpc: '127.0.0.1:50051' } }, 'listening');
      logger.child({ requestId: 'r1', principal: 'alice', processId: 'p1' }).info({ pid: 42 }, 'process started');
      logger.warn({ token: 's3cret' }, 'call refused: missing or wrong token');
      logger.flush();
      assert.equal(out.lines.length, expected, out.lines.join('\n'));
      assert.match(out.lines[0] ?? '', /^\d\d:\d\d:\d\d INFO {2}listening addresses=\{"grpc":"127.0.0.1:50051"\}$/);
      assert.ok(!out.lines.some((line) => line.startsWith('{')), 'no JSON in the human format');
      assert.ok(!out.lines.join('\n').includes('s3cret'), 'a token is redacted');
      if (level === 'debug') assert.match(out.lines[1] ?? '', /INFO {2}process started principal=alice processId=p1 pid=42$/);
    }
  });

  it('json: one JSON line per event, the request lines included', () => {
    const out = sink();
    const logger = createLogger('info', out, 'json');
    logger.child({ requestId: 'r1', processId: 'p1' }).info('process started');
    logger.flush();
    assert.equal(out.lines.length, 1);
    const record = JSON.parse(out.lines[0] ?? '') as Record<string, unknown>;
    assert.equal(record['msg'], 'process started');
    assert.equal(record['processId'], 'p1');
  });
});
