/**
 * What the trends page draws: for each chart, the chart.js data its canvas
 * carries in `data-chart` (JSON, escaped by EJS; public/trends.js draws it) and
 * the table under it with the same numbers. Pure, from the report the API
 * answers too.
 */
import { quote } from '../classify/guidance.js';
import { shorten } from '../shared/shorten.js';
import type { ChartName } from './trends.schemas.js';
import type { TrendsReport } from './trends.read.js';

export interface ChartDataset {
  label: string;
  data: (number | null)[];
  /** A line over bars (cadence's expected runs). */
  type?: 'line' | 'bar';
  /** One of the palette's colours, by index; trends.js picks the colour. */
  colour: number;
  /** Drawn dashed (a reference line, such as the expected runs). */
  dashed?: boolean;
}

export interface ChartData {
  type: 'bar' | 'line';
  stacked: boolean;
  /** Bars along the x axis, one per label (the top values). */
  horizontal?: boolean;
  /** Percent axis from 0 to 100. */
  percent?: boolean;
  /** The unit of the y axis, shown as its title. */
  unit: string;
  labels: string[];
  datasets: ChartDataset[];
}

export interface ChartTable {
  caption: string;
  columns: { label: string; num: boolean }[];
  /** The first cell of each row is its header (th scope="row"). */
  rows: string[][];
  /** Where each row's header links to, if anywhere (a value's error group). */
  links?: (string | null)[];
}

export interface TrendsChart {
  name: ChartName;
  title: string;
  description: string;
  /** Empty: nothing in the range, the chart is not drawn. */
  empty: string | null;
  data: ChartData | null;
  table: ChartTable;
}

const number = (value: number | null | undefined, digits = 0) =>
  value === null || value === undefined ? '—' : value.toLocaleString('en', { maximumFractionDigits: digits });

const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);

const FIELD_LABELS: Readonly<Record<string, string>> = { job_title: 'job title', department: 'department', branch: 'branch' };
const shownValue = (value: string | null) => (value === null ? '(missing)' : quote(shorten(value, 60)));

/** The charts of a report, in page order. Values from the engines are cut and quoted (hidden characters shown). */
export function chartsOf(report: TrendsReport): TrendsChart[] {
  const labels = report.buckets.map((b) => b.label);
  const anyRuns = report.buckets.some((b) => b.runs > 0);
  const noRuns = 'No run in this range.';
  const bucketRows = (cells: (b: TrendsReport['buckets'][number]) => string[]) => report.buckets.map((b) => [b.label, ...cells(b)]);
  const col = (label: string, num = true) => ({ label, num });
  const anyExpected = report.buckets.some((b) => b.expected_runs > 0 || b.missed_runs > 0);
  return [
    {
      name: 'errors',
      title: 'Errors per code',
      description: 'Errors of the runs started in each bucket, stacked by code (run-level codes such as run_failed included).',
      empty: report.codes.length === 0 ? 'No error in this range.' : null,
      data: {
        type: 'bar',
        stacked: true,
        unit: 'errors',
        labels,
        datasets: report.codes.map((code, i) => ({ label: code, data: report.buckets.map((b) => b.errors[code] ?? 0), colour: i })),
      },
      table: {
        caption: 'Errors per code and bucket',
        columns: [col('Bucket', false), ...report.codes.map((code) => col(code)), col('Total')],
        rows: bucketRows((b) => {
          const counts = report.codes.map((code) => b.errors[code] ?? 0);
          return [...counts.map((n) => number(n)), number(counts.reduce((a, n) => a + n, 0))];
        }),
      },
    },
    {
      name: 'success',
      title: 'Run success rate',
      description:
        'Runs that did not fail, in percent of the runs started in each bucket; runs that completed with errors count as succeeded, and are shown apart.',
      empty: anyRuns ? null : noRuns,
      data: {
        type: 'line',
        stacked: false,
        percent: true,
        unit: 'percent of runs',
        labels,
        datasets: [
          { label: 'Success rate', data: report.buckets.map((b) => b.success_rate), colour: 0 },
          {
            label: 'Runs without errors',
            data: report.buckets.map((b) => (b.runs === 0 ? null : Math.round(((b.runs - b.failed_runs - b.runs_with_errors) / b.runs) * 1000) / 10)),
            colour: 2,
            dashed: true,
          },
        ],
      },
      table: {
        caption: 'Run success rate per bucket',
        columns: [col('Bucket', false), col('Runs'), col('Failed'), col('With errors'), col('Success rate (%)')],
        rows: bucketRows((b) => [number(b.runs), number(b.failed_runs), number(b.runs_with_errors), number(b.success_rate, 1)]),
      },
    },
    {
      name: 'records',
      title: 'Records per run',
      description:
        'The average and the smallest number of records a run sent in each bucket: a sync that silently sends fewer employees shows as a drop of the minimum.',
      empty: anyRuns ? null : noRuns,
      data: {
        type: 'line',
        stacked: false,
        unit: 'records per run',
        labels,
        datasets: [
          { label: 'Average', data: report.buckets.map((b) => b.records_per_run_avg), colour: 0 },
          { label: 'Minimum', data: report.buckets.map((b) => b.records_per_run_min), colour: 1 },
        ],
      },
      table: {
        caption: 'Records per run, per bucket',
        columns: [col('Bucket', false), col('Runs not failed'), col('Records'), col('Average per run'), col('Smallest run')],
        rows: bucketRows((b) => [number(b.runs - b.failed_runs), number(b.records), number(b.records_per_run_avg, 1), number(b.records_per_run_min)]),
      },
    },
    {
      name: 'duration',
      title: 'Run duration',
      description: 'How long runs took (finished_at − started_at), average and longest per bucket, in seconds.',
      empty: anyRuns ? null : noRuns,
      data: {
        type: 'line',
        stacked: false,
        unit: 'seconds',
        labels,
        datasets: [
          { label: 'Average', data: report.buckets.map((b) => seconds(b.duration_avg_ms)), colour: 0 },
          { label: 'Longest', data: report.buckets.map((b) => seconds(b.duration_max_ms)), colour: 1 },
        ],
      },
      table: {
        caption: 'Run duration per bucket (seconds)',
        columns: [col('Bucket', false), col('Runs'), col('Average (s)'), col('Longest (s)')],
        rows: bucketRows((b) => [number(b.runs), number(seconds(b.duration_avg_ms), 1), number(seconds(b.duration_max_ms), 1)]),
      },
    },
    {
      name: 'cadence',
      title: 'Cadence',
      description:
        "Runs started in each bucket against the runs the schedule expected; missed runs are the slots that passed their grace with no run (the scheduler's gaps).",
      empty: anyRuns || anyExpected ? null : 'No run and no schedule in this range.',
      data: {
        type: 'bar',
        stacked: false,
        unit: 'runs',
        labels,
        datasets: [
          { label: 'Runs', data: report.buckets.map((b) => b.runs), colour: 0 },
          { label: 'Missed', data: report.buckets.map((b) => b.missed_runs), colour: 1 },
          { label: 'Expected', data: report.buckets.map((b) => b.expected_runs), type: 'line', colour: 3, dashed: true },
        ],
      },
      table: {
        caption: 'Runs, expected runs and missed runs per bucket',
        columns: [col('Bucket', false), col('Runs'), col('Expected'), col('Missed')],
        rows: bucketRows((b) => [number(b.runs), number(b.expected_runs, 2), number(b.missed_runs)]),
      },
    },
    {
      name: 'values',
      title: 'Top mismatched values',
      description:
        "The job titles, departments and branches the target's catalog lacks, by the employees each blocks now (the open members of its error group); the range does not apply.",
      empty: report.top_values.length === 0 ? 'No open mismatched value.' : null,
      data: {
        type: 'bar',
        stacked: false,
        horizontal: true,
        unit: 'employees blocked',
        labels: report.top_values.map((v) => `${FIELD_LABELS[v.field ?? ''] ?? v.field ?? 'value'} ${shownValue(v.value)}`),
        datasets: [{ label: 'Employees blocked', data: report.top_values.map((v) => v.employees_blocked), colour: 1 }],
      },
      table: {
        caption: 'Top mismatched values, by employees blocked now',
        columns: [col('Value', false), col('Field', false), col('Near match', false), col('Employees blocked')],
        rows: report.top_values.map((v) => [
          shownValue(v.value),
          FIELD_LABELS[v.field ?? ''] ?? v.field ?? '',
          v.expected === null ? '—' : shownValue(v.expected),
          number(v.employees_blocked),
        ]),
        links: report.top_values.map((v) => `/error-groups/${v.group}`),
      },
    },
  ];
}
