/**
 * Start-up: `feedlog --help` and a warm `npm start`, each the way a person runs
 * it (a child process of bin/feedlog.js, which runs the compiled dist/), beside
 * the tsx way that compiled the sources at every start, measured in the same run.
 * Warm: the embedded data directory exists and is migrated. The server is timed
 * from spawn to its first 200 from /healthz, with its PostgreSQL stopped (the
 * server starts it: `npm start` after a reboot), then already running.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { config, ROOT_DIR } from '../src/config.js';
import { ensureEmbeddedPostgres, isListening } from '../src/db/embedded.js';
import { logToStderr } from '../src/logger.js';
import { freePort } from '../test/helpers/free-port.js';

const HELP_GOAL_S = 0.5;
const START_GOAL_S = 3;
const WAYS = { dist: ['bin/feedlog.js'], tsx: ['--import', 'tsx', 'src/cli/main.ts'] } as const;
type Way = keyof typeof WAYS;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function childEnv(changes: Record<string, string>): Record<string, string> {
  const env: Record<string, string | undefined> = { ...process.env, DATABASE_URL: undefined, LOG_LEVEL: 'warn', ...changes };
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function timeHelp(way: Way, runs: number): number {
  const times: number[] = [];
  for (let run = -1; run < runs; run++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, [...WAYS[way], '--help'], { cwd: ROOT_DIR, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`feedlog --help (${way}) failed:\n${result.stderr}`);
    if (run >= 0) times.push(performance.now() - started); // run -1 warms the disk cache (and builds dist/ if stale)
  }
  return median(times);
}

/** How long a started server may take to stop after SIGTERM (SHUTDOWN_TIMEOUT_MS is 30 s by default, for requests still running). */
const STOP_TIMEOUT_MS = 45_000;

async function timeStart(way: Way, env: Record<string, string>, httpPort: number): Promise<number> {
  const started = performance.now();
  const server = spawn(process.execPath, [...WAYS[way], 'serve'], { cwd: ROOT_DIR, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  server.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
  const answered = await untilHealthy(way, server, httpPort, started, () => stderr).catch((error: Error) => error);
  server.kill('SIGTERM');
  // A server that ignores SIGTERM is a failure to report, not a benchmark that waits forever.
  const stopped = await Promise.race([exited.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), STOP_TIMEOUT_MS))]);
  if (!stopped) {
    server.kill('SIGKILL');
    await exited;
    throw new Error(`feedlog serve (${way}) was still running ${STOP_TIMEOUT_MS / 1000} s after SIGTERM (killed):\n${stderr}`);
  }
  if (answered instanceof Error) throw answered;
  return answered;
}

/** Milliseconds from `started` to the first 200 from /healthz. */
async function untilHealthy(way: Way, server: ChildProcess, httpPort: number, started: number, stderr: () => string): Promise<number> {
  for (;;) {
    if (server.exitCode !== null) throw new Error(`feedlog serve (${way}) exited:\n${stderr()}`);
    // A request that never returns must not hold the benchmark either.
    const ok = await fetch(`http://127.0.0.1:${httpPort}/healthz`, { signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return performance.now() - started;
    if (performance.now() - started > 60_000) throw new Error(`feedlog serve (${way}) did not answer in 60 s:\n${stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function benchStartup(): Promise<void> {
  const runs = 7;
  const help = { dist: timeHelp('dist', runs), tsx: timeHelp('tsx', runs) };
  console.log(
    `feedlog --help, median of ${runs}: dist ${seconds(help.dist)}, tsx ${seconds(help.tsx)} (x${(help.tsx / help.dist).toFixed(1)}); goal ${HELP_GOAL_S} s: ${help.dist <= HELP_GOAL_S * 1000 ? 'met' : 'MISSED'}`,
  );

  // Spare folder and ports: nothing of a developer's own server or data is touched.
  const dataDir = path.join(config().dataDir, 'bench-startup');
  const [httpPort, pgPort] = [await freePort(), await freePort()];
  const env = childEnv({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), PORT: String(httpPort) });
  const migrated = spawnSync(process.execPath, [...WAYS.dist, 'migrate'], { cwd: ROOT_DIR, env, encoding: 'utf8' });
  if (migrated.status !== 0) throw new Error(`feedlog migrate failed:\n${migrated.stderr}`);

  const starts = 3;
  const measure = async (way: Way) => {
    const times: number[] = [];
    for (let run = 0; run < starts; run++) times.push(await timeStart(way, env, httpPort));
    return median(times);
  };
  const cold = { dist: await measure('dist'), tsx: await measure('tsx') };
  if (await isListening(pgPort)) throw new Error('the server left its PostgreSQL running');
  console.log(
    `warm npm start to /healthz, its PostgreSQL stopped, median of ${starts}: dist ${seconds(cold.dist)}, tsx ${seconds(cold.tsx)}; goal ${START_GOAL_S} s: ${cold.dist <= START_GOAL_S * 1000 ? 'met' : 'MISSED'}`,
  );

  const postgres = await ensureEmbeddedPostgres(dataDir, pgPort);
  try {
    const running = { dist: await measure('dist'), tsx: await measure('tsx') };
    console.log(`warm npm start to /healthz, its PostgreSQL already running, median of ${starts}: dist ${seconds(running.dist)}, tsx ${seconds(running.tsx)}`);
  } finally {
    await postgres.release();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  logToStderr();
  await benchStartup();
  process.exit(0);
}
