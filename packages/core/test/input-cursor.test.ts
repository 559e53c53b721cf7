import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, InputCursor, isProcwireError } from '@procwire/core/transport';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

describe('InputCursor', () => {
  it('applies each byte once: a retried, overlapping write is trimmed to what is new', () => {
    const cursor = new InputCursor();
    assert.equal(text(cursor.accept({ offset: 0, data: bytes('hello'), eof: false }).data), 'hello');
    assert.equal(text(cursor.accept({ offset: 0, data: bytes('hello'), eof: false }).data), '');
    assert.equal(text(cursor.accept({ offset: 3, data: bytes('lo world'), eof: false }).data), ' world');
    assert.equal(cursor.offset, 11);
  });

  it('refuses a gap with out_of_range', () => {
    const cursor = new InputCursor();
    cursor.accept({ offset: 0, data: bytes('ab'), eof: false });
    assert.throws(
      () => cursor.accept({ offset: 5, data: bytes('x'), eof: false }),
      (error) => isProcwireError(error, ErrorCode.OutOfRange) && /gap/.test(error.message),
    );
    assert.equal(cursor.offset, 2);
  });

  it('reports EOF once, accepts a retried EOF, and refuses new bytes after it', () => {
    const cursor = new InputCursor();
    assert.deepEqual({ ...cursor.accept({ offset: 0, data: bytes('end'), eof: true }), data: undefined }, { data: undefined, eof: true });
    assert.equal(cursor.accept({ offset: 0, data: bytes('end'), eof: true }).eof, false, 'a retry does not close twice');
    assert.throws(
      () => cursor.accept({ offset: 3, data: bytes('more'), eof: false }),
      (error) => isProcwireError(error, ErrorCode.FailedPrecondition),
    );
    assert.deepEqual(cursor.info(), { offset: 3, eof: true });
  });

  it('an EOF that arrives with an old offset still closes after the bytes it carried', () => {
    const cursor = new InputCursor();
    cursor.accept({ offset: 0, data: bytes('abc'), eof: false });
    const fresh = cursor.accept({ offset: 1, data: bytes('bcd'), eof: true });
    assert.equal(text(fresh.data), 'd');
    assert.equal(fresh.eof, true);
    assert.deepEqual(cursor.info(), { offset: 4, eof: true });
  });

  it('a negative or fractional offset is invalid_argument', () => {
    const cursor = new InputCursor();
    assert.throws(() => cursor.accept({ offset: -1, data: bytes('x'), eof: false }), (error) => isProcwireError(error, ErrorCode.InvalidArgument));
    assert.throws(() => cursor.accept({ offset: 0.5, data: bytes('x'), eof: false }), (error) => isProcwireError(error, ErrorCode.InvalidArgument));
  });
});
