/**
 * A strict reader of Prometheus' text exposition format (0.0.4): every line must
 * be a HELP, a TYPE or a sample of a family announced before it; label values
 * must be escaped; histograms must have increasing `le`, cumulative buckets, a
 * `+Inf` bucket equal to `_count`, and a `_sum`. Throws on the first fault.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const VALUE = '(?:[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]Inf|NaN)';
const SAMPLE = new RegExp(`^(${NAME})(\\{(.*)\\})? (${VALUE})(?: (-?\\d+))?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\\\|\\"|\\n)*)"(,|$)/;

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const match = LABEL.exec(rest);
    if (!match) throw new Error(`bad labels in: ${line}`);
    if (match[1]! in labels) throw new Error(`label ${match[1]} twice in: ${line}`);
    labels[match[1]!] = match[2]!.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(match[0].length);
  }
  return labels;
}

const parseValue = (text: string) => (text === '+Inf' ? Number.POSITIVE_INFINITY : text === '-Inf' ? Number.NEGATIVE_INFINITY : Number(text));

export function parsePrometheus(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, Family>();
  const helped = new Map<string, string>();
  for (const line of text.slice(0, -1).split('\n')) {
    if (line.startsWith('# HELP ')) {
      const match = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line);
      if (!match) throw new Error(`bad HELP: ${line}`);
      if (helped.has(match[1]!)) throw new Error(`HELP twice for ${match[1]}`);
      helped.set(match[1]!, match[2]!);
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const match = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
      if (!match) throw new Error(`bad TYPE: ${line}`);
      if (families.has(match[1]!)) throw new Error(`TYPE twice for ${match[1]}`);
      const help = helped.get(match[1]!);
      if (help === undefined) throw new Error(`TYPE before HELP for ${match[1]}`);
      families.set(match[1]!, { name: match[1]!, help, type: match[2] as Family['type'], samples: [] });
      continue;
    }
    if (line.startsWith('#') || line.trim() === '') throw new Error(`unexpected line: ${JSON.stringify(line)}`);
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`bad sample line: ${line}`);
    const name = match[1]!;
    const family = families.get(name) ?? families.get(name.replace(/_(bucket|sum|count)$/, ''));
    if (!family) throw new Error(`sample before its TYPE: ${line}`);
    if (family.name !== name && family.type !== 'histogram' && family.type !== 'summary')
      throw new Error(`${name} is no sample of ${family.type} ${family.name}`);
    family.samples.push({ name, labels: match[3] === undefined ? {} : parseLabels(match[3], line), value: parseValue(match[4]!) });
  }
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function checkHistogram(family: Family): void {
  const series = new Map<string, Sample[]>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    series.set(key, [...(series.get(key) ?? []), sample]);
  }
  for (const [key, samples] of series) {
    const buckets = samples.filter((s) => s.name === `${family.name}_bucket`);
    const count = samples.find((s) => s.name === `${family.name}_count`);
    const sum = samples.find((s) => s.name === `${family.name}_sum`);
    if (!count || !sum || buckets.length === 0) throw new Error(`${family.name}${key}: buckets, _sum and _count are all needed`);
    let bound = Number.NEGATIVE_INFINITY;
    let cumulative = 0;
    for (const bucket of buckets) {
      const le = parseValue(bucket.labels.le ?? 'none');
      if (!(le > bound)) throw new Error(`${family.name}${key}: le must increase (${bucket.labels.le})`);
      if (bucket.value < cumulative) throw new Error(`${family.name}${key}: buckets must be cumulative`);
      bound = le;
      cumulative = bucket.value;
    }
    if (bound !== Number.POSITIVE_INFINITY) throw new Error(`${family.name}${key}: the last bucket must be le="+Inf"`);
    if (cumulative !== count.value) throw new Error(`${family.name}${key}: the +Inf bucket must equal _count`);
  }
}

/** The value of one sample, or undefined. */
export function sampleValue(families: Map<string, Family>, family: string, name: string, labels: Record<string, string> = {}): number | undefined {
  return families.get(family)?.samples.find((s) => s.name === name && Object.entries(labels).every(([label, value]) => s.labels[label] === value))?.value;
}
