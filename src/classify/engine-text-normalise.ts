/**
 * An engine's text as the grammar reads it, with the way back to the text as written.
 *
 * The grammar reads keywords in a normalised copy: Unicode NFKC, lower case, curly quotes,
 * primes, guillemets and backticks as ' and ", underscores and dashes as spaces (so
 * "date_of_birth" and "e-mail" read as words), invisible format characters (U+00AD,
 * U+200B..U+200D, U+2060, U+FEFF, ...) dropped, and every run of whitespace as one space.
 * A value, though, must come back exactly as the engine wrote it ("Bartender " with its
 * trailing space, "\uFEFFBar" with its invisible mark), because the classifier compares it
 * with the catalog letter for letter. So each character of the copy remembers where its
 * source starts and ends in the original, and values are sliced from the original.
 *
 * Most engine texts are printable ASCII with single spaces; for those the copy is the text
 * lower-cased and the positions are the same, so no map is built at all.
 */

/** Characters that read as a single quote (opening or closing), and as a double one. */
const SINGLE_QUOTES = new Set(['\u2018', '\u2019', '\u201A', '\u201B', '\u2032', '\u2035', '\u2039', '\u203A', '`', '\uFF07']);
const DOUBLE_QUOTES = new Set(['\u201C', '\u201D', '\u201E', '\u201F', '\u2033', '\u2036', '\u00AB', '\u00BB', '\uFF02']);

const WHITE_SPACE = /^\p{White_Space}$/u;
const FORMAT_CHARACTER = /^\p{Cf}$/u;
const DASH = /^\p{Pd}$/u;
/** Printable ASCII with single spaces: every character reads as one character, so positions stay the same. */
const PLAIN_ASCII = /^(?:[\x21-\x7e]| (?! ))*$/u;
const ASCII_SEPARATORS = /[_`-]/gu;

export class NormalisedText {
  private constructor(
    /** The text as written. */
    readonly raw: string,
    /** The normalised copy the grammar reads. */
    readonly text: string,
    /** For each code unit of `text`, where its source starts in `raw`; null when the positions are the same. */
    private readonly starts: Int32Array | null,
    /** For each code unit of `text`, where its source ends in `raw`. */
    private readonly ends: Int32Array | null,
  ) {}

  static of(raw: string): NormalisedText {
    if (PLAIN_ASCII.test(raw)) {
      const text = raw.toLowerCase().replace(ASCII_SEPARATORS, (char) => (char === '`' ? "'" : ' '));
      // An underscore or dash next to a space would make two spaces: then the full way.
      if (text.length === raw.length && !text.includes('  ')) return new NormalisedText(raw, text, null, null);
    }
    return NormalisedText.mapped(raw);
  }

  private static mapped(raw: string): NormalisedText {
    const out: string[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    let lastWasSpace = false;
    let index = 0;
    for (const char of raw) {
      const start = index;
      index += char.length;
      const reading = readingOf(char);
      if (reading === '') continue;
      if (reading === ' ') {
        if (lastWasSpace) {
          // The run of whitespace is one space that spans the whole run.
          ends[ends.length - 1] = index;
          continue;
        }
        lastWasSpace = true;
      } else {
        lastWasSpace = false;
      }
      for (let unit = 0; unit < reading.length; unit += 1) {
        out.push(reading[unit]!);
        starts.push(start);
        ends.push(index);
      }
    }
    return new NormalisedText(raw, out.join(''), Int32Array.from(starts), Int32Array.from(ends));
  }

  /** Where the source of the copy's character at `index` starts in the original. */
  rawStart(index: number): number {
    if (this.starts === null) return index;
    return index < this.starts.length ? this.starts[index]! : this.raw.length;
  }

  /** Where the source of the copy's character at `index` ends in the original. */
  rawEnd(index: number): number {
    if (this.ends === null) return index + 1;
    return index < this.ends.length ? this.ends[index]! : this.raw.length;
  }
}

/** How one code point reads: '' for an invisible one, ' ' for whitespace, else its normalised form. */
function readingOf(char: string): string {
  if (char.length === 1) {
    const code = char.charCodeAt(0);
    if (code < 0x80) {
      if (code === 0x20 || code === 0x5f || code === 0x2d || (code >= 0x09 && code <= 0x0d)) return ' ';
      if (code < 0x20 || code === 0x7f) return '';
      if (code === 0x60) return "'";
      return code >= 0x41 && code <= 0x5a ? String.fromCharCode(code + 32) : char;
    }
  }
  if (SINGLE_QUOTES.has(char)) return "'";
  if (DOUBLE_QUOTES.has(char)) return '"';
  if (WHITE_SPACE.test(char) || DASH.test(char)) return ' ';
  if (FORMAT_CHARACTER.test(char)) return '';
  const folded = char.normalize('NFKC').toLowerCase();
  // NFKC can turn a character into quotes or spaces (a full-width quote, a no-break space).
  return folded.length === 1 && folded !== char ? readingOf(folded) : folded;
}
