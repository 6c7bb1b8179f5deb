import type { Knex } from 'knex';
import { scheduleOf } from '../runs/run-gaps.js';
import { checkIntegration } from './missed-runs.js';
import { claimDueIntegrations, deleteGapsNotFound, runsFrom, saveGaps, setNextCheck } from './missed-runs.queries.js';

export interface MissedRunCheckOptions {
  /** Integrations claimed (and locked) in one transaction. */
  batchSize?: number;
  /** Batches in one call; what is left waits for the next tick. */
  maxBatches?: number;
  /** Runs examined per integration and check; a longer history goes on at the next tick. */
  runsPerCheck?: number;
  /** The longest wait between two checks of an integration (a schedule edited meanwhile is seen then). */
  maxWaitMs?: number;
}

const DEFAULTS: Required<MissedRunCheckOptions> = { batchSize: 20, maxBatches: 50, runsPerCheck: 1_000, maxWaitMs: 3_600_000 };

/**
 * Looks for missed runs in the integrations whose check is due at `now`:
 * claims them in batches with FOR UPDATE SKIP LOCKED (so several processes on
 * one database share the work and never examine one integration at once, and
 * an integration whose run is being stored is left for the next tick), stores
 * each gap once as a missed_run event, and sets each integration's next check.
 * Resolves with how many integrations were checked.
 */
export async function checkMissedRuns(knex: Knex, now: Date, options: MissedRunCheckOptions = {}): Promise<number> {
  const { batchSize, maxBatches, runsPerCheck, maxWaitMs } = { ...DEFAULTS, ...options };
  let checked = 0;
  for (let batch = 0; batch < maxBatches; batch += 1) {
    const claimed = await knex.transaction(async (trx) => {
      const due = await claimDueIntegrations(trx, now, batchSize);
      for (const integration of due) {
        const ids = { orgId: integration.org_id, integrationId: integration.id };
        const runs = await runsFrom(trx, integration.org_id, integration.id, integration.missed_checked_through, runsPerCheck + 1);
        const complete = runs.length <= runsPerCheck;
        const result = checkIntegration({
          schedule: scheduleOf(integration),
          checkpoint: integration.missed_checked_through,
          runs: complete ? runs : runs.slice(0, runsPerCheck),
          complete,
          now,
          maxWaitMs,
        });
        await saveGaps(trx, ids, result.gaps, result.expected, now);
        if (result.examined) {
          await deleteGapsNotFound(
            trx,
            ids,
            result.examined,
            result.gaps.map((gap) => gap.dueAt),
          );
        }
        await setNextCheck(trx, ids, result.checkpoint, result.nextCheckAt);
      }
      return due.length;
    });
    checked += claimed;
    if (claimed < batchSize) break;
  }
  return checked;
}
