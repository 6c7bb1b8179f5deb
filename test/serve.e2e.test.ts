import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ROOT_DIR } from '../src/config.js';
import { isListening } from '../src/db/embedded.js';
import { childEnv, FEEDLOG, runCli } from './helpers/cli.js';
import { freePort } from './helpers/free-port.js';
import { makeRun } from './helpers/fixtures.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'feedlog-serve-'));
let server: ChildProcess | undefined;
after(() => {
  server?.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('on the embedded database: npm start serves, the CLI works beside it, and SIGTERM lets in-flight requests finish', { timeout: 120_000 }, async () => {
  const pgPort = await freePort();
  const httpPort = await freePort();
  // No DATABASE_URL: the embedded database, as on a newcomer's machine.
  const embedded = { DATABASE_URL: undefined, DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort) };
  const env = childEnv({ ...embedded, PORT: String(httpPort), LOG_LEVEL: 'info' });

  server = spawn(process.execPath, [...FEEDLOG, 'serve'], { cwd: ROOT_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  server.stdout!.on('data', (chunk) => (output += chunk));
  server.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => server!.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const check = setInterval(() => {
      if (output.includes('feedlog is running on')) {
        clearTimeout(timer);
        clearInterval(check);
        resolve();
      }
    }, 50);
  });
  assert.match(output, /No users yet/);
  assert.match(output, /npm run feedlog -- org create/);
  assert.match(output, /npm run feedlog -- user create --email <you@example.com> --role admin --org <slug>/);
  assert.ok(fs.existsSync(path.join(dataDir, 'pg', 'PG_VERSION')), 'the data lives in DATA_DIR');

  const health = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
  assert.equal(health.status, 200);

  // The CLI, in another process, uses the server's embedded database, even when
  // not told its port: it reads it from the data directory (postmaster.pid).
  const org = await runCli(['org', 'create', 'acme', '--name', 'Acme'], { ...embedded, EMBEDDED_PG_PORT: undefined });
  assert.equal(org.code, 0, org.stderr);
  const integration = await runCli(['integration', 'create', '--org', 'acme', '--name', 'Fourth', '--schedule', '15m'], embedded);
  assert.equal(integration.code, 0, integration.stderr);
  const token = integration.lastLine;
  assert.ok(await isListening(pgPort), "the CLI left the server's database running");

  // Send half a run, stop the server, send the rest: the request must still succeed.
  const body = JSON.stringify(makeRun({ run_id: 'in-flight' }));
  const half = Math.floor(body.length / 2);
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: httpPort,
        path: '/api/v1/sync-runs',
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      },
    );
    req.on('error', (error) => reject(new Error(`${error.message}\n${output}`)));
    req.write(body.slice(0, half));
    setTimeout(() => {
      server!.kill('SIGTERM');
      setTimeout(() => req.end(body.slice(half)), 500);
    }, 200);
  });
  const answered = await response;
  assert.equal(answered.status, 201, answered.text);
  assert.equal(await exited, 0, output);
  assert.equal(await isListening(httpPort), false);
  assert.equal(await isListening(pgPort), false, 'the embedded PostgreSQL stopped with the server that started it');
});
