import fc from 'fast-check';

/**
 * Hostile inputs for the fuzz tests: text a careless parser or query trips on,
 * and the ways it travels in a URL (percent-encoded, including encodings that
 * are not valid UTF-8 or not valid percent-encoding at all).
 */

/**
 * `size` characters of text that does not compress (a deterministic
 * pseudo-random mix of letters, digits and accented letters), so that it
 * reaches PostgreSQL's index row limit (~2.7 KB after compression), which
 * `'x'.repeat(n)` never does.
 */
export function incompressible(size: number, seed = size): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789éüßøñçΩЖ中';
  let state = seed >>> 0 || 1;
  let out = '';
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out += alphabet[state % alphabet.length];
  }
  return out;
}

/** Timestamps, well-formed or nearly. */
export const dateText = fc.oneof(
  fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'Invalid Date' : d.toISOString())),
  fc.constantFrom('2026-11-21', '2026-13-45T25:61:61Z', '0000-00-00T00:00:00Z', '+275760-09-13T00:00:00.000Z', '2026-11-21T10:15:00+24:00', '1e3'),
);

const SPECIAL = [
  '',
  '\0',
  'a\0b',
  '\uD800',
  '\uDFFF',
  'x\uD83D',
  '\uFEFF',
  '\u202E',
  '%',
  '%%',
  '%ZZ',
  '%FF',
  '%00',
  '%E0%A4',
  '..',
  '../..',
  '<script>',
  '1e309',
  '-0',
  '-1',
  '0',
  'NaN',
  'Infinity',
  '9007199254740993',
  '[]',
  '{}',
  'null',
  'true',
  '__proto__',
  'constructor',
];

/** Arbitrary text: any unicode (lone surrogates and NUL included), numbers, dates, `%` sequences, very long strings. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(...SPECIAL),
  fc.tuple(fc.string(), fc.string()).map(([before, after]) => `${before}\0${after}`),
  fc.integer().map(String),
  fc.double().map(String),
  fc.bigInt().map(String),
  dateText,
  fc.integer({ min: 1_000, max: 12_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 1_000, max: 4_000 }).map((n) => incompressible(n)),
);

/**
 * Percent-encodes every code point, a lone surrogate as its (invalid) 3-byte
 * WTF-8 form, as a client that does not care about UTF-8 would send it
 * (encodeURIComponent throws on one).
 */
export function percentEncode(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const bytes = cp >= 0xd800 && cp <= 0xdfff ? [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)] : [...Buffer.from(ch, 'utf8')];
    out += /^[A-Za-z0-9_.~-]$/.test(ch) ? ch : bytes.map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

/** Bad percent-encoding: `%ZZ`, a lone `%`, truncated sequences, bytes that are not UTF-8. */
export const badPercent = fc.oneof(
  fc.constantFrom('%ZZ', '%FF', '%', '%%', '%E0%A4', '%C0%AF', '%ED%A0%80', '%F8%88%80%80%80', 'a%2', '%G1', '%u0041', '%00'),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
);

/** A URL component as it may travel: well encoded, encoded byte by byte, or badly encoded. */
export const urlComponent: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: hostileText.map(percentEncode), weight: 4 },
  { arbitrary: badPercent, weight: 2 },
  { arbitrary: fc.tuple(fc.string(), badPercent).map(([text, bad]) => `${percentEncode(text)}${bad}`), weight: 1 },
);

/** Parameter names: the ones the route knows, or arbitrary ones (`a[b]`, `__proto__`, unicode). */
export const paramName = (known: readonly string[]) =>
  fc.oneof(
    { arbitrary: known.length > 0 ? fc.constantFrom(...known) : fc.constant('limit'), weight: 3 },
    { arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'a[b]', 'a[]', 'a.b', '_csrf', 'hasOwnProperty', ''), weight: 1 },
    { arbitrary: fc.string({ minLength: 1, maxLength: 12 }).map(percentEncode), weight: 1 },
  );

/**
 * A query string of 1 to 8 pairs (a name may repeat), under 5,000 characters:
 * past Node's 16 KB header limit the HTTP server itself refuses the request
 * before the app sees it (431), and an anonymous page visit is redirected to
 * the sign-in page with the whole URL, escaped again, in its Location header,
 * which must stay under the client's own 16 KB limit.
 */
export const queryString = (known: readonly string[]) =>
  fc
    .array(fc.tuple(paramName(known), urlComponent), { minLength: 1, maxLength: 8 })
    .map((pairs) => pairs.map(([name, value]) => `${name}=${value}`).join('&'))
    .filter((query) => query.length <= 5_000);
