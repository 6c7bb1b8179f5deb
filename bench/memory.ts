/**
 * Peak resident memory of the app while it ingests 100,000-record runs (gzip,
 * over loopback HTTP): one run, then four at once into four integrations. The
 * app runs in a child process (bench/memory-server.ts), so the bodies built
 * here never count; a 503 is retried after its Retry-After, as an engine
 * would, so every run is stored. Goals: under 400 MB for one run, under 1 GB
 * whatever the concurrency.
 */
import { fork } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { makeLargeRun } from '../test/helpers/large-run.js';

const SIZE = 100_000;
const MB = 1024 * 1024;

async function post(port: number, token: string, body: Buffer): Promise<{ status: number; refused: number }> {
  for (let refused = 0; ; refused++) {
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/sync-runs`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body,
    });
    await response.arrayBuffer();
    if (response.status !== 503) return { status: response.status, refused };
    await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after') ?? 1) * 1000));
  }
}

/** Peak RSS of a fresh app process that ingests `concurrency` runs posted at once. */
async function peakOf(concurrency: number): Promise<{ peakBytes: number; refused: number; statuses: string }> {
  const child = fork(fileURLToPath(new URL('./memory-server.ts', import.meta.url)), [String(concurrency)], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  });
  const next = () => new Promise<Record<string, unknown>>((resolve) => child.once('message', (message) => resolve(message as Record<string, unknown>)));
  const { port, tokens } = (await next()) as { port: number; tokens: string[] };
  const bodies = tokens.map((_, index) => gzipSync(JSON.stringify(makeLargeRun(SIZE, `memory-${index}`))));
  const results = await Promise.all(tokens.map((token, index) => post(port, token, bodies[index]!)));
  // Reported rather than thrown: a failed run still says how much memory it took.
  const statuses = results.map((result) => result.status).join(', ');
  const peak = next();
  child.send('peak');
  const { peakBytes } = (await peak) as { peakBytes: number };
  return { peakBytes, refused: results.reduce((sum, result) => sum + result.refused, 0), statuses };
}

export async function benchMemory(): Promise<void> {
  const one = await peakOf(1);
  console.log(`memory: one ${SIZE / 1000}k-record run peaks at ${(one.peakBytes / MB).toFixed(0)} MB RSS (goal under 400 MB; answered ${one.statuses})`);
  const four = await peakOf(4);
  console.log(
    `memory: 4 such runs posted at once peak at ${(four.peakBytes / MB).toFixed(0)} MB RSS (goal under 1024 MB); ` +
      `answered ${four.statuses} after ${four.refused} 503(s) retried after their Retry-After`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchMemory();
  process.exit(0);
}
