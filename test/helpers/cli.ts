import { spawn } from 'node:child_process';
import { ROOT_DIR } from '../../src/config.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  lastLine: string;
}

/** The test process's environment with `changes` applied; an undefined value removes the variable. */
export function childEnv(changes: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string | undefined> = { ...process.env, LOG_LEVEL: 'warn', ...changes };
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/**
 * The node arguments that run the `feedlog` command from its TypeScript sources:
 * what bin/feedlog.js runs once compiled, without making the tests build dist/.
 */
export const FEEDLOG = ['--import', 'tsx', 'src/cli/main.ts'];

/** Runs the real `feedlog` command in a child process, as a person would; `nodeArgs` go before it. */
export function runCli(args: string[], env: Record<string, string | undefined>, input?: string, nodeArgs: string[] = []): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, ...FEEDLOG, ...args], {
      cwd: ROOT_DIR,
      env: childEnv(env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = stdout.trimEnd().split('\n');
      resolve({ code, stdout, stderr, lastLine: lines[lines.length - 1] ?? '' });
    });
    child.stdin.end(input ?? '');
  });
}
