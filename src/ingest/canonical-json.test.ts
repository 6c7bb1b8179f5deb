import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { HttpError } from '../http/errors.js';
import { checkAndHash, checkParsedBody, MAX_JSON_DEPTH, MAX_STRING_BYTES } from './body.js';
import { canonicalHash } from './canonical-json.js';

/** The canonical hash as first written, one Hash.update per token: stored body_sha256 values were made by it, so the new one must agree. */
function referenceHash(value: unknown): string {
  const hash = createHash('sha256');
  const write = (node: unknown): void => {
    if (Array.isArray(node)) {
      hash.update('[');
      node.forEach((item, index) => {
        if (index > 0) hash.update(',');
        write(item);
      });
      hash.update(']');
    } else if (node !== null && typeof node === 'object') {
      hash.update('{');
      Object.keys(node)
        .sort()
        .forEach((key, index) => {
          if (index > 0) hash.update(',');
          hash.update(JSON.stringify(key));
          hash.update(':');
          write((node as Record<string, unknown>)[key]);
        });
      hash.update('}');
    } else {
      hash.update(JSON.stringify(node) ?? 'null');
    }
  };
  write(value);
  return hash.digest('hex');
}

const problemOf = (body: unknown) => {
  try {
    checkParsedBody(body);
    return undefined;
  } catch (error) {
    return error instanceof HttpError ? { status: error.status, detail: error.message } : error;
  }
};

describe('canonical hash', () => {
  test('equals the per-token hash it replaces, on any JSON (unicode, deep, large)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const parsed = JSON.parse(JSON.stringify(value)) as unknown;
        assert.equal(canonicalHash(parsed), referenceHash(parsed));
        assert.equal(checkAndHash(parsed), referenceHash(parsed));
      }),
      { numRuns: 500, seed: 20261201 },
    );
    // Large enough to be hashed in many pieces, with multi-byte text across piece boundaries.
    const big = { records: Array.from({ length: 5_000 }, (_, i) => ({ z: `é👩🏽‍🍳${i}`, a: [i, null, true, 'x'.repeat(i % 97)], '\u2028': {} })) };
    assert.equal(canonicalHash(big), referenceHash(big));
    assert.equal(checkAndHash(big), referenceHash(big));
  });

  test('key order and whitespace do not change it', () => {
    assert.equal(canonicalHash(JSON.parse('{"b":1,"a":[{"y":2,"x":1}]}')), canonicalHash(JSON.parse('{ "a" : [ {"x":1, "y":2} ], "b": 1 }')));
  });
});

describe('checked and hashed in one pass', () => {
  const deep = (levels: number): unknown => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);
  const cases: [string, unknown][] = [
    ['a NUL in a value', { a: ['fine', 'bad\u0000'] }],
    ['a NUL in a key', { 'k\u0000': 1 }],
    ['a lone surrogate', { a: 'x\ud800y' }],
    ['a value over the byte limit', { a: 'é'.repeat(MAX_STRING_BYTES / 2 + 1) }],
    ['a key over the byte limit', { ['k'.repeat(MAX_STRING_BYTES + 1)]: 1 }],
    ['nesting over the limit', { a: deep(MAX_JSON_DEPTH) }],
    ['nesting far over the limit', { a: deep(20_000) }],
  ];
  for (const [what, body] of cases) {
    test(`${what}: the same answer as the check alone`, () => {
      const expected = problemOf(body);
      assert.ok(expected, 'the check refuses it');
      assert.throws(
        () => checkAndHash(body),
        (error: unknown) =>
          error instanceof HttpError && error.status === (expected as { status: number }).status && error.message === (expected as { detail: string }).detail,
      );
    });
  }

  test('nesting at the limit and a value at the byte limit pass and hash as before', () => {
    const body = { a: deep(MAX_JSON_DEPTH - 1), b: 'x'.repeat(MAX_STRING_BYTES) };
    assert.equal(problemOf(body), undefined);
    assert.equal(checkAndHash(body), referenceHash(body));
  });
});
