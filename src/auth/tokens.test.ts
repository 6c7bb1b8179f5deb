import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateToken, HINT_SECRET_CHARACTERS, parseToken, tokenHint } from './tokens.js';

test('a hint shows the kind, the id and four characters of the secret, even when the secret holds underscores', () => {
  assert.equal(tokenHint('fl_api_12_ab_cdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ_'), 'fl_api_12_ab_c…');
  assert.equal(tokenHint('fl_ing_3_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNO_P'), 'fl_ing_3_abcd…');
  let withUnderscore = 0;
  for (let i = 0; i < 2000; i++) {
    const token = generateToken(i % 2 ? 'api' : 'ing', i);
    const secret = token.slice(`fl_${i % 2 ? 'api' : 'ing'}_${i}_`.length);
    if (secret.includes('_')) withUnderscore += 1;
    assert.equal(tokenHint(token), `fl_${i % 2 ? 'api' : 'ing'}_${i}_${secret.slice(0, HINT_SECRET_CHARACTERS)}…`);
    assert.deepEqual(parseToken(token), { kind: i % 2 ? 'api' : 'ing', scopeId: i });
  }
  assert.ok(withUnderscore > 100, 'the loop met secrets with underscores');
});
