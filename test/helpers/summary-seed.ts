/**
 * Organisations for the summary email's benchmark and plan test, written straight into
 * the tables (no ingest): each with a few integrations, their hourly run rollups, error
 * groups with open members, blocked employees, missed-run gaps, and one ops person with
 * daily summaries. Seeded (src/simulate/random.ts): the same seed writes the same rows.
 */
import type { Knex } from 'knex';
import { mixSeed, Random } from '../../src/simulate/random.js';

export interface SummarySeedOptions {
  organisations: number;
  seed: number;
  /** Hours of rollups, groups and events before `until` (default 72: a daily period and the one before, and more). */
  hours?: number;
  until: Date;
  /** Prefix of the slugs and emails, so several seeds can share a database (default `sum`). */
  prefix?: string;
}

const ZONES = ['Europe/London', 'Europe/Madrid', 'America/New_York', 'Asia/Tokyo', 'UTC'];
const TITLES = ['Head Chef', 'Kitchen Porter', 'Bar Manager', 'Server', 'Host'];
const HOUR = 3_600_000;

async function insertChunked<T extends object>(knex: Knex, table: string, rows: T[], returning?: string[]): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let index = 0; index < rows.length; index += 1000) {
    const chunk = rows.slice(index, index + 1000);
    if (returning) out.push(...(await knex(table).insert(chunk).returning(returning)));
    else await knex(table).insert(chunk);
  }
  return out;
}

export async function seedSummaryOrganisations(knex: Knex, options: SummarySeedOptions): Promise<{ orgIds: number[]; emails: string[] }> {
  const prefix = options.prefix ?? 'sum';
  const hours = options.hours ?? 72;
  const until = options.until.getTime();
  const orgs = (await insertChunked(
    knex,
    'organisations',
    Array.from({ length: options.organisations }, (_, index) => ({ slug: `${prefix}-${index}`, name: `${prefix} organisation ${index}` })),
    ['id'],
  )) as Array<{ id: string }>;
  const orgIds = orgs.map((row) => Number(row.id));
  const emails = orgIds.map((_, index) => `${prefix}-ops-${index}@example.com`);
  const users = (await insertChunked(
    knex,
    'users',
    emails.map((email, index) => ({ email, time_zone: ZONES[index % ZONES.length] })),
    ['id'],
  )) as Array<{ id: string }>;
  await insertChunked(
    knex,
    'memberships',
    orgIds.map((orgId, index) => ({ org_id: orgId, user_id: Number(users[index]!.id), role: 'ops' })),
  );
  await insertChunked(
    knex,
    'email_preferences',
    orgIds.map((orgId, index) => ({
      org_id: orgId,
      user_id: Number(users[index]!.id),
      frequency: 'daily',
      local_time: '08:00',
      min_severity: index % 3 === 0 ? 'info' : 'error',
      empty_summary: 'one_line',
    })),
  );

  const integrationRows = orgIds.flatMap((orgId, index) => {
    const random = new Random(mixSeed(options.seed, index));
    return Array.from({ length: random.int(2, 4) }, (_, n) => ({
      org_id: orgId,
      name: `Flow ${n}`,
      source_system: random.pick(['Fourth', 'Planday', 'Mapal OS']),
      target_system: 'Flow Learning',
      schedule_interval_seconds: 3600,
      required_fields: ['external_id'],
    }));
  });
  const integrations = (await insertChunked(knex, 'integrations', integrationRows, ['org_id', 'id'])) as Array<{ org_id: string; id: string }>;

  const stats: object[] = [];
  const groups: object[] = [];
  const employees: object[] = [];
  const events: object[] = [];
  for (const [n, integration] of integrations.entries()) {
    const random = new Random(mixSeed(options.seed, 1_000_000 + n));
    const orgId = Number(integration.org_id);
    const integrationId = Number(integration.id);
    for (let hour = 1; hour <= hours; hour += 1) {
      const failed = random.chance(0.05) ? 1 : 0;
      const records = random.int(50, 500);
      stats.push({
        org_id: orgId,
        integration_id: integrationId,
        hour: new Date(until - hour * HOUR),
        runs: 1,
        failed_runs: failed,
        runs_with_errors: random.chance(0.3) ? 1 : 0,
        records,
        records_succeeded: records - 5,
        records_failed: 5,
        records_warning: 0,
        min_records: records,
        max_records: records,
        duration_ms: 60_000,
        max_duration_ms: 60_000,
      });
    }
    for (let g = 0; g < random.int(5, 30); g += 1) {
      const firstSeen = new Date(until - random.int(1, hours * 2) * HOUR);
      const status = random.pick(['open', 'open', 'open', 'regressed', 'resolved', 'ignored'] as const);
      const title = random.pick(TITLES);
      groups.push({
        org_id: orgId,
        integration_id: integrationId,
        group_key: `seed-${g}`,
        code: 'job_title_mismatch',
        field: 'job_title',
        value: title.toLowerCase(),
        expected: title,
        variant: 'case',
        severity: random.chance(0.8) ? 'error' : 'info',
        run_level: false,
        first_seen_started_at: firstSeen,
        last_seen_started_at: new Date(Math.max(firstSeen.getTime(), until - random.int(1, 24) * HOUR)),
        first_seen_sync_run_id: 0,
        last_seen_sync_run_id: 0,
        occurrences: random.int(1, 5000),
        status,
        status_changed_at: new Date(until - random.int(1, hours) * HOUR),
        resolved_started_at: status === 'resolved' ? new Date(until - random.int(1, hours) * HOUR) : null,
      });
    }
    for (let e = 0; e < random.int(0, 8); e += 1) {
      const since = new Date(until - random.int(1, hours * 5) * HOUR);
      employees.push({
        org_id: orgId,
        integration_id: integrationId,
        external_id: `emp-${e}`,
        first_name: 'Ana',
        last_name: `Lopez ${e}`,
        last_started_at: since,
        last_sync_run_id: 0,
        last_index: 0,
        last_action: 'update',
        last_outcome: 'failed',
        first_seen_started_at: since,
        first_seen_sync_run_id: 0,
        applied_started_at: since,
        applied_sync_run_id: 0,
        applied_index: 0,
        failing_since: since,
        open_errors: 1,
        search_key: `emp-${e} ana lopez`,
        sort_key: `lopez ${e}`,
      });
    }
    if (random.chance(0.2)) {
      events.push({
        org_id: orgId,
        integration_id: integrationId,
        code: 'missed_run',
        severity: 'error',
        due_at: new Date(until - random.int(1, 24) * HOUR),
        missed_slots: random.int(1, 3),
      });
    }
  }
  await insertChunked(knex, 'run_stats_hourly', stats);
  const groupIds = (await insertChunked(knex, 'error_groups', groups, ['org_id', 'id', 'integration_id', 'status'])) as Array<{
    org_id: string;
    id: string;
    integration_id: string;
    status: string;
  }>;
  const members = groupIds
    .filter((group) => group.status === 'open' || group.status === 'regressed')
    .flatMap((group, index) =>
      Array.from({ length: 1 + (index % 4) }, (_, m) => ({
        org_id: Number(group.org_id),
        group_id: Number(group.id),
        integration_id: Number(group.integration_id),
        external_id: `emp-${m}`,
        open: true,
        last_seen_started_at: new Date(until - HOUR),
      })),
    );
  await insertChunked(knex, 'error_group_members', members);
  await insertChunked(knex, 'employee_summaries', employees);
  await insertChunked(knex, 'integration_events', events);
  return { orgIds, emails };
}
