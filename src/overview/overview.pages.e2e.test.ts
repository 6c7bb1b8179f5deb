/**
 * The overview over HTTP with a frozen clock: an integration in each health
 * state (computed from the schedule and the clock, no scheduler running), the
 * figures and their links, worst first; the clock moved on turns late into
 * missed, and a late run makes it healthy again. The JSON twin says the same.
 * The queries behind it never read feed_records or errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../app/app.js';
import { frozenClock } from '../shared/clock.js';
import { createFixtureUsers, emailOf, signIn, type BrowserSession } from '../../test/helpers/accounts.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { type HealthStates, runOf, seedHealthStates } from '../../test/helpers/health-states.js';

const NOW = '2026-11-29T12:00:00Z';
const clock = frozenClock(NOW);
let db: TestDatabase;
let app: Express;
let owner: BrowserSession;
let apiToken: string;
let ids: Record<string, number> = {};
let post: HealthStates['post'];

before(async () => {
  db = await createTestDatabase();
  app = createApp({ knex: db.knex, clock, ingestLimits: { perMinute: 100_000 } });
  const fixtures = await createFixtureUsers(db.knex);
  apiToken = fixtures.apiTokens.owner;
  ({ ids, post } = await seedHealthStates(db.knex, app, new Date(NOW)));
  owner = await signIn(app, emailOf('owner'));
});
after(() => db.drop());

/** The health word of each integration row, in page order, with the row's HTML. */
function rowsOf(html: string): { name: string; health: string; html: string }[] {
  const body = /<table class="data overview">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr class="health-row-(\w+)">([\s\S]*?)<\/tr>/g)].map((match) => ({
    health: match[1]!,
    name: /class="integration-name"[^>]*>([^<]*)</.exec(match[2]!)?.[1] ?? '',
    html: match[2]!,
  }));
}

const decoded = (text: string) => text.replaceAll('&amp;', '&').replaceAll('&#39;', "'").replaceAll('&#34;', '"');

describe('the overview at a frozen moment', () => {
  test('each integration has its health, worst first, with a one-line reason', async () => {
    const page = await owner.agent.get('/');
    assert.equal(page.status, 200);
    const rows = rowsOf(page.text);
    assert.deepEqual(
      rows.map((row) => [row.name, row.health]),
      [
        ['Nightly feed', 'missed'],
        ['Broken feed', 'failing'],
        ['Noisy feed', 'failing'],
        ['Late feed', 'late'],
        ['A flow', 'silent'],
        ['Quiet feed', 'silent'],
        ['Healthy feed', 'healthy'],
      ],
    );
    const reason = (name: string) => decoded(/class="reason">([^<]*)</.exec(rows.find((row) => row.name === name)!.html)![1]!);
    assert.equal(reason('Nightly feed'), 'no run since 01:00 Fri 27 Nov, expected 01:00 yesterday + 10 min grace (2 runs missed)');
    assert.equal(reason('Broken feed'), 'last run (11:55 today) failed: Planday answered HTTP 503');
    assert.equal(reason('Noisy feed'), 'last run (11:30 today) failed 20 of 50 records (40%), usually 2.0%');
    assert.equal(reason('Late feed'), 'run expected 11:55 today not in yet, 10 min grace until 12:05 today');
    assert.equal(reason('Quiet feed'), 'no run received yet (every 15m (grace 10m))');
    assert.equal(reason('Healthy feed'), 'last run 11:55 today, next expected 12:10 today');
    // Colour and word: the badge's class names the state and its text says it.
    assert.match(page.text, /<a class="health health-missed" href="\/runs\?integration=\d+">missed<\/a>/);
  });

  test('the totals of the organisation, each a link to the list behind it', async () => {
    const page = await owner.agent.get('/');
    const totals = decoded(/<div class="summary-bar overview-totals">([\s\S]*?)<\/div>/.exec(page.text)![1]!);
    const count = (label: string) => new RegExp(`<strong>(\\d+)</strong><span><span class="health health-${label}">`).exec(totals)?.[1];
    assert.deepEqual(['missed', 'failing', 'late', 'silent', 'healthy'].map(count), ['1', '2', '1', '2', '1']);
    assert.match(totals, /href="\/\?health=missed"/);
    assert.match(totals, /href="\/runs\?from=2026-11-28T13%3A00%3A00.000Z"><strong>(\d+)<\/strong><span>runs in 24 h/);
    assert.match(totals, /href="\/employees\?state=blocked"><strong>[1-9]\d*<\/strong><span>employees blocked/);
  });

  test("an integration's figures: success rate over 24 h, errors over 7 days, open groups by code, employees blocked, each a link", async () => {
    const page = await owner.agent.get('/');
    const healthy = rowsOf(page.text).find((row) => row.name === 'Healthy feed')!;
    const html = decoded(healthy.html);
    const id = ids['Healthy feed'];
    // 92 of its runs started in the 24 hours from 13:00 yesterday (the 24th hour is the current one); none failed.
    assert.match(html, new RegExp(`<a href="/runs\\?integration=${id}&from=2026-11-28T13%3A00%3A00.000Z">100%</a>\\s*<span class="muted">of 92</span>`));
    assert.match(html, /href="\/runs\/\d+"><time datetime="2026-11-29T11:55:00.000Z"[^>]*>5 min ago<\/time><\/a>/);
    assert.match(html, /<time datetime="2026-11-29T12:10:00.000Z"[^>]*>in 10 min<\/time>/, 'next expected');
    // Every other run had a failed record: 48 errors in the day plus the last run's one.
    assert.match(html, new RegExp(`<a class="spark-link" href="/trends\\?integration=${id}&range=7d">`));
    assert.match(html, /<title id="spark-\d+">49 errors in 7 days, at most \d+ in 6 hours<\/title>/);
    assert.match(html, /<rect x="\d+" y="\d+" width="2" height="\d+"\/>/);
    assert.match(html, new RegExp(`<a href="/error-groups\\?integration=${id}&code=job_title_mismatch">job_title_mismatch <strong>1</strong></a>`));
    assert.match(html, new RegExp(`<a href="/employees\\?integration=${id}&state=blocked">1</a>`), 'the last run failed one employee');
    const broken = decoded(rowsOf(page.text).find((row) => row.name === 'Broken feed')!.html);
    assert.match(broken, new RegExp(`href="/runs\\?integration=${ids['Broken feed']}&status=failed&from=[^"]+">1 failed</a>`));
  });

  test('?health= shows only the integrations in that health', async () => {
    const page = await owner.agent.get('/?health=failing');
    assert.deepEqual(
      rowsOf(page.text).map((row) => row.name),
      ['Broken feed', 'Noisy feed'],
    );
    assert.match(page.text, /Only <strong>failing<\/strong> integrations/);
    assert.equal((await owner.agent.get('/?health=dreadful')).status, 400);
  });

  test('the page reads rollups and indexes: no query touches feed_records or errors', async () => {
    const seen: string[] = [];
    const listener = (query: { sql: string }) => seen.push(query.sql);
    db.knex.on('query', listener);
    try {
      assert.equal((await owner.agent.get('/')).status, 200);
    } finally {
      db.knex.removeListener('query', listener);
    }
    assert.ok(seen.some((sql) => /run_stats_hourly/.test(sql)) && seen.some((sql) => /error_counts_hourly/.test(sql)), 'the rollups are read');
    for (const sql of seen) assert.doesNotMatch(sql, /\b(FROM|JOIN)\s+(feed_records|errors)\b/i, sql);
  });
});

describe('the JSON twin', () => {
  test('GET /api/v1/overview answers the same health and figures, times in UTC', async () => {
    const response = await request(app).get('/api/v1/overview').set('Authorization', `Bearer ${apiToken}`);
    assert.equal(response.status, 200);
    assert.equal(response.body.generated_at, '2026-11-29T12:00:00.000Z');
    const [org] = response.body.organisations;
    assert.equal(org.slug, 'org-a');
    assert.deepEqual(org.totals.integrations_by_health, { missed: 1, failing: 2, late: 1, silent: 2, healthy: 1 });
    const healthy = org.integrations.find((i: { name: string }) => i.name === 'Healthy feed');
    assert.equal(healthy.health, 'healthy');
    assert.equal(healthy.next_expected_at, '2026-11-29T12:10:00.000Z');
    assert.equal(healthy.last_run.started_at, '2026-11-29T11:55:00.000Z');
    assert.equal(healthy.runs_24h, 92);
    assert.equal(healthy.success_rate_24h, 1);
    assert.equal(healthy.errors_7d, 49);
    assert.deepEqual(healthy.open_groups, { job_title_mismatch: 1 });
    assert.equal(healthy.employees_blocked, 1);
    const nightly = org.integrations[0];
    assert.equal(nightly.name, 'Nightly feed');
    assert.equal(nightly.health, 'missed');
    assert.equal(nightly.next_expected_at, '2026-11-30T01:00:00.000Z');
    const quiet = org.integrations.find((i: { name: string }) => i.name === 'Quiet feed');
    assert.deepEqual([quiet.health, quiet.last_run, quiet.next_expected_at, quiet.success_rate_24h], ['silent', null, null, null]);
    const filtered = await request(app).get('/api/v1/overview?health=late').set('Authorization', `Bearer ${apiToken}`);
    assert.deepEqual(
      filtered.body.organisations[0].integrations.map((i: { name: string }) => i.name),
      ['Late feed'],
    );
  });
});

describe('as the clock moves', () => {
  test("late turns missed once its grace passed; a late run ends it; the scheduler's open gap shows until a run ends it", async () => {
    clock.set('2026-11-29T12:05:01Z');
    let rows = rowsOf((await owner.agent.get('/')).text);
    assert.equal(rows.find((row) => row.name === 'Late feed')!.health, 'missed');
    assert.equal(rows.find((row) => row.name === 'Healthy feed')!.health, 'healthy');

    await post('Late feed', runOf('l-2', new Date('2026-11-29T12:04:00Z')));
    rows = rowsOf((await owner.agent.get('/')).text);
    assert.equal(rows.find((row) => row.name === 'Late feed')!.health, 'healthy');

    // A gap the scheduler stored after the last run (say the schedule was tightened since): missed until a run ends it.
    await db.knex('integration_events').insert({
      org_id: (await db.knex('integrations').where({ id: ids['Late feed'] }).first('org_id')).org_id,
      integration_id: ids['Late feed'],
      code: 'missed_run',
      severity: 'error',
      due_at: new Date('2026-11-29T12:04:30Z'),
      last_due_at: new Date('2026-11-29T12:04:30Z'),
      missed_slots: 1,
      occurred_at: new Date('2026-11-29T12:05:00Z'),
      details: { expected: 'every 15m (grace 10m)' },
    });
    rows = rowsOf((await owner.agent.get('/')).text);
    const late = rows.find((row) => row.name === 'Late feed')!;
    assert.equal(late.health, 'missed');
    assert.match(decoded(late.html), /missed the run expected 12:04 today \(recorded by the scheduler\)/);
    await post('Late feed', runOf('l-3', new Date('2026-11-29T12:05:00Z')));
    rows = rowsOf((await owner.agent.get('/')).text);
    assert.equal(rows.find((row) => row.name === 'Late feed')!.health, 'healthy', 'a newer run ends the stored gap even before the scheduler closes it');
  });

  test('relative times follow the clock', async () => {
    clock.set('2026-11-29T14:00:00Z');
    const healthy = rowsOf((await owner.agent.get('/')).text).find((row) => row.name === 'Healthy feed')!;
    assert.equal(healthy.health, 'missed');
    assert.match(healthy.html, /<time datetime="2026-11-29T11:55:00.000Z"[^>]*>2 h ago<\/time>/);
  });
});
