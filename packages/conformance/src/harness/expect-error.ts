/** Assertions about procwire errors that say what was expected and what came instead. */
import assert from 'node:assert/strict';
import { type ErrorCode, isProcwireError, type ProcwireError } from '@procwire/core';

/**
 * Run `action` (sync or async) and assert it fails with a `ProcwireError` of `code`; returns the
 * error for further checks.
 */
export async function expectProcwireError(
  action: () => unknown,
  code: ErrorCode,
  what: string,
): Promise<ProcwireError> {
  let outcome: { readonly error: unknown } | undefined;
  try {
    await action();
  } catch (error) {
    outcome = { error };
  }
  if (outcome === undefined) assert.fail(`${what}: expected a "${code}" error, but it succeeded`);
  const { error } = outcome;
  if (!isProcwireError(error)) {
    assert.fail(`${what}: expected a ProcwireError with code "${code}", got ${describeError(error)}`);
  }
  assert.equal(error.code, code, `${what}: expected code "${code}", got "${error.code}" (${error.message})`);
  assert.ok(error.message.length > 0, `${what}: the error has no message`);
  return error;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return JSON.stringify(error);
}
