// The token table every server authenticates with: exact matches only, and bad tables refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, ProcwireError, TokenTable } from '@procwire/core/transport';

describe('TokenTable', () => {
  it('names the principal of each token, and nothing for a missing, unknown, shorter or longer token', () => {
    const table = new TokenTable({ 'alice-s3cret': 'alice', 'bob-s3cret': 'bob', 'é-ünicode': 'carol' });
    assert.equal(table.size, 3);
    assert.equal(table.principalOf('alice-s3cret'), 'alice');
    assert.equal(table.principalOf('bob-s3cret'), 'bob');
    assert.equal(table.principalOf('é-ünicode'), 'carol');
    for (const wrong of [undefined, '', 'alice', 'alice-s3cre', 'alice-s3cret ', 'ALICE-S3CRET', 'bob-s3cretalice-s3cret', 'e-unicode']) {
      assert.equal(table.principalOf(wrong), undefined, `token ${JSON.stringify(wrong)}`);
    }
  });

  it('refuses an empty token or principal with invalid_argument', () => {
    const refused = (message: RegExp) => (error: unknown) =>
      error instanceof ProcwireError && error.code === ErrorCode.InvalidArgument && message.test(error.message);
    assert.throws(() => new TokenTable({ '': 'alice' }), refused(/a token must not be empty/));
    assert.throws(() => new TokenTable({ t: '' }), refused(/non-empty principal/));
    assert.throws(() => new TokenTable({ t: 7 as unknown as string }), refused(/non-empty principal, got 7/));
    assert.equal(new TokenTable({}).principalOf('anything'), undefined);
  });
});
