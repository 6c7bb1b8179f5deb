/**
 * A small Prometheus registry: counters, histograms and gauges read at scrape
 * time, written out in the text exposition format (version 0.0.4):
 * https://prometheus.io/docs/instrumenting/exposition_formats/
 * Enough for feedlog's few metrics without a dependency.
 */

export type Labels = Record<string, string>;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A label value as the format wants it: backslash, double quote and newline escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

const escapeHelp = (text: string) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** A sample value: integers as such, +Inf/-Inf/NaN spelled as the format spells them. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;
}

/** The key of one series: its label values in the metric's label order. */
function seriesKey(labelNames: readonly string[], labels: Labels): string {
  return JSON.stringify(labelNames.map((name) => labels[name] ?? ''));
}

function checkLabels(metric: string, labelNames: readonly string[], labels: Labels): void {
  for (const name of Object.keys(labels)) {
    if (!labelNames.includes(name)) throw new Error(`${metric} has no label ${name}`);
  }
}

interface Metric {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  samples(): string[];
}

export class Counter implements Metric {
  readonly type = 'counter';
  private readonly series = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) throw new Error(`${this.name} only goes up`);
    checkLabels(this.name, this.labelNames, labels);
    const key = seriesKey(this.labelNames, labels);
    const found = this.series.get(key);
    if (found) found.value += by;
    else this.series.set(key, { labels: { ...labels }, value: by });
  }

  get(labels: Labels = {}): number {
    return this.series.get(seriesKey(this.labelNames, labels))?.value ?? 0;
  }

  samples(): string[] {
    return [...this.series.values()].map(({ labels, value }) => `${this.name}${labelText(labels)} ${formatValue(value)}`);
  }
}

export class Histogram implements Metric {
  readonly type = 'histogram';
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
    readonly labelNames: readonly string[] = [],
  ) {
    if (buckets.some((bound, index) => index > 0 && bound <= buckets[index - 1]!)) throw new Error(`${name}: buckets must increase`);
  }

  observe(labels: Labels, value: number): void {
    checkLabels(this.name, this.labelNames, labels);
    const key = seriesKey(this.labelNames, labels);
    let found = this.series.get(key);
    if (!found) {
      found = { labels: { ...labels }, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, found);
    }
    this.buckets.forEach((bound, index) => {
      if (value <= bound) found.counts[index]! += 1;
    });
    found.sum += value;
    found.count += 1;
  }

  samples(): string[] {
    return [...this.series.values()].flatMap(({ labels, counts, sum, count }) => [
      ...this.buckets.map((bound, index) => `${this.name}_bucket${labelText({ ...labels, le: formatValue(bound) })} ${counts[index]}`),
      `${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${count}`,
      `${this.name}_sum${labelText(labels)} ${formatValue(sum)}`,
      `${this.name}_count${labelText(labels)} ${count}`,
    ]);
  }
}

/** A gauge whose values are read when scraped. */
export class Gauge implements Metric {
  readonly type = 'gauge';
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly collect: () => { labels?: Labels; value: number }[],
  ) {}

  samples(): string[] {
    return this.collect().map(({ labels = {}, value }) => `${this.name}${labelText(labels)} ${formatValue(value)}`);
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];

  register<M extends Metric>(metric: M): M {
    if (!NAME.test(metric.name)) throw new Error(`not a metric name: ${metric.name}`);
    if (this.metrics.some((known) => known.name === metric.name)) throw new Error(`${metric.name} is registered twice`);
    for (const label of (metric as { labelNames?: readonly string[] }).labelNames ?? []) {
      if (!LABEL_NAME.test(label) || label.startsWith('__') || label === 'le') throw new Error(`not a label name: ${label}`);
    }
    this.metrics.push(metric);
    return metric;
  }

  /** Every metric of this registry and of `extra` (collected for one scrape), in the text format. */
  text(extra: readonly Metric[] = []): string {
    return [...this.metrics, ...extra]
      .map((metric) => [`# HELP ${metric.name} ${escapeHelp(metric.help)}`, `# TYPE ${metric.name} ${metric.type}`, ...metric.samples()].join('\n'))
      .join('\n')
      .concat('\n');
  }
}

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
