/** validateStartRequest: the env bounds (bytes, entries) and the timeout range every host applies. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_MAX_ENV_ENTRIES,
  MAX_TIMER_MS,
  type StartRequest,
  validateDurationMs,
  validateEnvEntries,
  validateStartRequest,
} from '@procwire/core/transport';

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

describe('validateStartRequest: env entries', () => {
  const envOf = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, index) => [`E${index}`, 'x']));

  test('counts set and removed keys against maxEnvEntries', () => {
    validateStartRequest(request({ env: { A: 'x', B: undefined } }), { maxEnvEntries: 2 });
    assert.throws(() => validateStartRequest(request({ env: { A: 'x', B: undefined, C: 'y' } }), { maxEnvEntries: 2 }), {
      code: 'resource_exhausted',
      message: 'env has 3 entries, over the limit of 2 entries',
    });
  });

  test('the default limit is DEFAULT_MAX_ENV_ENTRIES (4096), within the default byte limit', () => {
    assert.equal(DEFAULT_MAX_ENV_ENTRIES, 4096);
    validateStartRequest(request({ env: envOf(4096) }));
    assert.throws(() => validateStartRequest(request({ env: envOf(4097) })), {
      code: 'resource_exhausted',
      message: 'env has 4097 entries, over the limit of 4096 entries',
    });
  });

  test('validateEnvEntries checks a count made before decoding', () => {
    validateEnvEntries(10, 10);
    assert.throws(() => validateEnvEntries(11, 10), { code: 'resource_exhausted', message: /env has 11 entries/ });
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
