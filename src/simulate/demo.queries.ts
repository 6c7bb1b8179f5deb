import type { Knex } from 'knex';

/** The start of an integration's first and last stored run (null when it has none): the demo's second run goes on from there. */
export async function runSpanOf(knex: Knex, orgId: number, integrationId: number): Promise<{ first: Date | null; last: Date | null }> {
  const row = await knex('sync_runs').where({ org_id: orgId, integration_id: integrationId }).min({ first: 'started_at' }).max({ last: 'started_at' }).first();
  return { first: (row?.first as Date | null) ?? null, last: (row?.last as Date | null) ?? null };
}
