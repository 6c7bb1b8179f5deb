import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePrometheus, sampleValue } from '../../test/helpers/prometheus.js';
import { Counter, Gauge, Histogram, Registry } from './registry.js';

test('label values with quotes, backslashes and newlines are escaped, and read back as sent', () => {
  const registry = new Registry();
  const counter = registry.register(new Counter('t_total', 'A help text with a \\ and a\nnewline.', ['code']));
  const nasty = 'a "quoted" \\ back\nslash';
  counter.inc({ code: nasty }, 2);
  counter.inc({ code: nasty });
  counter.inc({ code: 'plain' });
  const families = parsePrometheus(registry.text());
  assert.equal(sampleValue(families, 't_total', 't_total', { code: nasty }), 3);
  assert.equal(sampleValue(families, 't_total', 't_total', { code: 'plain' }), 1);
  assert.equal(families.get('t_total')!.help, 'A help text with a \\\\ and a\\nnewline.');
});

test('histograms are cumulative, end with +Inf equal to the count, and keep a sum', () => {
  const registry = new Registry();
  const histogram = registry.register(new Histogram('t_seconds', 'Durations.', [0.1, 1, 10], ['job']));
  for (const value of [0.05, 0.5, 0.5, 5, 50]) histogram.observe({ job: 'x' }, value);
  const text = registry.text();
  const families = parsePrometheus(text);
  const bucket = (le: string) => sampleValue(families, 't_seconds', 't_seconds_bucket', { job: 'x', le });
  assert.deepEqual(['0.1', '1', '10', '+Inf'].map(bucket), [1, 3, 4, 5]);
  assert.equal(sampleValue(families, 't_seconds', 't_seconds_sum', { job: 'x' }), 56.05);
  assert.equal(sampleValue(families, 't_seconds', 't_seconds_count', { job: 'x' }), 5);
  assert.match(text, /^# HELP t_seconds Durations\.\n# TYPE t_seconds histogram\nt_seconds_bucket\{job="x",le="0\.1"\} 1\n/);
});

test('gauges are read at scrape time; an empty family still has its HELP and TYPE', () => {
  const registry = new Registry();
  let value = 1;
  registry.register(new Gauge('t_gauge', 'Now.', () => [{ labels: { pool: 'primary' }, value }]));
  registry.register(new Gauge('t_empty', 'Nothing yet.', () => []));
  value = 7;
  const families = parsePrometheus(registry.text());
  assert.equal(sampleValue(families, 't_gauge', 't_gauge', { pool: 'primary' }), 7);
  assert.deepEqual(families.get('t_empty')!.samples, []);
});

test('bad names, unknown labels, falling counters and duplicate metrics are refused', () => {
  const registry = new Registry();
  assert.throws(() => registry.register(new Counter('bad-name', 'x')), /not a metric name/);
  assert.throws(() => registry.register(new Counter('ok_total', 'x', ['le'])), /not a label name/);
  const counter = registry.register(new Counter('ok_total', 'x', ['a']));
  assert.throws(() => registry.register(new Counter('ok_total', 'x')), /registered twice/);
  assert.throws(() => counter.inc({ b: '1' }), /no label b/);
  assert.throws(() => counter.inc({ a: '1' }, -1), /only goes up/);
  assert.throws(() => new Histogram('h', 'x', [1, 1]), /buckets must increase/);
});

test('the strict reader refuses what Prometheus would', () => {
  for (const bad of [
    'x 1\n', // no TYPE
    '# HELP x h\n# TYPE x counter\nx{a="unterminated} 1\n',
    '# HELP x h\n# TYPE x counter\nx 1', // no final newline
    '# HELP x h\n# TYPE x counter\nx one\n',
    '# HELP x h\n# TYPE x histogram\nx_bucket{le="1"} 2\nx_bucket{le="+Inf"} 1\nx_sum 1\nx_count 1\n',
  ]) {
    assert.throws(() => parsePrometheus(bad), Error, JSON.stringify(bad));
  }
});
