/**
 * A year of a busy organisation's history, for the trends' reads: twelve
 * 15-minute integrations with a year of hourly rollups each (105,120 hours of
 * run stats and 525,600 of error counts), inserted straight into the rollup
 * tables. Synthetic on purpose: a year of runs through ingest would take hours
 * to build, and the trends read nothing but these tables (and the missed-run
 * gaps, of which this organisation has a few hundred). The rows equal no raw
 * runs, so nothing but the benchmark may read this organisation's figures.
 */
import type { Knex } from 'knex';
import { createIntegration } from '../src/integrations/integrations.service.js';
import { createOrganisation } from '../src/orgs/orgs.service.js';

export const YEAR_ORG_SLUG = 'org-year';
const INTEGRATIONS = 12;
const CODES = ['job_title_mismatch', 'department_mismatch', 'branch_mismatch', 'missing_required_field', 'email_in_use'];

/** Creates the organisation and its rollups unless they exist; returns its id and one integration's. */
export async function ensureYearOfRollups(knex: Knex): Promise<{ orgId: number; integrationId: number; created: boolean }> {
  const existing = await knex('organisations').where({ slug: YEAR_ORG_SLUG }).first<{ id: number } | undefined>('id');
  if (existing) {
    const integration = await knex('integrations').where({ org_id: existing.id }).orderBy('id').first<{ id: number }>('id');
    return { orgId: Number(existing.id), integrationId: Number(integration.id), created: false };
  }
  const organisation = await createOrganisation(knex, YEAR_ORG_SLUG, 'A year of rollups (synthetic)');
  const ids: number[] = [];
  for (let n = 1; n <= INTEGRATIONS; n += 1) {
    const { integration } = await createIntegration(knex, {
      orgSlug: YEAR_ORG_SLUG,
      name: `Site ${n}`,
      schedule: '15m',
      sourceSystem: 'Mapal OS',
      targetSystem: 'Flow Learning',
    });
    ids.push(Number(integration.id));
  }
  // Four runs an hour of about 800 records, one failed run in fifty, a few errors per code; a week in spring at half volume.
  await knex.raw(
    `INSERT INTO run_stats_hourly (org_id, integration_id, hour, runs, failed_runs, runs_with_errors, records, records_succeeded, records_failed,
       records_warning, min_records, max_records, duration_ms, max_duration_ms, completed_records, min_completed_records)
     SELECT ?, i, h, 4, f, 4 - f, 4 * r, 4 * r - 12, 12, 0, r, r, 4 * 40000, 60000, (4 - f) * r, r
     FROM unnest(?::bigint[]) AS i
     CROSS JOIN generate_series(date_trunc('hour', now()) - interval '365 days', date_trunc('hour', now()), interval '1 hour') AS h
     CROSS JOIN LATERAL (SELECT CASE WHEN random() < 0.02 THEN 1 ELSE 0 END AS f,
       CASE WHEN h BETWEEN now() - interval '200 days' AND now() - interval '193 days' THEN 400 ELSE 800 END AS r) AS v`,
    [organisation.id, ids],
  );
  await knex.raw(
    `INSERT INTO error_counts_hourly (org_id, integration_id, hour, code, errors)
     SELECT ?, i, h, c, 1 + floor(random() * 6)::int
     FROM unnest(?::bigint[]) AS i
     CROSS JOIN generate_series(date_trunc('hour', now()) - interval '365 days', date_trunc('hour', now()), interval '1 hour') AS h
     CROSS JOIN unnest(?::text[]) AS c`,
    [organisation.id, ids, CODES],
  );
  await knex.raw(
    `INSERT INTO integration_events (org_id, integration_id, code, severity, due_at, last_due_at, missed_slots, occurred_at, resolved_at, details)
     SELECT ?, i, 'missed_run', 'error', d, d + interval '30 minutes', 3, d + interval '40 minutes', d + interval '45 minutes', '{"expected":"every 15m (grace 10m)"}'
     FROM unnest(?::bigint[]) AS i
     CROSS JOIN generate_series(date_trunc('hour', now()) - interval '365 days', date_trunc('hour', now()) - interval '1 day', interval '13 days') AS d`,
    [organisation.id, ids],
  );
  await knex.raw('ANALYZE run_stats_hourly, error_counts_hourly, integration_events');
  return { orgId: Number(organisation.id), integrationId: ids[0]!, created: true };
}
