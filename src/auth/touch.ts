const TOUCH_INTERVAL_MS = 60_000;

/**
 * Last-used times are kept to the minute: a token or session used every second
 * would otherwise turn each request into a write on one hot row. The caller has
 * just read the row, so it knows whether a touch is due without asking again.
 */
export function touchIsDue(lastUsedAt: Date | null): boolean {
  return lastUsedAt === null || Date.now() - lastUsedAt.getTime() >= TOUCH_INTERVAL_MS;
}
