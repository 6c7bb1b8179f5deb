import type { Knex } from 'knex';

export interface IngestTokenRow {
  org_id: number;
  id: number;
  integration_id: number;
  token_hint: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export async function insertIngestToken(knex: Knex, orgId: number, integrationId: number, tokenHash: string, hint: string): Promise<void> {
  await knex('ingest_tokens').insert({ org_id: orgId, integration_id: integrationId, token_hash: tokenHash, token_hint: hint });
}

export async function revokeIngestTokens(knex: Knex, orgId: number, integrationId: number): Promise<number> {
  return knex('ingest_tokens').where({ org_id: orgId, integration_id: integrationId }).whereNull('revoked_at').update({ revoked_at: knex.fn.now() });
}

/** The live ingest tokens of the given organisations (hints only), for the integrations page. */
export async function listLiveIngestTokens(knex: Knex, orgIds: number[]): Promise<IngestTokenRow[]> {
  return knex('ingest_tokens')
    .select('org_id', 'id', 'integration_id', 'token_hint', 'created_at', 'last_used_at', 'revoked_at')
    .whereIn('org_id', orgIds)
    .whereNull('revoked_at')
    .orderBy('id');
}

/** The id of the integration's newest live token; 0 when it has none. */
export async function newestLiveIngestTokenId(knex: Knex, orgId: number, integrationId: number): Promise<number> {
  const row = await knex('ingest_tokens').max('id as id').where({ org_id: orgId, integration_id: integrationId }).whereNull('revoked_at').first();
  return Number(row?.id ?? 0);
}
