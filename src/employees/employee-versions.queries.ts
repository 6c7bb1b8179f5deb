import type { Knex } from 'knex';
import { INDEXED_PREFIX, md5Keys } from '../db/long-values.js';
import { emailKey } from '../classify/normalise.js';
import { copyLine, copyRows } from '../db/copy.js';
import type { EmployeeState } from '../classify/types.js';

/** A place in run order: runs are ordered by started_at, then by their id (arrival) when they started at the same instant. */
export interface RunPosition {
  startedAt: Date;
  syncRunId: number;
}

/** A state and the run that left it. */
export interface StateVersion extends EmployeeState, RunPosition {}

interface Scope {
  orgId: number;
  integrationId: number;
}

/**
 * The employee states as the runs before `before` left them (migration
 * 2026-11-30-0100): every external_id asked for, and every ID that held one of
 * the emails at some point before (whether it still holds it is for the
 * classifier to see from its state). One index look-up per ID, and one seek of
 * employee_state_versions_by_email per email: a LATERAL subquery kept apart by
 * OFFSET 0 (with `= ANY(...)`, PostgreSQL without statistics read every version of
 * the integration before the run and filtered them by email).
 */
export async function loadStatesAsOf(
  knex: Knex,
  scope: Scope,
  before: RunPosition,
  externalIds: string[],
  emailKeys: string[],
): Promise<Map<string, EmployeeState>> {
  if (externalIds.length === 0 && emailKeys.length === 0) return new Map();
  const { rows } = await knex.raw<{ rows: EmployeeState[] }>(
    `WITH wanted AS (
       SELECT w.external_key, w.external_id FROM unnest(:externalKeys::text[], :externalIds::text[]) AS w(external_key, external_id)
       UNION
       SELECT v.external_key, v.external_id FROM unnest(:emailKeys::text[]) AS k(email_key)
       CROSS JOIN LATERAL (
         SELECT v.external_key, v.external_id FROM employee_state_versions v
         WHERE v.org_id = :orgId AND v.integration_id = :integrationId
           AND left(v.email_key, ${INDEXED_PREFIX}) = left(k.email_key, ${INDEXED_PREFIX}) AND v.email_key = k.email_key
           AND (v.started_at, v.sync_run_id) < (:startedAt, :syncRunId)
         OFFSET 0
       ) AS v
     )
     SELECT s.external_id, s.active, s.first_name, s.last_name, s.email
     FROM wanted w CROSS JOIN LATERAL (
       SELECT v.external_id, v.active, v.first_name, v.last_name, v.email FROM employee_state_versions v
       WHERE v.org_id = :orgId AND v.integration_id = :integrationId
         AND v.external_key = w.external_key AND v.external_id = w.external_id
         AND (v.started_at, v.sync_run_id) < (:startedAt, :syncRunId)
       ORDER BY v.started_at DESC, v.sync_run_id DESC
       LIMIT 1
     ) AS s`,
    {
      ...scope,
      startedAt: before.startedAt,
      syncRunId: before.syncRunId,
      externalKeys: md5Keys(externalIds),
      externalIds,
      emailKeys,
    },
  );
  return new Map(rows.map((row) => [row.external_id, row]));
}

const VERSION_COLUMNS = ['org_id', 'integration_id', 'external_id', 'started_at', 'sync_run_id', 'active', 'first_name', 'last_name', 'email', 'email_key'];

/** Adds the states runs left: each version at its own run (COPY, in the caller's transaction). */
export async function insertStateVersions(trx: Knex.Transaction, scope: Scope, versions: StateVersion[]): Promise<void> {
  if (versions.length === 0) return;
  const lines = function* () {
    for (const version of versions) {
      yield copyLine([
        scope.orgId,
        scope.integrationId,
        version.external_id,
        version.startedAt.toISOString(),
        version.syncRunId,
        version.active,
        version.first_name,
        version.last_name,
        version.email,
        emailKey(version.email),
      ]);
    }
  };
  await copyRows(trx, 'employee_state_versions', VERSION_COLUMNS, lines());
}

/**
 * The versions of these IDs after a place in run order: one seek per ID in the
 * primary key. A plain `external_key = ANY(...)` let PostgreSQL without statistics
 * (which takes an integration's rows for a handful) read every version of the
 * integration after the place and filter them; the LATERAL subquery, kept apart
 * by OFFSET 0, can only be one index look-up per ID.
 */
const VERSIONS_AFTER = `
  SELECT v.address, v.external_id, v.active, v.first_name, v.last_name, v.email, v.started_at, v.sync_run_id
  FROM unnest(:externalKeys::text[], :externalIds::text[]) AS x(external_key, external_id)
  CROSS JOIN LATERAL (
    SELECT v.ctid AS address, v.* FROM employee_state_versions v
    WHERE v.org_id = :orgId AND v.integration_id = :integrationId AND v.external_key = x.external_key AND v.external_id = x.external_id
      AND (v.started_at, v.sync_run_id) > (:startedAt, :syncRunId)
    OFFSET 0
  ) AS v`;

const versionBindings = (scope: Scope, after: RunPosition, externalIds: string[]) => ({
  ...scope,
  startedAt: after.startedAt,
  syncRunId: after.syncRunId,
  externalKeys: md5Keys(externalIds),
  externalIds,
});

/** The versions of these IDs after a place in run order, oldest first. */
export async function versionsAfter(knex: Knex, scope: Scope, after: RunPosition, externalIds: string[]): Promise<StateVersion[]> {
  if (externalIds.length === 0) return [];
  const { rows } = await knex.raw<{ rows: Array<EmployeeState & { started_at: Date; sync_run_id: string | number }> }>(
    `SELECT v.external_id, v.active, v.first_name, v.last_name, v.email, v.started_at, v.sync_run_id FROM (${VERSIONS_AFTER}) AS v
     ORDER BY v.started_at, v.sync_run_id`,
    versionBindings(scope, after, externalIds),
  );
  return rows.map(({ started_at, sync_run_id, ...state }) => ({ ...state, startedAt: started_at, syncRunId: Number(sync_run_id) }));
}

/** Replaces the versions of these IDs after a place in run order with the ones given. */
export async function replaceVersionsAfter(
  trx: Knex.Transaction,
  scope: Scope,
  after: RunPosition,
  externalIds: string[],
  versions: StateVersion[],
): Promise<void> {
  if (externalIds.length === 0) return;
  // Found as versionsAfter finds them, then deleted by their row addresses (a TID scan): as a
  // semi-join on the primary key, PostgreSQL without statistics walked every version of the
  // integration and compared each with the ones found.
  await trx.raw(
    `DELETE FROM employee_state_versions WHERE ctid = ANY(ARRAY(SELECT v.address FROM (${VERSIONS_AFTER}) AS v))`,
    versionBindings(scope, after, externalIds),
  );
  await insertStateVersions(trx, scope, versions);
}
