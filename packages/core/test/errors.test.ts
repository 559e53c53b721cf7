import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isProcwireError, ProcwireError } from '@procwire/core';

describe('ProcwireError', () => {
  it('is recognised by shape, so a second copy of the package agrees', () => {
    const foreign = Object.assign(Object.create({ [Symbol.for('@procwire/core/ProcwireError')]: true }), {
      code: 'not_found',
      message: 'no process',
    });
    assert.ok(foreign instanceof ProcwireError);
    assert.ok(!({ code: 'not_found' } instanceof ProcwireError));
  });

  it('from() keeps procwire errors and wraps the rest with their cause', () => {
    const original = new ProcwireError(ErrorCode.NotFound, 'gone');
    assert.equal(ProcwireError.from(original), original);
    const wrapped = ProcwireError.from(new Error('boom'));
    assert.equal(wrapped.code, ErrorCode.Internal);
    assert.equal(wrapped.message, 'boom');
    const aborted = ProcwireError.from(new DOMException('stop', 'AbortError'));
    assert.ok(isProcwireError(aborted, ErrorCode.Aborted));
  });
});
