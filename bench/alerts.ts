/**
 * The alert job at the quarter-hour burst: 5,000 watched organisations, 3
 * integrations each with 10 earlier runs, and every integration's run of this
 * quarter hour arriving at once (15,000 new runs, one in 20 failed). Times the
 * scheduler's tick that examines them all, then the next tick with nothing
 * new. Goal: the burst's tick ends within the scheduler's minute, so alerts
 * never fall behind.
 *
 * `node --import tsx bench/alerts.ts` runs it alone.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { detectAlerts } from '../src/alerts/alerts.service.js';
import { logToStderr } from '../src/logger.js';
import { benchDatabase } from './database.js';
import { figure, underGoal } from './report.js';

const ORGANISATIONS = 5_000;
const INTEGRATIONS_PER_ORG = 3;
const EARLIER_RUNS = 10;
const GOAL_S = 60;

export async function benchAlerts(): Promise<void> {
  const { knex, close } = await benchDatabase('feedlog_bench_alerts', { dropAfter: true });
  try {
    const seedStarted = performance.now();
    await knex.raw(`INSERT INTO organisations (slug, name) SELECT 'alerts-' || g, 'Alerts ' || g FROM generate_series(1, ?) g`, [ORGANISATIONS]);
    await knex.raw(
      `INSERT INTO integrations (org_id, name, schedule_interval_seconds, required_fields)
       SELECT o.id, 'flow ' || g, 900, '{}' FROM organisations o, generate_series(1, ?) g`,
      [INTEGRATIONS_PER_ORG],
    );
    await knex.raw(`INSERT INTO users (email, password_hash) SELECT 'ops' || id || '@example.com', 'x' FROM organisations`);
    await knex.raw(
      `INSERT INTO memberships (org_id, user_id, role) SELECT o.id, u.id, 'ops' FROM organisations o JOIN users u ON u.email = 'ops' || o.id || '@example.com'`,
    );
    await knex.raw(`INSERT INTO email_preferences (org_id, user_id, frequency) SELECT org_id, user_id, 'off' FROM memberships`);
    // Ten good runs of 100 records per integration, one every 15 minutes, before the last look.
    await knex.raw(
      `INSERT INTO sync_runs (org_id, integration_id, run_id, trigger, status, started_at, finished_at, received_at, record_count, counts, error_counts, body_sha256, header)
       SELECT i.org_id, i.id, 'r-' || g, 'scheduled', 'completed', now() - interval '3 hours' + g * interval '15 min',
         now() - interval '3 hours' + g * interval '15 min' + interval '1 min', now() - interval '3 hours' + g * interval '15 min' + interval '1 min',
         100, '{}', '{}', 'x', '{}'
       FROM integrations i, generate_series(1, ?) g`,
      [EARLIER_RUNS],
    );
    const now = new Date();
    // Watched, and examined up to 10 minutes ago: the first tick only starts watching.
    await detectAlerts(knex, now);
    await knex('email_alert_watermarks').update({ runs_through: new Date(now.getTime() - 10 * 60_000) });
    // The burst: every integration's run of this quarter hour, received 5 minutes ago.
    await knex.raw(
      `INSERT INTO sync_runs (org_id, integration_id, run_id, trigger, status, started_at, finished_at, received_at, record_count, counts, error_counts, body_sha256, header)
       SELECT i.org_id, i.id, 'burst', 'scheduled', CASE WHEN i.id % 20 = 0 THEN 'failed' ELSE 'completed' END,
         now() - interval '6 min', now() - interval '5 min', now() - interval '5 min', 100, '{}', '{}', 'x', '{}'
       FROM integrations i`,
    );
    await knex.raw('ANALYZE');
    const newRuns = ORGANISATIONS * INTEGRATIONS_PER_ORG;
    console.log(
      `seeded ${ORGANISATIONS.toLocaleString('en')} watched organisations, ${newRuns.toLocaleString('en')} integrations with ${EARLIER_RUNS} earlier runs each, in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
    );

    const burstNow = new Date(now.getTime() + 60_000);
    const burstStarted = performance.now();
    const examined = await detectAlerts(knex, burstNow);
    const burstMs = performance.now() - burstStarted;
    const alerts = Number((await knex('email_deliveries').where({ kind: 'alert' }).count<{ count: string }[]>('* AS count'))[0]!.count);
    if (examined !== ORGANISATIONS) throw new Error(`the burst's tick examined ${examined} organisations, not ${ORGANISATIONS}`);
    console.log(
      `the burst's tick examined ${examined.toLocaleString('en')} organisations and ${newRuns.toLocaleString('en')} new runs; ${alerts} alerts recorded`,
    );
    const quietStarted = performance.now();
    await detectAlerts(knex, new Date(burstNow.getTime() + 60_000));
    const quietMs = performance.now() - quietStarted;
    const version = (await knex.raw<{ rows: { server_version: string }[] }>('SHOW server_version')).rows[0]!.server_version;
    figure({
      name: 'alerts.burst_tick_s',
      value: burstMs / 1000,
      unit: 's',
      goal: underGoal(GOAL_S),
      detail: `${ORGANISATIONS} organisations, ${newRuns} new runs at once, PostgreSQL ${version}`,
    });
    figure({ name: 'alerts.quiet_tick_s', value: quietMs / 1000, unit: 's', goal: underGoal(GOAL_S), detail: 'the next tick, nothing new' });
  } finally {
    await close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  logToStderr();
  await benchAlerts();
  process.exit(0);
}
