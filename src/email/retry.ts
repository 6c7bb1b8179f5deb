/**
 * When to try a failed send again: 1, 2, 4 ... minutes after each failure, at most an
 * hour apart, for about a day (30 attempts), so that an SMTP server down for hours makes
 * emails late, not lost. After the last attempt the delivery stays failed, with its error.
 */
export const MAX_ATTEMPTS = 30;

export function retryAt(attempts: number, failedAt: Date): Date | null {
  if (attempts >= MAX_ATTEMPTS) return null;
  const minutes = Math.min(60, 2 ** Math.max(0, attempts - 1));
  return new Date(failedAt.getTime() + minutes * 60_000);
}
