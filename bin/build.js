// `npm run build` (and `npm install`, through prepare): compiles src/ and migrations/
// to dist/ with tsc. bin/feedlog.js calls buildIfStale() first, so a checkout whose
// sources changed since the last build runs what is on disk, never stale code.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = path.join(ROOT, 'dist');
// Its modification time is when the build that wrote dist/ started: a source saved during a build counts as newer.
const STAMP = path.join(DIST, '.built');
const LOCK = path.join(ROOT, '.dist-lock');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** The newest modification time of what the build reads; directories count, so that a deleted file triggers a build too. */
function newestSource() {
  let newest = 0;
  const visit = (entry) => {
    const stat = fs.statSync(entry);
    newest = Math.max(newest, stat.mtimeMs);
    if (!stat.isDirectory()) return;
    for (const name of fs.readdirSync(entry)) {
      if (name.endsWith('.ts') ? !name.endsWith('.test.ts') : !name.includes('.')) visit(path.join(entry, name));
    }
  };
  for (const entry of ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json']) visit(path.join(ROOT, entry));
  return newest;
}

export function isStale() {
  try {
    return fs.statSync(STAMP).mtimeMs < newestSource();
  } catch {
    return true;
  }
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Holds .dist-lock while `work` runs, so that two commands started at once do not build over each other. */
function withLock(work) {
  for (let waited = 0; ; waited += 100) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      // A build takes seconds: a lock this old was left by a process that died.
      if (waited >= 120_000) fs.rmSync(LOCK, { recursive: true, force: true });
      sleep(100);
    }
  }
  try {
    return work();
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

/**
 * Compiles into a fresh folder, then swaps it in for dist/: files of deleted
 * sources (a renamed migration!) never linger, and a failed build leaves the
 * previous dist/ as it was. Returns false, having said why on stderr, on failure.
 */
export function build() {
  if (!fs.existsSync(TSC)) {
    process.stderr.write('feedlog: cannot build dist/: TypeScript is not installed. Run npm install (it builds dist/ too).\n');
    return false;
  }
  const started = new Date();
  const fresh = path.join(ROOT, `.dist-${process.pid}`);
  // tsc reports on stdout, which belongs to the command's result: relay it to stderr.
  const tsc = spawnSync(process.execPath, [TSC, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', fresh], { cwd: ROOT, encoding: 'utf8' });
  if (tsc.status !== 0) {
    process.stderr.write(
      `${tsc.stdout ?? ''}${tsc.stderr ?? ''}feedlog: the build failed (tsc -p tsconfig.build.json); fix the errors above, or run the sources with npm run dev.\n`,
    );
    fs.rmSync(fresh, { recursive: true, force: true });
    return false;
  }
  fs.writeFileSync(path.join(fresh, '.built'), '');
  fs.utimesSync(path.join(fresh, '.built'), started, started);
  const old = path.join(ROOT, `.dist-old-${process.pid}`);
  if (fs.existsSync(DIST)) fs.renameSync(DIST, old);
  fs.renameSync(fresh, DIST);
  fs.rmSync(old, { recursive: true, force: true });
  return true;
}

/** Builds dist/ when it is missing or older than the sources; false when that build failed. */
export function buildIfStale() {
  if (!isStale()) return true;
  return withLock(() => {
    if (!isStale()) return true; // built by the process we waited for
    process.stderr.write('feedlog: the sources changed since dist/ was built: building it first (npm run build)...\n');
    return build();
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.exit(withLock(build) ? 0 : 1);
}
