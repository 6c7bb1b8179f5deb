import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { csrfTokenMatches, maskCsrfSecret, newCsrfSecret } from './csrf.js';

describe('CSRF tokens', () => {
  test('a masked token matches its secret, and every rendering is different', () => {
    const secret = newCsrfSecret();
    const tokens = Array.from({ length: 20 }, () => maskCsrfSecret(secret));
    assert.equal(new Set(tokens).size, 20);
    for (const token of tokens) assert.equal(csrfTokenMatches(token, secret), true);
  });

  test("a token does not match another session's secret", () => {
    const token = maskCsrfSecret(newCsrfSecret());
    assert.equal(csrfTokenMatches(token, newCsrfSecret()), false);
  });

  test('missing, malformed, truncated and tampered tokens are refused', () => {
    const secret = newCsrfSecret();
    const token = maskCsrfSecret(secret);
    for (const bad of [undefined, null, 42, '', 'x', token.slice(0, -2), `${token}AA`, secret, 'A'.repeat(500), ['a']]) {
      assert.equal(csrfTokenMatches(bad, secret), false, String(bad));
    }
    const tampered = `${token[0] === 'A' ? 'B' : 'A'}${token.slice(1)}`;
    assert.equal(csrfTokenMatches(tampered, secret), false);
    assert.equal(csrfTokenMatches(token, undefined), false);
  });
});
