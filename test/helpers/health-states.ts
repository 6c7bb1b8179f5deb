/**
 * An organisation whose integrations are each in a different health at a
 * frozen `now` (src/overview/health.ts): the overview's e2e and browser tests
 * start from it. The runs are posted over HTTP as an engine would.
 */
import assert from 'node:assert/strict';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { createIntegration } from '../../src/integrations/integrations.service.js';
import { makeRun } from './fixtures.js';
import { postRun } from './ingest.js';

/** A run of `total` records (the same employees every time), `failed` of them failed with a job title the catalog lacks. */
export function runOf(runId: string, startedAt: Date, options: { total?: number; failed?: number; status?: string; runError?: string } = {}) {
  const total = options.total ?? 2;
  const failed = options.failed ?? 0;
  const records = Array.from({ length: total }, (_, i) => ({
    external_id: `emp-${i}`,
    action: 'update',
    outcome: i < failed ? 'failed' : 'succeeded',
    employee: {
      first_name: `First${i}`,
      last_name: 'Person',
      email: `p${i}@example.com`,
      job_title: i < failed ? 'kitchen porter' : 'Head Chef',
      department: 'Kitchen',
      branch: 'London Soho',
    },
    messages: i < failed ? [{ code: 'JOB_TITLE_NOT_FOUND', field: 'job_title', text: "Job title 'kitchen porter' does not exist" }] : [],
  }));
  const status = options.status ?? (failed > 0 ? 'completed_with_errors' : 'completed');
  return makeRun({
    run_id: runId,
    started_at: startedAt.toISOString(),
    finished_at: new Date(startedAt.getTime() + 30_000).toISOString(),
    status,
    run_error: options.runError ?? null,
    records: status === 'failed' ? [] : records,
  });
}

export interface HealthStates {
  ids: Record<string, number>;
  /** Posts a run to the named integration, expecting 201. */
  post(name: string, body: Record<string, unknown>): Promise<void>;
}

/**
 * In `orgSlug`, at `now` (the app must not rate-limit ingest):
 * - "Healthy feed" (15m): a day of runs, every other one failing one record, the last 5 min ago;
 * - "Late feed" (15m): its last run 20 min ago (the 11:55 slot is in grace);
 * - "Nightly feed" (02:00 Europe/Copenhagen): its last run two nights ago: missed;
 * - "Broken feed" (15m): a day of clean runs, the last one failed with `brokenError`;
 * - "Noisy feed" (1h): hourly runs failing 1 record in 50, the last one 20 in 50: failing;
 * - "Quiet feed" (15m): no run ever: silent.
 */
export async function seedHealthStates(knex: Knex, app: Express, now: Date, options: { orgSlug?: string; brokenError?: string } = {}): Promise<HealthStates> {
  const ids: Record<string, number> = {};
  const tokens: Record<string, string> = {};
  const add = async (name: string, schedule: string, timeZone?: string) => {
    const { integration, token } = await createIntegration(knex, { orgSlug: options.orgSlug ?? 'org-a', name, schedule, timeZone });
    ids[name] = Number(integration.id);
    tokens[name] = token;
  };
  const post = async (name: string, body: Record<string, unknown>) => {
    const response = await postRun(app, tokens[name]!, body);
    assert.equal(response.status, 201, response.text);
  };
  const minutesBefore = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
  await add('Healthy feed', '15m');
  await add('Late feed', '15m');
  await add('Nightly feed', '0 2 * * *', 'Europe/Copenhagen');
  await add('Broken feed', '15m');
  await add('Noisy feed', '1h');
  await add('Quiet feed', '15m');
  for (let k = 96; k >= 1; k -= 1) {
    const at = minutesBefore(5 + k * 15);
    await post('Healthy feed', runOf(`h-${k}`, at, { total: 2, failed: k % 2 }));
    await post('Broken feed', runOf(`b-${k}`, at, { total: 2 }));
    if (k % 4 === 0) await post('Noisy feed', runOf(`n-${k}`, minutesBefore(30 + k * 15), { total: 50, failed: 1 }));
  }
  await post('Healthy feed', runOf('h-now', minutesBefore(5), { total: 2, failed: 1 }));
  await post('Late feed', runOf('l-1', minutesBefore(20)));
  await post('Nightly feed', runOf('nightly-1', new Date(now.getTime() - 2 * 86_400_000 - 11 * 3_600_000 + 20_000)));
  await post('Broken feed', runOf('b-now', minutesBefore(5), { status: 'failed', runError: options.brokenError ?? 'Planday answered HTTP 503' }));
  await post('Noisy feed', runOf('n-now', minutesBefore(30), { total: 50, failed: 20 }));
  return { ids, post };
}
