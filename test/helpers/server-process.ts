import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { ROOT_DIR } from '../../src/config.js';
import { childEnv, FEEDLOG } from './cli.js';
import { freePort } from './free-port.js';

export interface ServerProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or the signal) once the process has ended. */
  exited: Promise<number | string | null>;
  /** Ends the process with SIGKILL, unless it has ended already, and waits for it. */
  kill(): Promise<void>;
}

/**
 * Spawns the real server (`feedlog serve` from the sources, as in
 * test/serve.e2e.test.ts) on a free loopback port against `databaseUrl`, and
 * resolves once `/readyz` answers 200.
 */
export async function startServer(databaseUrl: string, env: Record<string, string | undefined> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...FEEDLOG, 'serve'], {
    cwd: ROOT_DIR,
    env: childEnv({ DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'production', SCHEDULER: 'off', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  let ended = false;
  void exited.then(() => (ended = true));
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 90_000; ; await sleep(100)) {
    if (ended) throw new Error(`the server exited before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server was not ready within 90 s:\n${output}`);
    }
    const ready = await fetch(`${url}/readyz`).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ready) break;
  }
  return {
    url,
    child,
    output: () => output,
    exited,
    async kill() {
      if (!ended) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Resolves once some backend of `databaseUrl`'s server runs a statement that
 * matches `pattern` (such as an insert into feed_records), polling
 * pg_stat_activity; rejects after `timeoutMs`.
 */
export async function waitForStatement(databaseUrl: string, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(10)) {
      const { rows } = await client.query<{ query: string }>(
        "SELECT query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'",
      );
      if (rows.some((row) => pattern.test(row.query))) return;
    }
    throw new Error(`no statement matching ${pattern} ran within ${timeoutMs} ms`);
  } finally {
    await client.end();
  }
}

/** Posts a run over real HTTP (fetch) with an ingest token; resolves with the status, headers and text. */
export async function postOverHttp(url: string, token: string, body: string) {
  const res = await fetch(`${url}/api/v1/sync-runs`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body,
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text() };
}
