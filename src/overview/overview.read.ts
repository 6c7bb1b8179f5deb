/**
 * The overview, shared by the page and GET /api/v1/overview: per organisation
 * its integrations, each with its health, figures and the links behind them,
 * worst first, and the organisation's totals.
 */
import type { Knex } from 'knex';
import { scheduleOf } from '../runs/run-gaps.js';
import { describeHealth, type Health, HEALTH_STATES, type HealthState, healthOf, healthRank } from './health.js';
import { hourlyErrors, type OverviewIntegrationRow, overviewIntegrations } from './overview.queries.js';
import { type Sparkline, sparklineOf, sparkWindowStart } from './sparkline.js';

const HOUR_MS = 3_600_000;

export interface IntegrationOverview {
  id: number;
  name: string;
  sourceSystem: string | null;
  targetSystem: string | null;
  health: Health;
  /** The one-line reason, times in the reader's zone. */
  reason: string;
  lastRun: { id: number; runId: string; status: string; startedAt: Date } | null;
  runs24h: number;
  failedRuns24h: number;
  /** Runs that did not fail, of all runs of the last 24 hours; null without runs. */
  successRate24h: number | null;
  sparkline: Sparkline;
  /** Open or regressed groups per code, most first. */
  openGroups: { code: string; groups: number; href: string }[];
  openGroupsTotal: number;
  blocked: number;
  links: {
    runs: string;
    failedRuns: string;
    runs24h: string;
    failedRuns24h: string;
    lastRun: string | null;
    trends: string;
    groups: string;
    blocked: string;
  };
}

export interface OrganisationOverview {
  id: number;
  slug: string;
  name: string;
  integrations: IntegrationOverview[];
  totals: {
    byHealth: Record<HealthState, number>;
    runs24h: number;
    failedRuns24h: number;
    successRate24h: number | null;
    openGroups: number;
    blocked: number;
  };
  /** The lists behind the totals (the caller's organisations together: the lists have no organisation filter). */
  links: { runs24h: string; failedRuns24h: string; groups: string; blocked: string };
}

const q = encodeURIComponent;

/** The first hour of the 24 that the success rate counts (the current hour is the 24th). */
export const since24h = (now: Date): Date => new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - 23 * HOUR_MS);

const rate = (runs: number, failed: number) => (runs === 0 ? null : (runs - failed) / runs);

function integrationOf(row: OverviewIntegrationRow, hours: { hour: Date; errors: number }[], now: Date, timeZone: string): IntegrationOverview {
  const id = row.integration_id!;
  const health = healthOf({
    schedule: scheduleOf(row),
    lastRun:
      row.last_run_started_at && row.last_run_status
        ? {
            startedAt: row.last_run_started_at,
            status: row.last_run_status,
            recordCount: row.last_run_record_count ?? 0,
            failedRecords: row.last_run_failed_records ?? 0,
            runError: row.last_run_error,
          }
        : null,
    openMissedRun: row.missed_due_at ? { dueAt: row.missed_due_at, lastDueAt: row.missed_last_due_at, missedSlots: row.missed_slots } : null,
    normalFailedShare: row.normal_failed_share === null ? null : Number(row.normal_failed_share),
    now,
  });
  const from = q(since24h(now).toISOString());
  const openGroups = Object.entries(row.open_groups)
    .map(([code, groups]) => ({ code, groups, href: `/error-groups?integration=${id}&code=${q(code)}` }))
    .sort((a, b) => b.groups - a.groups || a.code.localeCompare(b.code));
  return {
    id,
    name: row.integration_name!,
    sourceSystem: row.source_system,
    targetSystem: row.target_system,
    health,
    reason: describeHealth(health, now, timeZone),
    lastRun:
      row.last_run_id !== null && row.last_run_started_at
        ? { id: row.last_run_id, runId: row.last_run_run_id!, status: row.last_run_status!, startedAt: row.last_run_started_at }
        : null,
    runs24h: row.runs_24h,
    failedRuns24h: row.failed_runs_24h,
    successRate24h: rate(row.runs_24h, row.failed_runs_24h),
    sparkline: sparklineOf(hours, now),
    openGroups,
    openGroupsTotal: openGroups.reduce((sum, g) => sum + g.groups, 0),
    blocked: row.blocked,
    links: {
      runs: `/runs?integration=${id}`,
      failedRuns: `/runs?integration=${id}&status=failed`,
      runs24h: `/runs?integration=${id}&from=${from}`,
      failedRuns24h: `/runs?integration=${id}&status=failed&from=${from}`,
      lastRun: row.last_run_id === null ? null : `/runs/${row.last_run_id}`,
      trends: `/trends?integration=${id}&range=7d`,
      groups: `/error-groups?integration=${id}`,
      blocked: `/employees?integration=${id}&state=blocked`,
    },
  };
}

/** Worst health first, then by name: what needs someone is at the top. */
const worstFirst = (a: IntegrationOverview, b: IntegrationOverview) =>
  healthRank(a.health.state) - healthRank(b.health.state) || a.name.localeCompare(b.name) || a.id - b.id;

/** Every organisation of `orgIds` with its integrations' health and figures at `now`; reasons worded in `timeZone`. */
export async function overviewOf(knex: Knex, orgIds: number[], now: Date, timeZone: string): Promise<OrganisationOverview[]> {
  const [rows, errors] = await Promise.all([overviewIntegrations(knex, orgIds, since24h(now)), hourlyErrors(knex, orgIds, sparkWindowStart(now))]);
  const hoursOf = new Map<number, { hour: Date; errors: number }[]>();
  for (const row of errors) {
    const list = hoursOf.get(row.integration_id) ?? [];
    if (list.length === 0) hoursOf.set(row.integration_id, list);
    list.push(row);
  }
  const organisations = new Map<number, OrganisationOverview>();
  for (const row of rows) {
    let org = organisations.get(row.org_id);
    if (!org) {
      const from = q(since24h(now).toISOString());
      const links = {
        runs24h: `/runs?from=${from}`,
        failedRuns24h: `/runs?status=failed&from=${from}`,
        groups: '/error-groups',
        blocked: '/employees?state=blocked',
      };
      org = { id: row.org_id, slug: row.org_slug, name: row.org_name, integrations: [], totals: emptyTotals(), links };
      organisations.set(row.org_id, org);
    }
    if (row.integration_id !== null) org.integrations.push(integrationOf(row, hoursOf.get(row.integration_id) ?? [], now, timeZone));
  }
  for (const org of organisations.values()) {
    org.integrations.sort(worstFirst);
    const totals = org.totals;
    for (const i of org.integrations) {
      totals.byHealth[i.health.state] += 1;
      totals.runs24h += i.runs24h;
      totals.failedRuns24h += i.failedRuns24h;
      totals.openGroups += i.openGroupsTotal;
      totals.blocked += i.blocked;
    }
    totals.successRate24h = rate(totals.runs24h, totals.failedRuns24h);
  }
  return [...organisations.values()];
}

function emptyTotals(): OrganisationOverview['totals'] {
  return {
    byHealth: Object.fromEntries(HEALTH_STATES.map((state) => [state, 0])) as Record<HealthState, number>,
    runs24h: 0,
    failedRuns24h: 0,
    successRate24h: null,
    openGroups: 0,
    blocked: 0,
  };
}

/** The overview's JSON: times RFC 3339 UTC, reasons worded in UTC. */
export function toApiOverview(organisations: OrganisationOverview[], now: Date) {
  return {
    generated_at: now.toISOString(),
    organisations: organisations.map((org) => ({
      id: org.id,
      slug: org.slug,
      name: org.name,
      totals: {
        integrations_by_health: org.totals.byHealth,
        runs_24h: org.totals.runs24h,
        failed_runs_24h: org.totals.failedRuns24h,
        success_rate_24h: org.totals.successRate24h,
        open_groups: org.totals.openGroups,
        employees_blocked: org.totals.blocked,
      },
      integrations: org.integrations.map((i) => ({
        id: i.id,
        name: i.name,
        source_system: i.sourceSystem,
        target_system: i.targetSystem,
        health: i.health.state,
        reason: i.reason,
        expected: i.health.expected,
        last_run: i.lastRun ? { id: i.lastRun.id, run_id: i.lastRun.runId, status: i.lastRun.status, started_at: i.lastRun.startedAt.toISOString() } : null,
        next_expected_at: i.health.nextExpectedAt?.toISOString() ?? null,
        runs_24h: i.runs24h,
        failed_runs_24h: i.failedRuns24h,
        success_rate_24h: i.successRate24h,
        errors_7d: i.sparkline.total,
        open_groups: Object.fromEntries(i.openGroups.map((g) => [g.code, g.groups])),
        open_groups_total: i.openGroupsTotal,
        employees_blocked: i.blocked,
      })),
    })),
  };
}
