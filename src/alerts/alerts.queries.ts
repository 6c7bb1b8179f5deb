import type { Knex } from 'knex';
import type { ScheduleColumns } from '../runs/run-gaps.js';
import type { AlertRecipient } from './alert-rules.js';

export interface AlertWatermark {
  org_id: number;
  runs_through: Date;
  events_through: Date;
  since: Date;
}

export interface NewRun {
  org_id: number;
  id: number;
  integration_id: number;
  status: 'completed' | 'completed_with_errors' | 'failed';
  trigger: 'scheduled' | 'manual' | 'initial';
  started_at: Date;
  received_at: Date;
  /** started_at and received_at to the microsecond (a JavaScript date holds milliseconds). */
  started_at_exact: string;
  received_at_exact: string;
  record_count: number;
}

export interface NewMissedRun {
  org_id: number;
  id: number;
  integration_id: number;
  due_at: Date;
}

/** The longest an ingest transaction may stay open and still have its run examined: the horizon never lags further. */
const MAX_HORIZON_LAG = "interval '15 minutes'";

/**
 * Up to when (in received_at, the database's time) every run is stored or never will be:
 * a run's received_at is its ingest transaction's start, so a run not yet visible has a
 * received_at at or after the start of a transaction still open, the oldest of which
 * pg_stat_activity shows. Runs received before the horizon can be examined once and for
 * all. It lags now by at most 15 minutes (a transaction left open longer is not waited for).
 */
export async function alertHorizon(knex: Knex): Promise<Date> {
  const { rows } = await knex.raw<{ rows: { horizon: Date }[] }>(
    `SELECT greatest(least(statement_timestamp(), min(a.xact_start)), statement_timestamp() - ${MAX_HORIZON_LAG}) AS horizon
     FROM pg_stat_activity a
     WHERE a.datname = current_database() AND a.backend_type = 'client backend' AND a.xact_start IS NOT NULL`,
  );
  return rows[0]!.horizon;
}

/** Who gets alerts at all: subscribed, not disabled, still a member, with an alert kind chosen. */
function alertPeople(knex: Knex) {
  return knex('email_preferences as p')
    .join('users as u', 'u.id', 'p.user_id')
    .join('memberships as m', (join) => join.on('m.org_id', 'p.org_id').andOn('m.user_id', 'p.user_id'))
    .whereNull('p.unsubscribed_at')
    .whereNull('u.disabled_at')
    .whereRaw('cardinality(p.alerts) > 0');
}

/** Starts watching the organisations that have someone to alert and no watermark yet: from now on, nothing before. */
export async function addWatermarks(knex: Knex, horizon: Date, now: Date): Promise<number> {
  const people = alertPeople(knex).distinct('p.org_id');
  const { rowCount } = await knex.raw<{ rowCount: number }>(
    `INSERT INTO email_alert_watermarks (org_id, runs_through, events_through, since)
     SELECT people.org_id, ?::timestamptz, ?::timestamptz, ?::timestamptz FROM (${people.toQuery()}) AS people
     ON CONFLICT (org_id) DO NOTHING`,
    [horizon, now, now],
  );
  return rowCount;
}

/** Claims up to `limit` organisations not yet examined at `now`, each by one scheduler (SKIP LOCKED), until the transaction ends. */
export async function claimWatermarks(trx: Knex.Transaction, now: Date, limit: number): Promise<AlertWatermark[]> {
  const rows = await trx('email_alert_watermarks')
    .select('org_id', 'runs_through', 'events_through', 'since')
    .where('checked_at', '<', now)
    .orderBy('checked_at')
    .limit(limit)
    .forUpdate()
    .skipLocked();
  return rows.map((row) => ({ ...row, org_id: Number(row.org_id) }));
}

/** The people of these organisations who get alerts, with their preferences and zone. */
export async function alertRecipients(knex: Knex, orgIds: number[]): Promise<AlertRecipient[]> {
  const rows = await alertPeople(knex)
    .whereIn('p.org_id', orgIds)
    .select('p.org_id', 'p.user_id', 'u.time_zone', 'p.alerts', 'p.integration_ids', 'p.min_severity', 'p.alert_after_failures', 'p.alert_repeat')
    .orderBy(['p.org_id', 'p.user_id']);
  return rows.map((row) => ({
    ...row,
    org_id: Number(row.org_id),
    user_id: Number(row.user_id),
    integration_ids: row.integration_ids === null ? null : row.integration_ids.map(Number),
  }));
}

/** The runs received since each organisation's watermark and before the horizon, in run order per integration. */
export async function newRuns(knex: Knex, marks: AlertWatermark[], horizon: Date): Promise<NewRun[]> {
  if (marks.length === 0) return [];
  const { rows } = await knex.raw<{ rows: NewRun[] }>(
    `SELECT r.org_id, r.id, r.integration_id, r.status, r.trigger, r.started_at, r.received_at, r.record_count,
       r.started_at::text AS started_at_exact, r.received_at::text AS received_at_exact
     FROM unnest(?::bigint[], ?::timestamptz[]) AS w(org_id, runs_through)
     CROSS JOIN LATERAL (
       SELECT r.org_id, r.id, r.integration_id, r.status, r.trigger, r.started_at, r.received_at, r.record_count
       FROM sync_runs r
       WHERE r.org_id = w.org_id AND r.received_at >= w.runs_through AND r.received_at < ?
       -- Kept apart (OFFSET 0), so that each organisation reads its own range of sync_runs_by_receipt
       -- rather than PostgreSQL hashing every run received before the horizon.
       OFFSET 0
     ) AS r
     ORDER BY r.org_id, r.integration_id, r.started_at, r.id`,
    [marks.map((mark) => mark.org_id), marks.map((mark) => mark.runs_through.toISOString()), horizon],
  );
  return rows.map((row) => ({ ...row, org_id: Number(row.org_id), id: Number(row.id), integration_id: Number(row.integration_id) }));
}

/**
 * The missed-run gaps still open that were detected since each organisation's watermark
 * (less `lookbackMs`, for a scheduler whose clock runs behind or whose check committed
 * late; a gap seen twice is alerted once, by its id) and since alerting began.
 */
export async function newMissedRuns(knex: Knex, marks: AlertWatermark[], now: Date, lookbackMs: number): Promise<NewMissedRun[]> {
  if (marks.length === 0) return [];
  const from = marks.map((mark) => new Date(Math.max(mark.events_through.getTime() - lookbackMs, mark.since.getTime())).toISOString());
  const { rows } = await knex.raw<{ rows: NewMissedRun[] }>(
    `SELECT e.org_id, e.id, e.integration_id, e.due_at
     FROM unnest(?::bigint[], ?::timestamptz[]) AS w(org_id, from_at)
     CROSS JOIN LATERAL (
       SELECT e.org_id, e.id, e.integration_id, e.due_at
       FROM integration_events e
       WHERE e.org_id = w.org_id AND e.code = 'missed_run' AND e.resolved_at IS NULL AND e.occurred_at >= w.from_at AND e.occurred_at <= ?
       -- Each organisation's open gaps (integration_events_open: few), not the history of gaps.
       OFFSET 0
     ) AS e
     ORDER BY e.org_id, e.integration_id, e.due_at`,
    [marks.map((mark) => mark.org_id), from, now],
  );
  return rows.map((row) => ({ ...row, org_id: Number(row.org_id), id: Number(row.id), integration_id: Number(row.integration_id) }));
}

// The run is read again by its key in each query below, rather than its started_at and
// received_at sent back: JavaScript dates hold milliseconds, PostgreSQL microseconds.
const THE_RUN = 'sync_runs AS this_run';
const onTheRun = 'this_run.org_id = :orgId AND this_run.id = :runId';
const runBindings = (run: NewRun) => ({ orgId: run.org_id, integrationId: run.integration_id, runId: run.id });

/** The statuses and starts of an integration's latest `limit` runs up to this one (in run order), newest first. */
export async function runsUpTo(knex: Knex, run: NewRun, limit: number): Promise<Array<{ status: string; started_at: Date }>> {
  const { rows } = await knex.raw<{ rows: Array<{ status: string; started_at: Date }> }>(
    `SELECT r.status, r.started_at FROM ${THE_RUN}
     CROSS JOIN LATERAL (
       SELECT r.status, r.started_at FROM sync_runs r
       WHERE r.org_id = :orgId AND r.integration_id = :integrationId AND (r.started_at, r.id) <= (this_run.started_at, this_run.id)
       ORDER BY r.started_at DESC, r.id DESC LIMIT :limit
     ) AS r
     WHERE ${onTheRun}`,
    { ...runBindings(run), limit },
  );
  return rows;
}

/**
 * For each run, the record counts of its integration's latest successful runs before it
 * (not failed, not initial loads), at most `limit`, in no particular order: one statement for a tick's
 * runs, each reading its integration's range of sync_runs_by_start.
 */
export async function previousRecordCounts(knex: Knex, runs: readonly NewRun[], limit: number): Promise<Map<number, number[]>> {
  const counts = new Map<number, number[]>(runs.map((run) => [run.id, []]));
  if (runs.length === 0) return counts;
  const { rows } = await knex.raw<{ rows: Array<{ run_id: string; record_count: number }> }>(
    `SELECT this_run.id AS run_id, r.record_count
     FROM unnest(?::bigint[], ?::bigint[]) AS wanted(org_id, id)
     JOIN sync_runs this_run ON this_run.org_id = wanted.org_id AND this_run.id = wanted.id
     CROSS JOIN LATERAL (
       SELECT r.record_count FROM sync_runs r
       WHERE r.org_id = this_run.org_id AND r.integration_id = this_run.integration_id AND (r.started_at, r.id) < (this_run.started_at, this_run.id)
         AND r.status <> 'failed' AND r.trigger <> 'initial'
       ORDER BY r.started_at DESC, r.id DESC LIMIT ?
     ) AS r`,
    [runs.map((run) => run.org_id), runs.map((run) => run.id), limit],
  );
  for (const row of rows) counts.get(Number(row.run_id))!.push(Number(row.record_count));
  return counts;
}

/** Whether this run is the integration's newest (no run started after it). */
export async function isNewestRun(knex: Knex, run: NewRun): Promise<boolean> {
  const { rows } = await knex.raw<{ rows: unknown[] }>(
    `SELECT 1 FROM ${THE_RUN}
     WHERE ${onTheRun} AND EXISTS (
       SELECT 1 FROM sync_runs r
       WHERE r.org_id = :orgId AND r.integration_id = :integrationId AND (r.started_at, r.id) > (this_run.started_at, this_run.id))`,
    runBindings(run),
  );
  return rows.length === 0;
}

/** The run's integration's schedule. */
export async function scheduleOfIntegration(knex: Knex, run: NewRun): Promise<ScheduleColumns> {
  return knex('integrations')
    .where({ org_id: run.org_id, id: run.integration_id })
    .first('schedule_interval_seconds', 'schedule_cron', 'schedule_time_zone', 'grace_seconds');
}

export interface OpenedGroup {
  id: number;
  code: string;
  severity: 'error' | 'info';
  status: string;
}

/**
 * For each run, the error groups it opened (new) or regressed, still open: their status
 * changed in the run's own ingest transaction (status_changed_at is that transaction's
 * now(), which is the run's received_at) and they were last seen in it. One statement
 * for a tick's runs, each reading its integration's groups at its start off
 * error_groups_by_integration.
 */
export async function groupsOpenedBy(knex: Knex, runs: readonly NewRun[]): Promise<Map<number, OpenedGroup[]>> {
  const opened = new Map<number, OpenedGroup[]>(runs.map((run) => [run.id, []]));
  if (runs.length === 0) return opened;
  const { rows } = await knex.raw<{ rows: Array<OpenedGroup & { run_id: string; id: string }> }>(
    `SELECT run.id AS run_id, g.id, g.code, g.severity, g.status
     FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::timestamptz[], ?::timestamptz[]) AS run(org_id, id, integration_id, started_at, received_at)
     CROSS JOIN LATERAL (
       SELECT g.id, g.code, g.severity, g.status FROM error_groups g
       WHERE g.org_id = run.org_id AND g.integration_id = run.integration_id AND g.last_seen_started_at = run.started_at
         AND g.status_changed_at = run.received_at AND g.status IN ('open', 'regressed')
     ) AS g
     ORDER BY run.id, g.id`,
    [
      runs.map((run) => run.org_id),
      runs.map((run) => run.id),
      runs.map((run) => run.integration_id),
      runs.map((run) => run.started_at_exact),
      runs.map((run) => run.received_at_exact),
    ],
  );
  for (const row of rows) opened.get(Number(row.run_id))!.push({ id: Number(row.id), code: row.code, severity: row.severity, status: row.status });
  return opened;
}

/** Of these runs' integrations, those with an outage someone was alerted to ("org:integration" keys): only their good runs can end one. */
export async function integrationsInOutage(knex: Knex, runs: readonly NewRun[]): Promise<Set<string>> {
  if (runs.length === 0) return new Set();
  const { rows } = await knex.raw<{ rows: Array<{ org_id: string; integration_id: string }> }>(
    `SELECT DISTINCT o.org_id, o.integration_id
     FROM unnest(?::bigint[], ?::bigint[]) AS run(org_id, integration_id)
     JOIN email_alert_outages o ON o.org_id = run.org_id AND o.integration_id = run.integration_id`,
    [runs.map((run) => run.org_id), runs.map((run) => run.integration_id)],
  );
  return new Set(rows.map((row) => outageKey(Number(row.org_id), Number(row.integration_id))));
}

export const outageKey = (orgId: number, integrationId: number) => `${orgId}:${integrationId}`;

/** Notes that a person was alerted to an outage of an integration (the first alert of an outage stays). */
export async function recordOutage(
  knex: Knex,
  outage: { orgId: number; integrationId: number; userId: number; startedAt: Date; deliveryId: number },
): Promise<void> {
  await knex.raw(
    `INSERT INTO email_alert_outages (org_id, integration_id, user_id, started_at, delivery_id) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (org_id, integration_id, user_id) DO NOTHING`,
    [outage.orgId, outage.integrationId, outage.userId, outage.startedAt, outage.deliveryId],
  );
}

/** Ends the integration's outages that began before a good run: each is taken once (whoever deletes it). */
export async function takeOutages(knex: Knex, run: NewRun): Promise<Array<{ user_id: number; started_at: Date; delivery_id: number }>> {
  const { rows } = await knex.raw<{ rows: Array<{ user_id: string; started_at: Date; delivery_id: string }> }>(
    `DELETE FROM email_alert_outages o USING ${THE_RUN}
     WHERE ${onTheRun} AND o.org_id = :orgId AND o.integration_id = :integrationId AND o.started_at < this_run.started_at
     RETURNING o.user_id, o.started_at, o.delivery_id`,
    runBindings(run),
  );
  return rows.map((row) => ({ user_id: Number(row.user_id), started_at: row.started_at, delivery_id: Number(row.delivery_id) }));
}

/** The claimed organisations were examined up to `horizon` (runs) and `now` (missed runs). */
export async function advanceWatermarks(trx: Knex.Transaction, orgIds: number[], horizon: Date, now: Date): Promise<void> {
  if (orgIds.length === 0) return;
  await trx('email_alert_watermarks')
    .whereIn('org_id', orgIds)
    .update({
      runs_through: trx.raw('greatest(runs_through, ?::timestamptz)', [horizon]),
      events_through: trx.raw('greatest(events_through, ?::timestamptz)', [now]),
      checked_at: now,
    });
}

/** Organisations with nobody left to alert stop being watched; alerting starts afresh when someone subscribes. */
export async function dropWatermarks(trx: Knex.Transaction, orgIds: number[]): Promise<void> {
  if (orgIds.length === 0) return;
  await trx('email_alert_watermarks').whereIn('org_id', orgIds).delete();
}

// What the composition reads: one row each, by primary key, scoped by the delivery's organisation.

export async function deliveryPayload(knex: Knex, orgId: number, deliveryId: number): Promise<Record<string, unknown> | null> {
  const row = await knex('email_deliveries').where({ org_id: orgId, id: deliveryId }).first('payload');
  return (row?.payload as Record<string, unknown> | null | undefined) ?? null;
}

export async function deliveryStatus(knex: Knex, orgId: number, deliveryId: number): Promise<string | null> {
  const row = await knex('email_deliveries').where({ org_id: orgId, id: deliveryId }).first('status');
  return row ? String(row.status) : null;
}

export async function alertIntegration(
  knex: Knex,
  orgId: number,
  integrationId: number,
): Promise<{ id: number; name: string; source_system: string | null; target_system: string | null } | undefined> {
  const row = await knex('integrations').where({ org_id: orgId, id: integrationId }).first('id', 'name', 'source_system', 'target_system');
  return row ? { ...row, id: Number(row.id) } : undefined;
}

export interface AlertRun {
  id: number;
  run_id: string;
  status: string;
  run_error: string | null;
  started_at: Date;
  record_count: number;
}

export async function alertRun(knex: Knex, orgId: number, syncRunId: number): Promise<AlertRun | undefined> {
  const row = await knex('sync_runs').where({ org_id: orgId, id: syncRunId }).first('id', 'run_id', 'status', 'run_error', 'started_at', 'record_count');
  return row ? { ...row, id: Number(row.id) } : undefined;
}

export async function alertGroup(knex: Knex, orgId: number, groupId: number) {
  const row = await knex('error_groups')
    .where({ org_id: orgId, id: groupId })
    .first('id', 'integration_id', 'code', 'severity', 'field', 'value', 'expected', 'variant', 'status', 'occurrences');
  return row ? { ...row, id: Number(row.id), integration_id: Number(row.integration_id), occurrences: Number(row.occurrences) } : undefined;
}

export async function alertMissedRun(knex: Knex, orgId: number, eventId: number) {
  const row = await knex('integration_events')
    .where({ org_id: orgId, id: eventId, code: 'missed_run' })
    .first('id', 'integration_id', 'due_at', 'last_due_at', 'missed_slots', 'resolved_at', 'details');
  return row ? { ...row, id: Number(row.id), integration_id: Number(row.integration_id) } : undefined;
}

/** The start of the integration's last run before a moment (the run a missed gap follows). */
export async function lastRunBefore(knex: Knex, orgId: number, integrationId: number, before: Date): Promise<Date | null> {
  const row = await knex('sync_runs')
    .where({ org_id: orgId, integration_id: integrationId })
    .where('started_at', '<', before)
    .orderBy([
      { column: 'started_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .first('started_at');
  return row ? (row.started_at as Date) : null;
}
