// dockerTransport() checks its options as localTransport() does: a bad one is refused at once,
// named, before any engine call (no engine is needed here).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_TIMER_MS } from '@procwire/core/transport';
import { dockerTransport } from '@procwire/docker';

describe('dockerTransport options', () => {
  // Node fires a timer longer than 2^31 - 1 ms after 1 ms: a month's retention would forget an
  // exited process at once, and a long kill grace would SIGKILL without waiting.
  for (const name of ['retentionMs', 'killGraceMs'] as const) {
    test(`${name} above Node's longest timer is refused, naming the option`, () => {
      assert.throws(() => dockerTransport({ container: 'any', [name]: MAX_TIMER_MS + 1 }), {
        code: 'invalid_argument',
        message: `dockerTransport option ${name} must be an integer number of milliseconds in 1..${MAX_TIMER_MS}, got ${MAX_TIMER_MS + 1}`,
      });
    });

    test(`${name} of the longest timer is taken`, async () => {
      const transport = dockerTransport({ container: 'any', [name]: MAX_TIMER_MS });
      await transport.close();
    });
  }

  test('sizes and counts must be positive integers, replayBytes may be 0', async () => {
    assert.throws(() => dockerTransport({ container: 'any', outputWindowBytes: 0 }), {
      code: 'invalid_argument',
      message: 'dockerTransport option outputWindowBytes must be a positive integer, got 0',
    });
    assert.throws(() => dockerTransport({ container: 'any', maxProcesses: 1.5 }), {
      code: 'invalid_argument',
      message: 'dockerTransport option maxProcesses must be a positive integer, got 1.5',
    });
    assert.throws(() => dockerTransport({ container: 'any', replayBytes: -1 }), {
      code: 'invalid_argument',
      message: 'dockerTransport option replayBytes must be a non-negative integer, got -1',
    });
    await dockerTransport({ container: 'any', replayBytes: 0 }).close();
  });

  test('a missing container is refused', () => {
    assert.throws(() => dockerTransport({ container: '' }), {
      code: 'invalid_argument',
      message: 'dockerTransport option container must be a container name or id',
    });
  });
});
