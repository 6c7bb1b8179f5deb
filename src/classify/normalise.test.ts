import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  codePointLength,
  collapseWhitespace,
  emailKey,
  isWhitespaceCode,
  isBlank,
  makeVisible,
  osaDistance,
  readableKey,
  removeInvisible,
  removeWhitespace,
  trimWhitespace,
} from './normalise.js';

describe("whitespace is the Unicode White_Space property, not JavaScript's \\s", () => {
  const cases: Array<[string, string, boolean]> = [
    ['a plain space', ' ', true],
    ['a tab', '\t', true],
    ['a no-break space U+00A0', '\u00A0', true],
    ['an ideographic space U+3000', '\u3000', true],
    ['a narrow no-break space U+202F', '\u202F', true],
    ['a next-line U+0085 (which \\s does not know)', '\u0085', true],
    ['a byte order mark U+FEFF (which \\s wrongly calls a space)', '\uFEFF', false],
    ['a zero-width space U+200B', '\u200B', false],
    ['a soft hyphen U+00AD', '\u00AD', false],
  ];
  for (const [name, char, whitespace] of cases) {
    test(`${name} ${whitespace ? 'is' : 'is not'} whitespace`, () => {
      assert.equal(isBlank(char), whitespace);
      assert.equal(trimWhitespace(`x${char}`), whitespace ? 'x' : `x${char}`);
    });
  }

  test('null, absent and non-string values are blank', () => {
    assert.equal(isBlank(null), true);
    assert.equal(isBlank(undefined), true);
    assert.equal(isBlank(42), true);
    assert.equal(isBlank(''), true);
  });

  test('collapsing makes every run of whitespace one space and trims the ends, keeping U+FEFF', () => {
    assert.equal(collapseWhitespace('\u00A0Head \t Chef\u3000'), 'Head Chef');
    assert.equal(collapseWhitespace('\uFEFFHead  Chef'), '\uFEFFHead Chef');
    assert.equal(removeWhitespace(' Head\u00A0Chef '), 'HeadChef');
  });
});

describe('invisible characters and readable keys', () => {
  test('removing invisible characters takes out U+00AD, U+200B to U+200D, U+2060 and U+FEFF only', () => {
    assert.equal(removeInvisible('\u00ADa\u200Bb\u200Cc\u200Dd\u2060e\uFEFFf\u200Eg'), 'abcdef\u200Eg');
  });

  test('a readable key is NFC, without invisible characters, whitespace collapsed, lower-cased', () => {
    assert.equal(readableKey('\uFEFF Cafe\u0301  MANAGER\u00A0'), 'café manager');
  });

  test('emails compare trimmed and lower-cased, and an empty email has no key', () => {
    assert.equal(emailKey(' Ana.Lopez@Example.COM\u00A0'), 'ana.lopez@example.com');
    assert.equal(emailKey('   '), null);
    assert.equal(emailKey(null), null);
  });
});

describe('lengths and distances count code points', () => {
  test('an emoji outside the BMP is one code point, though two UTF-16 units', () => {
    assert.equal('😀'.length, 2);
    assert.equal(codePointLength('😀'), 1);
    assert.equal(osaDistance('😀', '😁'), 1);
  });

  const distances: Array<[string, string, number]> = [
    ['', '', 0],
    ['', 'abc', 3],
    ['Waiter', 'Waiter', 0],
    ['Waiter', 'Watier', 1],
    ['Barista', 'Barsita', 1],
    ['Bar Staff', 'Bra Staff', 1],
    ['Waiter', 'Wiatre', 2],
    ['kitten', 'sitting', 3],
    // Optimal string alignment edits no substring twice: CA -> ABC is 3, not 2 as in
    // unrestricted Damerau-Levenshtein.
    ['CA', 'ABC', 3],
  ];
  for (const [a, b, distance] of distances) {
    test(`the optimal string alignment distance of '${a}' and '${b}' is ${distance}`, () => {
      assert.equal(osaDistance(a, b), distance);
      assert.equal(osaDistance(b, a), distance);
    });
  }

  test('a bounded distance stops at max + 1 once it is sure to exceed max', () => {
    assert.equal(osaDistance('Sommelier', 'Waiter', 2), 3);
    assert.equal(osaDistance('Waiter', 'Watier', 2), 1);
  });
});

describe('making hidden characters visible', () => {
  test('invisible characters, unusual spaces and combining marks are shown as code points', () => {
    assert.equal(makeVisible('\uFEFFBar'), '<U+FEFF>Bar');
    assert.equal(makeVisible('Com\u00ADmis Chef'), 'Com<U+00AD>mis Chef');
    assert.equal(makeVisible('General\u200B Manager'), 'General<U+200B> Manager');
    assert.equal(makeVisible('Head\u00A0Chef\t'), 'Head<U+00A0>Chef<U+0009>');
    assert.equal(makeVisible('Cafe\u0301'), 'Cafe<U+0301>');
  });

  test('ordinary text, plain spaces and precomposed accents stay as they are', () => {
    assert.equal(makeVisible('Café Manager, München'), 'Café Manager, München');
  });
});

describe('the explicit White_Space list agrees with the Unicode property', () => {
  test('every code point of the BMP is whitespace in the list exactly when \\p{White_Space} says so', () => {
    const property = /^\p{White_Space}$/u;
    for (let code = 0; code <= 0xffff; code += 1) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      assert.equal(isWhitespaceCode(code), property.test(String.fromCharCode(code)), `U+${code.toString(16)}`);
    }
  });
});
