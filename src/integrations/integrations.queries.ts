import type { Knex } from 'knex';
import type { Catalog, FormField } from '../classify/types.js';

export interface IntegrationRow {
  org_id: number;
  id: number;
  name: string;
  source_system: string | null;
  target_system: string | null;
  schedule_interval_seconds: number | null;
  schedule_cron: string | null;
  schedule_time_zone: string;
  grace_seconds: number;
  required_fields: string[];
  catalog: Catalog | null;
  catalog_started_at: Date | null;
  form_fields: FormField[] | null;
  form_fields_started_at: Date | null;
  last_run_started_at: Date | null;
  created_at: Date;
}

export type NewIntegration = Pick<
  IntegrationRow,
  | 'org_id'
  | 'name'
  | 'source_system'
  | 'target_system'
  | 'schedule_interval_seconds'
  | 'schedule_cron'
  | 'schedule_time_zone'
  | 'grace_seconds'
  | 'required_fields'
>;

export async function insertIntegration(knex: Knex, integration: NewIntegration): Promise<IntegrationRow> {
  const [row] = await knex('integrations').insert(integration).returning('*');
  return row as IntegrationRow;
}

export async function listIntegrations(knex: Knex, orgId: number): Promise<IntegrationRow[]> {
  return knex('integrations').where({ org_id: orgId }).orderBy('name');
}

export async function findIntegrationByName(knex: Knex, orgId: number, name: string): Promise<IntegrationRow | undefined> {
  return knex('integrations').where({ org_id: orgId, name }).first();
}

/** Locks the integration's row for the rest of the transaction: runs of one integration are ingested one at a time. */
export async function lockIntegration(trx: Knex.Transaction, orgId: number, id: number): Promise<IntegrationRow> {
  const row = await trx('integrations').where({ org_id: orgId, id }).forUpdate().first();
  if (!row) throw new Error(`integration ${orgId}/${id} vanished during ingest`);
  return row as IntegrationRow;
}

/**
 * Records what a run taught us, never replacing what a newer run (by started_at)
 * already set. Source and target systems left unset when the integration was
 * created are learnt from the first run that names them (guidance names them).
 */
export async function recordRunKnowledge(
  trx: Knex.Transaction,
  integration: IntegrationRow,
  startedAt: Date,
  catalog: Catalog | null | undefined,
  formFields: FormField[] | null | undefined,
  systems: { source_system?: string | null; target_system?: string | null } = {},
): Promise<void> {
  const isNewer = (previous: Date | null) => previous === null || previous.getTime() <= startedAt.getTime();
  const changes: Record<string, unknown> = {};
  if (integration.source_system === null && systems.source_system) changes.source_system = systems.source_system;
  if (integration.target_system === null && systems.target_system) changes.target_system = systems.target_system;
  if (catalog && isNewer(integration.catalog_started_at)) {
    changes.catalog = JSON.stringify(catalog);
    changes.catalog_started_at = startedAt;
  }
  if (formFields && isNewer(integration.form_fields_started_at)) {
    changes.form_fields = JSON.stringify(formFields);
    changes.form_fields_started_at = startedAt;
  }
  if (isNewer(integration.last_run_started_at)) changes.last_run_started_at = startedAt;
  if (Object.keys(changes).length === 0) return;
  await trx('integrations').where({ org_id: integration.org_id, id: integration.id }).update(changes);
}

/** The integrations of several organisations (what a page's filters offer), by organisation and name. */
export async function listIntegrationsOf(knex: Knex, orgIds: number[]): Promise<IntegrationRow[]> {
  return knex('integrations').whereIn('org_id', orgIds).orderBy(['org_id', 'name']);
}

/** One integration, if it belongs to one of the given organisations. */
export async function findIntegrationIn(knex: Knex, orgIds: number[], id: number): Promise<IntegrationRow | undefined> {
  return knex('integrations').whereIn('org_id', orgIds).andWhere({ id }).first();
}
