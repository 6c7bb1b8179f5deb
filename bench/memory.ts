/**
 * Peak resident memory of the app while it ingests 100,000-record runs (gzip,
 * over loopback HTTP). The app runs in a child process (bench/memory-server.ts),
 * so the bodies built here never count; a 503 is retried after its Retry-After,
 * as an engine would, so every run is stored.
 * - ten runs of one integration, one after another (a day apart), into one
 *   process: the peak during the first and during the tenth (goal: each under
 *   400 MB; a process that kept what each run left would grow run by run);
 * - four such runs posted at once into four integrations of a fresh process
 *   (goal: under 1 GB whatever the concurrency).
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { makeLargeRun } from '../test/helpers/large-run.js';
import { figure, underGoal } from './report.js';

const SIZE = 100_000;
const RUNS = Number(process.env.BENCH_MEMORY_RUNS ?? 10);
const MB = 1024 * 1024;

/** One POST on a connection of its own (a kept-alive one may be closed by the server while the next body is built). */
function postOnce(port: number, token: string, body: Buffer): Promise<{ status: number; retryAfter: number }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/sync-runs',
        method: 'POST',
        agent: false,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': body.length },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, retryAfter: Number(response.headers['retry-after'] ?? 1) }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function post(port: number, token: string, body: Buffer): Promise<{ status: number; refused: number }> {
  for (let refused = 0; ; refused++) {
    const { status, retryAfter } = await postOnce(port, token, body);
    if (status !== 503) return { status, refused };
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
  }
}

interface Peak {
  peakBytes: number;
  rssBytes?: number;
  heapUsedBytes?: number;
}

function startServer(integrations: number) {
  const child = fork(fileURLToPath(new URL('./memory-server.ts', import.meta.url)), [String(integrations)], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  });
  const next = () => new Promise<Record<string, unknown>>((resolve) => child.once('message', (message) => resolve(message as Record<string, unknown>)));
  const ask = async (message: 'mark' | 'exit') => {
    const answer = next();
    child.send(message);
    return (await answer) as unknown as Peak;
  };
  return { next, ask };
}

const bodyOf = (runId: string, day: number) => {
  const startedAt = new Date(Date.UTC(2026, 10, 1 + day, 2)).toISOString();
  return gzipSync(JSON.stringify({ ...makeLargeRun(SIZE, runId), started_at: startedAt, finished_at: startedAt }));
};

/** Ten runs one after another into one process: the peak RSS of each. */
async function peaksInOneProcess(): Promise<{ peaks: Peak[]; statuses: number[] }> {
  const { next, ask } = startServer(1);
  const { port, tokens } = (await next()) as { port: number; tokens: string[] };
  const peaks: Peak[] = [];
  const statuses: number[] = [];
  await ask('mark');
  for (let run = 0; run < RUNS; run++) {
    const body = bodyOf(`memory-run-${run}`, run);
    const { status } = await post(port, tokens[0]!, body);
    statuses.push(status);
    const peak = await ask('mark');
    peaks.push(peak);
    console.log(
      `memory: run ${run + 1} of ${RUNS} (${SIZE / 1000}k records, answered ${status}) peaked at ${(peak.peakBytes / MB).toFixed(0)} MB RSS; ` +
        `after it ${(peak.rssBytes! / MB).toFixed(0)} MB RSS, ${(peak.heapUsedBytes! / MB).toFixed(0)} MB heap used`,
    );
  }
  await ask('exit');
  return { peaks, statuses };
}

/** Peak RSS of a fresh app process that ingests `concurrency` runs posted at once. */
async function peakOfConcurrent(concurrency: number): Promise<{ peakBytes: number; refused: number; statuses: string }> {
  const { next, ask } = startServer(concurrency);
  const { port, tokens } = (await next()) as { port: number; tokens: string[] };
  const bodies = tokens.map((_, index) => gzipSync(JSON.stringify(makeLargeRun(SIZE, `memory-${index}`))));
  const results = await Promise.all(tokens.map((token, index) => post(port, token, bodies[index]!)));
  // Reported rather than thrown: a failed run still says how much memory it took.
  const statuses = results.map((result) => result.status).join(', ');
  const { peakBytes } = await ask('exit');
  return { peakBytes, refused: results.reduce((sum, result) => sum + result.refused, 0), statuses };
}

export async function benchMemory(): Promise<void> {
  const { peaks, statuses } = await peaksInOneProcess();
  const answered = `answered ${[...new Set(statuses)].join(', ')}`;
  figure({
    name: 'memory.first_run_peak_rss',
    value: peaks[0]!.peakBytes / MB,
    unit: 'MB',
    goal: underGoal(400),
    detail: `first ${SIZE / 1000}k-record run in a fresh process, ${answered}`,
  });
  figure({
    name: 'memory.tenth_run_peak_rss',
    value: peaks.at(-1)!.peakBytes / MB,
    unit: 'MB',
    goal: underGoal(400),
    detail: `run ${peaks.length} of ${peaks.length} into one process, one after another, ${answered}`,
  });
  const four = await peakOfConcurrent(4);
  console.log(
    `memory: 4 such runs posted at once peak at ${(four.peakBytes / MB).toFixed(0)} MB RSS (goal under 1024 MB); ` +
      `answered ${four.statuses} after ${four.refused} 503(s) retried after their Retry-After`,
  );
  figure({ name: 'memory.four_at_once_peak_rss', value: four.peakBytes / MB, unit: 'MB', goal: underGoal(1024), detail: `answered ${four.statuses}` });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchMemory();
  process.exit(0);
}
