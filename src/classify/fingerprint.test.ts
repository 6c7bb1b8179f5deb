import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fingerprintText } from './fingerprint.js';

describe('fingerprints of engine texts', () => {
  const samePattern: Array<[string, string, string]> = [
    [
      'timeouts differing in milliseconds and hex request id',
      'Target API timeout after 20091 ms (request 2a7be0b)',
      'Target API timeout after 36218 ms (request 4f67a6a7)',
    ],
    [
      'a request id that happens to be all digits',
      'Target API timeout after 29991 ms (request d9799563)',
      'Target API timeout after 28671 ms (request 49799563)',
    ],
    ['rate limits with another wait', 'Rate limit exceeded, retry in 47 s', 'Rate limit exceeded, retry in 7 s'],
    ['quoted values', "Job title 'Sommelier' is locked", 'Job title "Pot Wash Lead" is locked'],
    ['emails', 'Cannot invite ana.lopez@example.com', 'Cannot invite tom.o@example.co.uk'],
    ['UUIDs', 'Record 550e8400-e29b-41d4-a716-446655440000 locked', 'Record 123e4567-e89b-12d3-a456-426614174000 locked'],
    ['underscored employee ids', 'Employee 4512_10293 could not be saved', 'Employee 7781_10020 could not be saved'],
    ['invisible characters and spacing', 'Server  error\uFEFF 500', 'Server error 503'],
  ];
  for (const [name, a, b] of samePattern) {
    test(`${name} give one fingerprint`, () => {
      assert.equal(fingerprintText(a), fingerprintText(b));
    });
  }

  test('the timeout fingerprint keeps the words and replaces the values', () => {
    assert.equal(fingerprintText('Target API timeout after 20091 ms (request 2a7be0b)'), 'Target API timeout after <n> ms (request <id>)');
  });

  test('placeholders name what they replaced', () => {
    assert.equal(
      fingerprintText("User 'Ana' (ana@example.com) id=550e8400-e29b-41d4-a716-446655440000 failed 3 times"),
      'User <str> (<email>) id=<uuid> failed <n> times',
    );
  });

  test('different kinds of failure keep different fingerprints', () => {
    assert.notEqual(fingerprintText('Rate limit exceeded, retry in 47 s'), fingerprintText('Target API timeout after 47 ms'));
  });

  test('an apostrophe inside a word does not start a quoted string', () => {
    assert.equal(fingerprintText("Can't reach O'Brien's server"), "Can't reach O'Brien's server");
  });

  test('no text has an empty fingerprint', () => {
    assert.equal(fingerprintText(null), '');
    assert.equal(fingerprintText(''), '');
  });
});
