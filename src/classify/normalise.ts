/**
 * String primitives of error-codes.md: Unicode whitespace, invisible characters, NFC,
 * code-point lengths and the optimal string alignment distance.
 *
 * JavaScript's `\s` and `String.prototype.trim()` treat U+FEFF as whitespace, which the
 * spec says it is not (and miss U+0085, which is), so nothing here uses them: whitespace
 * is the Unicode White_Space property, through `\p{White_Space}` and the explicit list
 * below, which the hot paths test first so that most values skip the regular expressions.
 */

/** Unicode White_Space: U+0009-U+000D, U+0020, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. */
export function isWhitespaceCode(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

const WHITESPACE_RUN = /\p{White_Space}+/gu;
const LEADING_WHITESPACE = /^\p{White_Space}+/u;
const TRAILING_WHITESPACE = /\p{White_Space}+$/u;
const ONLY_WHITESPACE = /^\p{White_Space}*$/u;

/** The invisible characters of error-codes.md: soft hyphen, zero-width space/non-joiner/joiner, word joiner, BOM. */
const INVISIBLE = /[\u00AD\u200B-\u200D\u2060\uFEFF]/gu;
const ONE_INVISIBLE = /[\u00AD\u200B-\u200D\u2060\uFEFF]/u;
/** Characters that do not show on screen as themselves: the above, other whitespace than a space, marks, controls. */
const HIDDEN_CHAR = /[\u00AD\u200B-\u200D\u2060\uFEFF]|[^\P{White_Space} ]|\p{M}|\p{Cc}|\p{Cf}/u;

/** True for absent, null, non-string or only-whitespace values: the spec's "empty". */
export function isBlank(value: unknown): boolean {
  if (typeof value !== 'string') return true;
  if (value.length > 0 && !isWhitespaceCode(value.charCodeAt(0))) return false;
  return ONLY_WHITESPACE.test(value);
}

/** The value as a string when it is a non-blank string, else null. */
export function presentString(value: unknown): string | null {
  return isBlank(value) ? null : (value as string);
}

/** Trims Unicode White_Space from both ends (and nothing else: U+FEFF stays). */
export function trimWhitespace(value: string): string {
  if (value.length === 0 || (!isWhitespaceCode(value.charCodeAt(0)) && !isWhitespaceCode(value.charCodeAt(value.length - 1)))) {
    return value;
  }
  return value.replace(LEADING_WHITESPACE, '').replace(TRAILING_WHITESPACE, '');
}

/** Every run of whitespace becomes one space, and the ends are trimmed. */
export function collapseWhitespace(value: string): string {
  return trimWhitespace(value.replace(WHITESPACE_RUN, ' '));
}

/** All whitespace removed ("Head Chef" -> "HeadChef"). */
export function removeWhitespace(value: string): string {
  return value.replace(WHITESPACE_RUN, '');
}

export function removeInvisible(value: string): string {
  return value.replace(INVISIBLE, '');
}

export function hasInvisible(value: string): boolean {
  return ONE_INVISIBLE.test(value);
}

/**
 * Quoted stretches of a text: '...' (an apostrophe inside a word, as in "can't" or
 * "O'Brien", opens nothing), "...", curly quotes and backticks. Global: use with replace,
 * match or matchAll only.
 */
export const QUOTED_STRETCH = /(?<![\p{L}\p{N}])'[^']*'(?![\p{L}\p{N}])|"[^"]*"|\u201C[^\u201D]*\u201D|\u2018[^\u2019]*\u2019|`[^`]*`/gu;

/**
 * The value as people read it: NFC, invisible characters removed, whitespace collapsed,
 * lower-cased. Used for group keys and for comparing names.
 */
export function readableKey(value: string): string {
  return collapseWhitespace(removeInvisible(value).normalize('NFC')).toLowerCase().normalize('NFC');
}

/** Email as compared by the spec: trimmed (Unicode whitespace) and lower-cased. */
export function emailKey(value: unknown): string | null {
  const email = presentString(value);
  return email === null ? null : trimWhitespace(email).toLowerCase();
}

export function codePoints(value: string): number[] {
  const points: number[] = [];
  for (const char of value) points.push(char.codePointAt(0) as number);
  return points;
}

export function codePointLength(value: string): number {
  let length = 0;
  // Counting with for..of walks code points, so a surrogate pair counts once.
  for (const _char of value) length += 1;
  return length;
}

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions, each
 * substring edited at most once) over code points. With `max`, returns max + 1 as soon as
 * the distance is known to exceed it, which keeps the typo scan cheap.
 */
export function osaDistance(a: string | readonly number[], b: string | readonly number[], max = Infinity): number {
  const s = typeof a === 'string' ? codePoints(a) : a;
  const t = typeof b === 'string' ? codePoints(b) : b;
  const n = s.length;
  const m = t.length;
  if (Math.abs(n - m) > max) return max + 1;
  if (n === 0) return m;
  if (m === 0) return n;

  // Three rolling rows; the indexes below are always in range, hence the assertions.
  let beforePrevious = new Int32Array(m + 1);
  let previous = new Int32Array(m + 1);
  let current = new Int32Array(m + 1);
  for (let j = 0; j <= m; j += 1) previous[j] = j;

  for (let i = 1; i <= n; i += 1) {
    current[0] = i;
    let rowMin = i;
    const si = s[i - 1]!;
    const sPrev = i > 1 ? s[i - 2]! : -1;
    for (let j = 1; j <= m; j += 1) {
      const tj = t[j - 1]!;
      const cost = si === tj ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && si === t[j - 2] && sPrev === tj) {
        best = Math.min(best, beforePrevious[j - 2]! + 1);
      }
      current[j] = best;
      if (best < rowMin) rowMin = best;
    }
    if (rowMin > max) return max + 1;
    [beforePrevious, previous, current] = [previous, current, beforePrevious];
  }
  return previous[m]!;
}

/**
 * Shows what the eye cannot see: invisible characters, whitespace other than a plain
 * space, and combining marks become "<U+XXXX>", so "\uFEFFBar" reads "<U+FEFF>Bar" and a
 * decomposed "Cafe\u0301" reads "Cafe<U+0301>".
 */
export function makeVisible(value: string): string {
  let out = '';
  for (const char of value) {
    const point = char.codePointAt(0) as number;
    out += HIDDEN_CHAR.test(char) ? `<U+${point.toString(16).toUpperCase().padStart(4, '0')}>` : char;
  }
  return out;
}
