/** How many characters of a free-text value a page shows (a value may be 100,000 long). */
export const SHOWN_CHARACTERS = 60;

/**
 * A long value cut for display, saying how long it was; short ones as they are.
 * Never cuts a surrogate pair in half.
 */
export function shorten(text: string, max?: number): string;
export function shorten(text: string | null, max?: number): string | null;
export function shorten(text: string | null, max = SHOWN_CHARACTERS): string | null {
  if (text === null || text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 1]!) ? max - 1 : max;
  return `${text.slice(0, end)}… (${text.length.toLocaleString('en')} characters)`;
}
