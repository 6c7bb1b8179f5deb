/**
 * Sends a run to feedlog's ingest endpoint as an engine does (feed-format.md
 * "Transport"): the ingest token as a bearer, JSON, retries on 503 and 429
 * after the Retry-After the server gives.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunBody } from './generator.js';

/** A mistake the person running the simulator can fix: the message says how. */
export class SimulateError extends Error {}

export type PostOutcome = 'created' | 'already-stored' | 'conflict';

export interface PostOptions {
  url: string;
  token: string;
  /** Attempts on 503, 429 and network errors before giving up (default 8). */
  attempts?: number;
  /** Longest wait for one Retry-After, in seconds (default 60). */
  maxWaitSeconds?: number;
  /** Waits; tests pass a fake one. */
  wait?: (ms: number) => Promise<unknown>;
  /** Told about each retry (the progress line says it). */
  onRetry?: (reason: string, waitMs: number) => void;
}

/** Retry-After in milliseconds: seconds or an HTTP date; a bad or missing one waits `fallback`. */
export function retryAfterMs(header: string | null, fallbackMs: number, now = Date.now()): number {
  if (header === null) return fallbackMs;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? fallbackMs : Math.max(0, at - now);
}

async function problemDetail(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const problem = JSON.parse(text) as { detail?: string; errors?: { path: string; message: string }[] };
    const listed = (problem.errors ?? [])
      .slice(0, 5)
      .map((e) => `${e.path}: ${e.message}`)
      .join('; ');
    return [problem.detail, listed].filter(Boolean).join(' ');
  } catch {
    return text.slice(0, 300);
  }
}

export function ingestUrl(base: string): string {
  return `${base.replace(/\/+$/, '')}/api/v1/sync-runs`;
}

/** Posts one run; resolves with what the server did, throws a SimulateError saying what to do when it cannot be stored. */
export async function postRun(body: RunBody, options: PostOptions): Promise<PostOutcome> {
  const attempts = options.attempts ?? 8;
  const maxWait = (options.maxWaitSeconds ?? 60) * 1000;
  const wait = options.wait ?? sleep;
  const url = ingestUrl(options.url);
  const payload = JSON.stringify(body);
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
        body: payload,
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      if (attempt >= Math.min(attempts, 3)) {
        throw new SimulateError(`Cannot reach feedlog at ${options.url} (${cause}). Is it running? Start it with \`npm start\` (or pass the right --url).`);
      }
      const ms = 500 * 2 ** (attempt - 1);
      options.onRetry?.(`server unreachable (${cause})`, ms);
      await wait(ms);
      continue;
    }
    if (response.status === 201) {
      await response.body?.cancel();
      return 'created';
    }
    if (response.status === 200) {
      await response.body?.cancel();
      return 'already-stored';
    }
    if (response.status === 409) {
      await response.body?.cancel();
      return 'conflict';
    }
    if (response.status === 503 || response.status === 429) {
      const ms = Math.min(maxWait, retryAfterMs(response.headers.get('retry-after'), 1000 * attempt));
      await response.body?.cancel();
      if (attempt >= attempts) {
        throw new SimulateError(`feedlog kept answering ${response.status} after ${attempts} attempts for run ${body.run_id}; try again later.`);
      }
      options.onRetry?.(response.status === 429 ? 'rate limited' : 'server busy', ms);
      await wait(ms);
      continue;
    }
    const detail = await problemDetail(response);
    if (response.status === 401) {
      throw new SimulateError(
        `feedlog refused the token (401 ${detail}). Pass the integration's ingest token with --token: it is printed when the integration is created, and \`feedlog integration rotate-token --org <slug> --name <integration>\` prints a new one.`,
      );
    }
    if (response.status === 403) {
      throw new SimulateError(`feedlog refused the token (403 ${detail}). --token must be an ingest token (ing_...), not an API token.`);
    }
    if (response.status === 404) {
      throw new SimulateError(`${url} is not a feedlog ingest endpoint (404). Check --url: it is the address feedlog serves, such as http://localhost:3000.`);
    }
    throw new SimulateError(`feedlog refused run ${body.run_id} with ${response.status}: ${detail}`);
  }
}
