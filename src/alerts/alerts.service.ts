/**
 * Detects alerts and records them as deliveries (kind 'alert'), which the sender sends.
 * Run by the scheduler after the missed-run check, in every process: organisations are
 * claimed with FOR UPDATE SKIP LOCKED and examined from their watermark (alerts.queries.ts),
 * so a tick reads only the runs and missed-run gaps that are new since the last, and each
 * delivery's key is unique per recipient, so racing schedulers and re-scans record it once.
 *
 * The rules (see alert-rules.ts for the pure parts):
 * - missed_run: a missed-run gap still open when examined; one alert per gap
 *   (`alert:missed_run:<event id>`), however long it lasts.
 * - run_failed: a failed run once the integration's last N runs all failed (N is the
 *   person's alert_after_failures); at most one per integration and repeat period
 *   (`alert:run_failed:<integration>:<period>`).
 * - new_group: an error group a run opened, or regressed (a resolved group seen again
 *   counts as new); at most one per group and repeat period; only severity error unless
 *   the person chose info too; the run_failed group is left to the run_failed alert. A
 *   run that opens more than 3 groups sends one email listing them (`alert:new_groups:<run>`).
 * - records_drop: a good run (not failed, not an initial load) with fewer than half the
 *   median records of the integration's previous 10 good runs (at least 5 of them, median
 *   at least 10); at most one per integration and repeat period.
 * - recovery: the first good run, newest of its integration and with no missed-run gap
 *   still open, after an outage (a missed run or failed runs) the person was alerted to:
 *   "runs are arriving again", once per outage
 *   (`alert:recovery:<integration>:<outage start>`).
 */
import type { Knex } from 'knex';
import { missedBetween, scheduleOf } from '../runs/run-gaps.js';
import { type AlertKind, type AlertRecipient, DROP_BASELINE_RUNS, failureStreak, recordsDrop, repeatPeriodKey, wantsAlert } from './alert-rules.js';
import {
  addWatermarks,
  advanceWatermarks,
  alertHorizon,
  alertRecipients,
  claimWatermarks,
  dropWatermarks,
  groupsOpenedBy,
  integrationsInOutage,
  scheduleOfIntegration,
  isNewestRun,
  type NewRun,
  type OpenedGroup,
  outageKey,
  newMissedRuns,
  newRuns,
  previousRecordCounts,
  recordOutage,
  runsUpTo,
  takeOutages,
} from './alerts.queries.js';
import { enqueueDelivery } from '../email/deliveries.queries.js';

export interface AlertDetectionOptions {
  /** Organisations claimed (and locked) in one transaction. */
  batchSize?: number;
  /** Batches in one call; what is left waits for the next tick. */
  maxBatches?: number;
  /** How far back missed-run gaps are read again, for a scheduler whose clock runs behind. */
  lookbackMs?: number;
}

const DEFAULTS: Required<AlertDetectionOptions> = { batchSize: 200, maxBatches: 50, lookbackMs: 10 * 60_000 };

/** A run that opens more groups than this sends one email listing them (the first GROUPS_LISTED), not one each. */
export const MAX_GROUP_ALERTS_PER_RUN = 3;
const GROUPS_LISTED = 10;

type Enqueue = (recipient: AlertRecipient, kind: AlertKind, key: string, payload: Record<string, unknown>) => Promise<number | null>;

/** What a batch's runs need, read for all of them at once: a burst of thousands of runs costs a few statements, not a few each. */
interface BatchFacts {
  groupsOpened: Map<number, OpenedGroup[]>;
  previousCounts: Map<number, number[]>;
  /** Integrations with an outage someone was alerted to, kept up to date as this batch records more. */
  inOutage: Set<string>;
}

async function alertsForRun(trx: Knex.Transaction, run: NewRun, recipients: AlertRecipient[], now: Date, enqueue: Enqueue, facts: BatchFacts): Promise<void> {
  // A group's severity is judged with the group; 'error' passes either minimum.
  const want = (kind: AlertKind) => recipients.filter((recipient) => wantsAlert(recipient, kind, run.integration_id, 'error'));
  const about = { integrationId: run.integration_id, syncRunId: run.id };
  const period = (recipient: AlertRecipient) => repeatPeriodKey(recipient.alert_repeat, recipient.time_zone, now);

  if (run.status === 'failed') {
    const failing = want('run_failed');
    if (failing.length > 0) {
      const latest = await runsUpTo(trx, run, Math.max(...failing.map((recipient) => recipient.alert_after_failures)));
      const streak = failureStreak(latest.map((row) => row.status));
      for (const recipient of failing.filter((r) => r.alert_after_failures <= streak)) {
        const key = `alert:run_failed:${run.integration_id}:${period(recipient)}`;
        const id = await enqueue(recipient, 'run_failed', key, { ...about, failedInARow: streak });
        // The outage began with the first failed run of the streak this person waited for.
        const startedAt = latest[recipient.alert_after_failures - 1]!.started_at;
        if (id !== null) {
          await recordOutage(trx, { orgId: run.org_id, integrationId: run.integration_id, userId: recipient.user_id, startedAt, deliveryId: id });
          facts.inOutage.add(outageKey(run.org_id, run.integration_id));
        }
      }
    }
  } else {
    const dropping = run.trigger === 'initial' ? [] : want('records_drop');
    if (dropping.length > 0) {
      const drop = recordsDrop(run.record_count, facts.previousCounts.get(run.id) ?? []);
      if (drop) {
        for (const recipient of dropping) {
          await enqueue(recipient, 'records_drop', `alert:records_drop:${run.integration_id}:${period(recipient)}`, { ...about, ...drop });
        }
      }
    }
    // Not while runs are missed again after it (judged by the schedule, not by the gap the
    // missed-run check may not have stored yet): the outage is kept, and "arriving again"
    // waits for the run that ends the new gap.
    const missedSince = async () => missedBetween(scheduleOf(await scheduleOfIntegration(trx, run)), run.started_at, now);
    const inOutage = facts.inOutage.has(outageKey(run.org_id, run.integration_id));
    if (inOutage && (await isNewestRun(trx, run)) && !(await missedSince())) {
      for (const outage of await takeOutages(trx, run)) {
        const recipient = recipients.find((r) => r.user_id === outage.user_id);
        if (!recipient || !wantsAlert(recipient, 'recovery', run.integration_id)) continue;
        await enqueue(recipient, 'recovery', `alert:recovery:${run.integration_id}:${outage.started_at.toISOString()}`, {
          ...about,
          outageStartedAt: outage.started_at.toISOString(),
          outageDeliveryId: outage.delivery_id,
        });
      }
    }
  }

  if (want('new_group').length > 0) {
    const groups = (facts.groupsOpened.get(run.id) ?? []).filter((group) => group.code !== 'run_failed');
    for (const recipient of recipients) {
      const theirs = groups.filter((group) => wantsAlert(recipient, 'new_group', run.integration_id, group.severity));
      if (theirs.length > MAX_GROUP_ALERTS_PER_RUN) {
        // One email for the run rather than a flood (an integration's first run opens every group at once).
        await enqueue(recipient, 'new_group', `alert:new_groups:${run.id}`, {
          ...about,
          groupIds: theirs.slice(0, GROUPS_LISTED).map((group) => group.id),
          groupCount: theirs.length,
        });
        continue;
      }
      for (const group of theirs) {
        await enqueue(recipient, 'new_group', `alert:new_group:${group.id}:${period(recipient)}`, {
          ...about,
          groupId: group.id,
          regressed: group.status === 'regressed',
        });
      }
    }
  }
}

/** Examines one batch of organisations; resolves with how many were claimed. */
async function detectBatch(knex: Knex, now: Date, options: Required<AlertDetectionOptions>): Promise<number> {
  return knex.transaction(async (trx) => {
    // First, before anything else in this transaction (pg_stat_activity is read once per transaction).
    const horizon = await alertHorizon(trx);
    const marks = await claimWatermarks(trx, now, options.batchSize);
    if (marks.length === 0) return 0;
    const recipients = await alertRecipients(
      trx,
      marks.map((mark) => mark.org_id),
    );
    const byOrg = new Map<number, AlertRecipient[]>();
    for (const recipient of recipients) byOrg.set(recipient.org_id, [...(byOrg.get(recipient.org_id) ?? []), recipient]);
    const watched = marks.filter((mark) => byOrg.has(mark.org_id));
    await dropWatermarks(
      trx,
      marks.filter((mark) => !byOrg.has(mark.org_id)).map((mark) => mark.org_id),
    );

    const enqueue: Enqueue = (recipient, kind, key, payload) =>
      enqueueDelivery(trx, { orgId: recipient.org_id, userId: recipient.user_id, kind: 'alert', dedupeKey: key, dueAt: now, payload: { kind, ...payload } });

    for (const gap of await newMissedRuns(trx, watched, now, options.lookbackMs)) {
      for (const recipient of byOrg.get(gap.org_id)!.filter((r) => wantsAlert(r, 'missed_run', gap.integration_id))) {
        const id = await enqueue(recipient, 'missed_run', `alert:missed_run:${gap.id}`, { integrationId: gap.integration_id, eventId: gap.id });
        if (id !== null) {
          await recordOutage(trx, { orgId: gap.org_id, integrationId: gap.integration_id, userId: recipient.user_id, startedAt: gap.due_at, deliveryId: id });
        }
      }
    }
    const runs = await newRuns(trx, watched, horizon);
    const facts: BatchFacts = {
      groupsOpened: await groupsOpenedBy(trx, runs),
      previousCounts: await previousRecordCounts(
        trx,
        runs.filter((run) => run.status !== 'failed' && run.trigger !== 'initial'),
        DROP_BASELINE_RUNS,
      ),
      // After the missed runs above, whose outages it then includes.
      inOutage: await integrationsInOutage(trx, runs),
    };
    for (const run of runs) {
      await alertsForRun(trx, run, byOrg.get(run.org_id)!, now, enqueue, facts);
    }
    await advanceWatermarks(
      trx,
      watched.map((mark) => mark.org_id),
      horizon,
      now,
    );
    return marks.length;
  });
}

/**
 * One pass at `now`: starts watching organisations that gained someone to alert, then
 * examines every watched organisation not yet examined at `now`, a batch at a time.
 * Resolves with how many organisations were examined.
 */
export async function detectAlerts(knex: Knex, now: Date, options: AlertDetectionOptions = {}): Promise<number> {
  const settings = { ...DEFAULTS, ...options };
  await addWatermarks(knex, await alertHorizon(knex), now);
  let examined = 0;
  for (let batch = 0; batch < settings.maxBatches; batch += 1) {
    const claimed = await detectBatch(knex, now, settings);
    examined += claimed;
    if (claimed < settings.batchSize) break;
  }
  return examined;
}
