/**
 * The example corpus of shared/spec/examples and a comparison against its truth.json, for
 * tests only: examples.test.ts classifies the corpus in memory, and the end-to-end test
 * ingests it through the HTTP API; both compare with diffAgainstTruth.
 *
 * The examples live beside the repository (shared/ next to main/, as CI clones it), so
 * the folder is found from this file's own location, not from the working directory.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FeedRun } from '../../src/classify/types.js';

export interface TruthError {
  code: string;
  field: string | null;
  variant: string | null;
  expected: string | null;
}

export interface TruthRecord {
  index: number;
  external_id: string | null;
  email: string | null;
  errors: TruthError[];
}

export interface TruthRun {
  file: string;
  run_id: string;
  runErrors: TruthError[];
  records: TruthRecord[];
}

export interface ExampleRun {
  /** Path relative to the examples folder, e.g. "planday-flow/04.json". */
  file: string;
  /** The run document exactly as an engine would send it. */
  payload: FeedRun;
  truth: TruthRun;
}

export interface ExampleIntegration {
  integration: string;
  /** "15m" or a cron expression with its time zone, e.g. "0 2 * * * Europe/London". */
  schedule: string;
  runs: ExampleRun[];
}

/** The fields truth.json compares; extra fields of the actual errors are ignored. */
export type ComparableError = Pick<TruthError, 'code' | 'field' | 'variant' | 'expected'>;

export interface ActualRun {
  runErrors: readonly ComparableError[];
  /** recordErrors[i] are the errors of records[i]; a missing entry means none. */
  recordErrors: ReadonlyArray<readonly ComparableError[] | undefined>;
}

export interface Difference {
  /** The error code concerned, to group differences by. */
  code: string;
  /** One human-readable line: where, what was expected, what was found. */
  message: string;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export function examplesDir(): string {
  return path.resolve(repoRoot, '../shared/spec/examples');
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

/** Every integration of truth.json with its runs in file order, each with its payload. */
export function loadExampleCorpus(dir: string = examplesDir()): ExampleIntegration[] {
  const truth = readJson(path.join(dir, 'truth.json')) as Record<string, { schedule: string; runs: TruthRun[] }>;
  return Object.entries(truth).map(([integration, { schedule, runs }]) => ({
    integration,
    schedule,
    runs: runs.map((run) => ({
      file: run.file,
      payload: readJson(path.join(dir, run.file)) as FeedRun,
      truth: run,
    })),
  }));
}

function describe(error: ComparableError): string {
  const parts = [error.code];
  if (error.field !== null) parts.push(`field=${error.field}`);
  if (error.variant !== null) parts.push(`variant=${error.variant}`);
  if (error.expected !== null) parts.push(`expected=${JSON.stringify(error.expected)}`);
  return parts.join(' ');
}

function comparable(error: ComparableError): string {
  return JSON.stringify([error.code, error.field ?? null, error.variant ?? null, error.expected ?? null]);
}

/** Differences between two lists compared as multisets on code, field, variant and expected. */
function diffLists(where: string, expected: readonly ComparableError[], actual: readonly ComparableError[]): Difference[] {
  const remaining = new Map<string, ComparableError[]>();
  for (const error of actual) {
    const key = comparable(error);
    remaining.set(key, [...(remaining.get(key) ?? []), error]);
  }
  const differences: Difference[] = [];
  for (const error of expected) {
    const matches = remaining.get(comparable(error));
    if (matches && matches.length > 0) matches.shift();
    else differences.push({ code: error.code, message: `${where}: missing ${describe(error)}` });
  }
  for (const extras of remaining.values()) {
    for (const error of extras) {
      differences.push({ code: error.code, message: `${where}: unexpected ${describe(error)}` });
    }
  }
  return differences;
}

/**
 * Compares a classified run with its truth: run errors, and the errors of every record
 * (a record truth.json does not list must have none).
 */
export function diffAgainstTruth(actual: ActualRun, truth: TruthRun): Difference[] {
  const differences = diffLists(`${truth.file} run`, truth.runErrors, actual.runErrors);
  const listed = new Map(truth.records.map((record) => [record.index, record]));
  const indexes = new Set<number>(listed.keys());
  actual.recordErrors.forEach((errors, index) => {
    if (errors && errors.length > 0) indexes.add(index);
  });
  for (const index of [...indexes].sort((a, b) => a - b)) {
    const record = listed.get(index);
    const where = `${truth.file} record ${index}${record?.external_id ? ` (${record.external_id})` : ''}`;
    differences.push(...diffLists(where, record?.errors ?? [], actual.recordErrors[index] ?? []));
  }
  return differences;
}

/** The differences as text, grouped per code, for a failing test's message. */
export function formatDifferences(differences: readonly Difference[]): string {
  const byCode = new Map<string, string[]>();
  for (const difference of differences) {
    byCode.set(difference.code, [...(byCode.get(difference.code) ?? []), difference.message]);
  }
  return [...byCode.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, messages]) => `${code} (${messages.length}):\n${messages.map((message) => `  ${message}`).join('\n')}`)
    .join('\n');
}
