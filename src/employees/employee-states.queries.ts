import type { Knex } from 'knex';
import { INDEXED_PREFIX, indexedPrefixes, md5Keys } from '../db/long-values.js';
import { emailKey } from '../classify/normalise.js';
import type { EmployeeState } from '../classify/types.js';
import { copyLine, stageRows } from '../db/copy.js';

/**
 * The states a run's classification needs: every external_id it mentions, and
 * every active holder of an email it mentions (for email_in_use).
 */
export async function loadEmployeeStates(
  knex: Knex,
  orgId: number,
  integrationId: number,
  externalIds: string[],
  emailKeys: string[],
): Promise<Map<string, EmployeeState>> {
  const rows: EmployeeState[] = await knex('employee_states')
    .select('external_id', 'active', 'first_name', 'last_name', 'email')
    .where({ org_id: orgId, integration_id: integrationId })
    .andWhere((q) =>
      q
        // The indexed forms first (md5 of the ID, prefix of the email key), then the whole values.
        .whereRaw('external_key = ANY(?::text[]) AND external_id = ANY(?::text[])', [md5Keys(externalIds), externalIds])
        .orWhere((active) =>
          active
            .where('active', true)
            .whereRaw(`left(email_key, ${INDEXED_PREFIX}) = ANY(?::text[]) AND email_key = ANY(?::text[])`, [indexedPrefixes(emailKeys), emailKeys]),
        ),
    );
  return new Map(rows.map((row) => [row.external_id, row]));
}

/** Writes the states a run left, except where a newer run (by started_at) has already written. */
export async function saveEmployeeStates(
  trx: Knex.Transaction,
  run: { orgId: number; integrationId: number; syncRunId: number; startedAt: Date },
  states: EmployeeState[],
): Promise<void> {
  if (states.length === 0) return;
  const lines = function* () {
    for (const state of states) yield copyLine([state.external_id, state.active, state.first_name, state.last_name, state.email, emailKey(state.email)]);
  };
  await stageRows(trx, 'ingest_employee_states', 'external_id text, active boolean, first_name text, last_name text, email text, email_key text', lines());
  await trx.raw(
    `INSERT INTO employee_states AS s (org_id, integration_id, external_id, active, first_name, last_name, email, email_key, state_started_at, sync_run_id)
     SELECT ?, ?, x.external_id, x.active, x.first_name, x.last_name, x.email, x.email_key, ?, ?
     FROM ingest_employee_states AS x
     ON CONFLICT (org_id, integration_id, external_key) DO UPDATE SET
       active = EXCLUDED.active, first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, email = EXCLUDED.email, email_key = EXCLUDED.email_key,
       state_started_at = EXCLUDED.state_started_at, sync_run_id = EXCLUDED.sync_run_id, updated_at = now()
     WHERE s.state_started_at <= EXCLUDED.state_started_at AND s.external_id = EXCLUDED.external_id`,
    [run.orgId, run.integrationId, run.startedAt, run.syncRunId],
  );
}

/**
 * Sets the newest state of these IDs as re-checking a late run found it: the later runs'
 * records replayed on what the late run left, with the run that last set each. The rows
 * are found by their primary key (LATERAL, OFFSET 0) and updated by row address: joined to
 * the states, PostgreSQL without statistics read every state of the integration.
 */
export async function overwriteEmployeeStates(
  trx: Knex.Transaction,
  run: { orgId: number; integrationId: number },
  states: Array<EmployeeState & { startedAt: Date; syncRunId: number }>,
): Promise<void> {
  if (states.length === 0) return;
  await trx.raw(
    `WITH found AS MATERIALIZED (
       SELECT e.address, x.* FROM jsonb_to_recordset(:states::jsonb) AS x(external_key text, external_id text, active boolean, first_name text,
         last_name text, email text, email_key text, started_at timestamptz, sync_run_id bigint)
       CROSS JOIN LATERAL (
         SELECT s.ctid AS address FROM employee_states s
         WHERE s.org_id = :orgId AND s.integration_id = :integrationId AND s.external_key = x.external_key AND s.external_id = x.external_id
         OFFSET 0
       ) AS e)
     UPDATE employee_states s SET active = f.active, first_name = f.first_name, last_name = f.last_name, email = f.email, email_key = f.email_key,
       state_started_at = f.started_at, sync_run_id = f.sync_run_id, updated_at = now()
     FROM found f
     WHERE s.ctid = ANY(ARRAY(SELECT address FROM found)) AND s.ctid = f.address`,
    {
      ...run,
      states: JSON.stringify(
        states.map(({ startedAt, syncRunId, ...state }) => ({
          ...state,
          external_key: md5Keys([state.external_id])[0],
          email_key: emailKey(state.email),
          started_at: startedAt.toISOString(),
          sync_run_id: syncRunId,
        })),
      ),
    },
  );
}

/** The last known state of one external ID, per integration the caller may read. */
export async function employeeStatesOf(knex: Knex, orgIds: number[], externalId: string, integrationId?: number) {
  const query = knex('employee_states as s')
    .join('integrations as i', (join) => join.on('i.org_id', 's.org_id').andOn('i.id', 's.integration_id'))
    .select('s.integration_id', 'i.name as integration_name', 's.active', 's.first_name', 's.last_name', 's.email', 's.state_started_at', 's.sync_run_id')
    .whereIn('s.org_id', orgIds)
    .whereRaw('s.external_key = md5(?)', [externalId])
    .where('s.external_id', externalId)
    .orderBy('s.state_started_at', 'desc');
  if (integrationId !== undefined) query.where('s.integration_id', integrationId);
  return query as Promise<
    Array<{
      integration_id: number;
      integration_name: string;
      active: boolean;
      first_name: string | null;
      last_name: string | null;
      email: string | null;
      state_started_at: Date;
      sync_run_id: number;
    }>
  >;
}
