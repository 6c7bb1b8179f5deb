/**
 * Where the benchmarks' figures live: each benchmark calls `figure(...)` for a
 * measured value, which prints it beside its goal (met, or missed by how much)
 * and keeps it; `npm run bench` ends by printing every goal again and writing
 * all figures to a JSON file (`writeReport`), so two runs can be compared.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** `max`: the value must stay under `value`; `min`: it must reach at least `value`. */
export interface Goal {
  kind: 'max' | 'min';
  value: number;
}

export interface Figure {
  /** Stable name, e.g. `ingest.ratio_to_copy` or `reads.p95_ms./api/v1/records`. */
  name: string;
  value: number;
  unit: string;
  goal?: Goal;
  /** What the figure was measured on, in a few words (sizes, server, concurrency). */
  detail?: string;
}

export interface MeasuredFigure extends Figure {
  met: boolean | null;
  measuredAt: string;
}

const figures: MeasuredFigure[] = [];

export const underGoal = (value: number): Goal => ({ kind: 'max', value });
export const atLeastGoal = (value: number): Goal => ({ kind: 'min', value });

const formatValue = (value: number) =>
  Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-GB') : value.toLocaleString('en-GB', { maximumFractionDigits: 2 });

/** "goal under 400 MB: met" or "goal at least 0.6: MISSED by 35%". */
export function describeGoal(figure: Figure): string {
  if (!figure.goal) return 'no goal';
  const { kind, value } = figure.goal;
  const met = isMet(figure);
  const words = `goal ${kind === 'max' ? 'under' : 'at least'} ${formatValue(value)} ${figure.unit}`.trimEnd();
  if (met) return `${words}: met`;
  const missedBy = kind === 'max' ? (figure.value - value) / value : (value - figure.value) / value;
  return `${words}: MISSED by ${(missedBy * 100).toFixed(0)}%`;
}

function isMet(figure: Figure): boolean | null {
  if (!figure.goal) return null;
  return figure.goal.kind === 'max' ? figure.value < figure.goal.value : figure.value >= figure.goal.value;
}

/** Records a measured figure and prints it beside its goal. */
export function figure(measured: Figure): MeasuredFigure {
  const kept: MeasuredFigure = { ...measured, met: isMet(measured), measuredAt: new Date().toISOString() };
  figures.push(kept);
  const detail = measured.detail ? ` (${measured.detail})` : '';
  console.log(`  ${measured.name}: ${formatValue(measured.value)} ${measured.unit}${detail}; ${describeGoal(measured)}`);
  return kept;
}

export function recordedFigures(): readonly MeasuredFigure[] {
  return figures;
}

/** Prints every goal and whether it was met, then writes all figures as JSON to `file`. */
export function writeReport(file: string, context: Record<string, unknown> = {}): void {
  const withGoals = figures.filter((kept) => kept.goal);
  console.log(
    withGoals.length === 0
      ? '\n== no goals in these benchmarks =='
      : `\n== goals (${withGoals.filter((kept) => kept.met).length} of ${withGoals.length} met) ==`,
  );
  for (const kept of withGoals) console.log(`  ${kept.met ? 'met   ' : 'MISSED'} ${kept.name}: ${formatValue(kept.value)} ${kept.unit}; ${describeGoal(kept)}`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const machine = { cpus: os.cpus().length, loadAverage: os.loadavg(), totalMemoryBytes: os.totalmem(), node: process.version };
  fs.writeFileSync(file, `${JSON.stringify({ writtenAt: new Date().toISOString(), machine, ...context, figures }, null, 2)}\n`);
  console.log(`figures written to ${file}`);
}
