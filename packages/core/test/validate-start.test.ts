/** validateStartRequest: the env bound and the timeout range every host applies. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_TIMER_MS, type StartRequest, validateDurationMs, validateStartRequest } from '@procwire/core/transport';

const request = (extra: Partial<StartRequest> = {}): StartRequest => ({
  processId: 'p',
  argv: ['true'],
  stdout: 'pipe',
  stderr: 'pipe',
  ...extra,
});

describe('validateStartRequest: env size', () => {
  test('counts UTF-8 KEY=VALUE and a NUL per entry, against maxEnvBytes', () => {
    // "A=é\0" is 1 + 1 + 2 + 1 = 5 bytes; keys set to undefined count nothing.
    const env = { A: 'é', B: undefined };
    validateStartRequest(request({ env }), { maxEnvBytes: 5 });
    assert.throws(() => validateStartRequest(request({ env }), { maxEnvBytes: 4 }), {
      code: 'resource_exhausted',
      message: 'env is 5 bytes (KEY=VALUE and a NUL each), over the limit of 4 bytes',
    });
  });

  test('the default limit is 256 KiB', () => {
    validateStartRequest(request({ env: { BIG: 'x'.repeat(256 * 1024 - 5) } }));
    assert.throws(() => validateStartRequest(request({ env: { BIG: 'x'.repeat(256 * 1024 - 4) } })), {
      code: 'resource_exhausted',
      message: /env is 262145 bytes .* limit of 262144 bytes/,
    });
  });
});

describe('validateStartRequest: timeoutMs', () => {
  test('MAX_TIMER_MS is the longest timer Node keeps', () => {
    assert.equal(MAX_TIMER_MS, 2 ** 31 - 1);
  });

  test('accepts integers in 1..MAX_TIMER_MS', () => {
    for (const timeoutMs of [1, 1000, MAX_TIMER_MS]) validateStartRequest(request({ timeoutMs }));
  });

  test('refuses anything else with invalid_argument naming timeoutMs', () => {
    // 30 days: Node would fire it after 1 ms.
    for (const timeoutMs of [0, -1, 1.5, 2 ** 31, 30 * 24 * 3600 * 1000, Number.POSITIVE_INFINITY, Number.NaN]) {
      assert.throws(() => validateStartRequest(request({ timeoutMs })), {
        code: 'invalid_argument',
        message: /^timeoutMs must be an integer number of milliseconds in 1\.\.2147483647/,
      });
    }
  });

  test('validateDurationMs names what it checks', () => {
    assert.throws(() => validateDurationMs('5', 'killGraceMs'), { code: 'invalid_argument', message: /^killGraceMs must be/ });
  });
});
