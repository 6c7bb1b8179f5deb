import fs from 'node:fs';
import path from 'node:path';

/**
 * The port of the PostgreSQL running on `databaseDir` now, from the
 * postmaster.pid that PostgreSQL writes at start (line 1 its pid, line 4 its
 * port) and removes at a clean stop. This way a command finds the server's
 * database whatever port it was started on. Undefined when there is no such
 * file, it cannot be read, or its process is gone (a crash leaves the file).
 */
export function runningPort(databaseDir: string): number | undefined {
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(databaseDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isSafeInteger(pid) || pid <= 0 || !Number.isSafeInteger(port) || port <= 0 || port > 65535) return undefined;
  return isAlive(pid) ? port : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user (PostgreSQL runs as 'postgres' when feedlog runs as root).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
