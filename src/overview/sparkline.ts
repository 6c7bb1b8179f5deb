/**
 * The errors sparkline of an integration: 7 days of hourly error counts in
 * bars of 6 hours, ending with the current hour, as the geometry of a small
 * inline SVG the page draws (no script). Pure: the caller passes the hours and
 * `now`.
 */
const HOUR_MS = 3_600_000;

export const SPARK_DAYS = 7;
export const SPARK_BUCKET_HOURS = 6;
export const SPARK_BUCKETS = (SPARK_DAYS * 24) / SPARK_BUCKET_HOURS;
export const SPARK_BAR_WIDTH = 3;
export const SPARK_WIDTH = SPARK_BUCKETS * SPARK_BAR_WIDTH;
export const SPARK_HEIGHT = 20;

export interface SparkBar {
  x: number;
  y: number;
  height: number;
  errors: number;
  from: Date;
}

export interface Sparkline {
  width: number;
  height: number;
  /** Only the bars with errors. */
  bars: SparkBar[];
  total: number;
  /** The most errors in one bar. */
  peak: number;
  from: Date;
  to: Date;
  /** The text alternative: "1,234 errors in 7 days, at most 300 in 6 hours". */
  label: string;
}

/** Where the window starts: 7 days before the end of the current hour. */
export function sparkWindowStart(now: Date): Date {
  const end = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS;
  return new Date(end - SPARK_DAYS * 24 * HOUR_MS);
}

export function sparklineOf(hours: ReadonlyArray<{ hour: Date; errors: number }>, now: Date): Sparkline {
  const from = sparkWindowStart(now);
  const to = new Date(from.getTime() + SPARK_DAYS * 24 * HOUR_MS);
  const buckets = new Array<number>(SPARK_BUCKETS).fill(0);
  for (const { hour, errors } of hours) {
    const index = Math.floor((hour.getTime() - from.getTime()) / (SPARK_BUCKET_HOURS * HOUR_MS));
    if (index >= 0 && index < SPARK_BUCKETS) buckets[index]! += errors;
  }
  const total = buckets.reduce((sum, count) => sum + count, 0);
  const peak = Math.max(0, ...buckets);
  const usable = SPARK_HEIGHT - 1;
  const bars: SparkBar[] = [];
  buckets.forEach((errors, index) => {
    if (errors === 0) return;
    // At least 2 px, so that a single error shows next to a peak of thousands.
    const height = Math.max(2, Math.round((errors / peak) * usable));
    bars.push({
      x: index * SPARK_BAR_WIDTH,
      y: SPARK_HEIGHT - 1 - height,
      height,
      errors,
      from: new Date(from.getTime() + index * SPARK_BUCKET_HOURS * HOUR_MS),
    });
  });
  const count = (n: number) => n.toLocaleString('en');
  const label =
    total === 0
      ? `No errors in ${SPARK_DAYS} days`
      : `${count(total)} error${total === 1 ? '' : 's'} in ${SPARK_DAYS} days, at most ${count(peak)} in ${SPARK_BUCKET_HOURS} hours`;
  return { width: SPARK_WIDTH, height: SPARK_HEIGHT, bars, total, peak, from, to, label };
}
