/**
 * `feedlog demo`: serves the app (the serve path, embedded PostgreSQL on a
 * fresh install), creates or reuses a demo organisation, its admin and three
 * integrations, posts their history over HTTP to the app it serves, then goes
 * on simulating in real time.
 *
 * The story, relative to the end of the backfill (E):
 * - "Restaurants (Mapal OS)", Mapal OS -> Flow Learning every 15 min: healthy;
 *   three days before E, from 08:00 to 12:00 UTC, it sent about 40 % fewer
 *   employees (a volume drop); one run failed five days before E.
 * - "Hotels (Planday)", Planday -> Flow Learning at 02:00 Europe/Copenhagen:
 *   failing: its last run (and every one after) failed as a whole. Its "Job title (Flow)" field was archived for a night.
 * - "Head office (HR feed)", hourly: went silent five hours before E and stays
 *   silent: missed runs.
 * All three: people join and leave, values slip from the catalog and get fixed;
 * in the first two a catalog fix (two days before E) resolves the groups of
 * values the target lacked.
 * A second run finds them by name and goes on from each one's last stored run.
 */
import type { Knex } from 'knex';
import type { Serving } from '../app/server.js';
import { createUser, resetPassword } from '../accounts/accounts.service.js';
import { findIntegrationByName } from '../integrations/integrations.queries.js';
import { createIntegration, rotateIngestToken } from '../integrations/integrations.service.js';
import { parseSchedule, type Schedule } from '../integrations/schedule.js';
import { findOrganisationBySlug } from '../orgs/orgs.queries.js';
import { createOrganisation } from '../orgs/orgs.service.js';
import { systemClock, type Clock } from '../shared/clock.js';
import type { EngineKind } from './engines.js';
import { parseErrorMix } from './error-mix.js';
import { type Scenario, slotsFrom } from './generator.js';
import { runSpanOf } from './demo.queries.js';
import { alignToSchedule, describeTally, Feed, Progress, countSlots } from './runner.js';

export const DEMO_ORG = { slug: 'demo', name: 'Demo Hospitality Group' };
export const DEMO_ADMIN = 'admin@demo.example';

const HOUR = 3_600_000;

/** The schedule's last slot at or before `at`. */
function lastSlotBefore(schedule: Schedule, at: Date): Date {
  let last = at;
  for (const slot of slotsFrom(schedule, new Date(at.getTime() - 2 * DAY))) {
    if (slot.getTime() > at.getTime()) break;
    last = slot;
  }
  return last;
}
const DAY = 24 * HOUR;

interface DemoIntegration {
  name: string;
  kind: EngineKind;
  schedule: string;
  timeZone: string;
  grace: string;
  source: string;
  employees: number;
  seed: number;
  /** The story between the first slot and the end of the backfill (a second demo run finds the same ones). */
  scenario(start: Date, end: Date): Scenario;
  /** What the overview shows for it at the end of the backfill. */
  expect: string;
}

export const DEMO_INTEGRATIONS: DemoIntegration[] = [
  {
    name: 'Restaurants (Mapal OS)',
    kind: 'mapal-os',
    schedule: '15m',
    timeZone: 'UTC',
    grace: '10m',
    source: 'Mapal OS',
    employees: 16,
    seed: 11,
    scenario: (start, end) => {
      // Three days back in a week of history; in a shorter one, the day before the end.
      const back = Math.max(1, Math.min(3, Math.floor((end.getTime() - start.getTime()) / DAY) - 1));
      const dropDay = new Date(Math.floor((end.getTime() - back * DAY) / DAY) * DAY);
      return {
        drops: [{ from: new Date(dropDay.getTime() + 8 * HOUR), to: new Date(dropDay.getTime() + 12 * HOUR), share: 0.6 }],
        failedRuns: [{ from: new Date(end.getTime() - 5 * DAY), to: new Date(end.getTime() - 5 * DAY + 15 * 60_000) }],
        silences: [],
        catalogFixAt: new Date(end.getTime() - 2 * DAY),
      };
    },
    expect: 'healthy; it sent about 40 % fewer employees from 08:00 to 12:00 UTC three days ago (Trends: records per run)',
  },
  {
    name: 'Hotels (Planday)',
    kind: 'planday',
    schedule: '0 2 * * *',
    timeZone: 'Europe/Copenhagen',
    grace: '1h',
    source: 'Planday',
    employees: 120,
    seed: 22,
    scenario: (_start, end) => ({
      // After the last good night the engine stops getting through: the last run before the end (and every later one) fails.
      failedRuns: [{ from: lastSlotBefore(parseSchedule('0 2 * * *', 'Europe/Copenhagen'), new Date(end.getTime() - 15 * 60_000)), to: null }],
      archivedField: [{ from: new Date(end.getTime() - 4 * DAY - 12 * HOUR), to: new Date(end.getTime() - 3 * DAY - 12 * HOUR) }],
      silences: [],
      drops: [],
      catalogFixAt: new Date(end.getTime() - 2 * DAY - 12 * HOUR),
    }),
    expect: 'failing: its last run failed as a whole (the run error says why)',
  },
  {
    name: 'Head office (HR feed)',
    kind: 'hr-feed',
    schedule: '1h',
    timeZone: 'UTC',
    grace: '15m',
    source: 'HR feed',
    employees: 40,
    seed: 33,
    scenario: (_start, end) => ({
      silences: [{ from: new Date(end.getTime() - 5 * HOUR), to: null }],
      failedRuns: [],
      drops: [],
      catalogFixAt: null,
    }),
    expect: 'missed runs: silent for the last five hours, and still silent',
  },
];

export interface DemoOptions {
  /** Days of history on a fresh database (default 7). */
  days?: number;
  /** Set up, post the history, print, then stop instead of serving on. */
  once?: boolean;
  clock?: Clock;
  out?: (line: string) => void;
}

async function ensureAdmin(knex: Knex): Promise<{ password: string; created: boolean }> {
  const result = await createUser(knex, { email: DEMO_ADMIN, role: 'admin', orgSlug: DEMO_ORG.slug });
  if (result.generatedPassword) return { password: result.generatedPassword, created: true };
  const { generatedPassword } = await resetPassword(knex, DEMO_ADMIN);
  return { password: generatedPassword!, created: false };
}

export async function runDemo(serving: Serving, options: DemoOptions = {}): Promise<void> {
  const clock = options.clock ?? systemClock;
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const { knex, url } = serving;
  const began = Date.now();

  const organisation = (await findOrganisationBySlug(knex, DEMO_ORG.slug)) ?? (await createOrganisation(knex, DEMO_ORG.slug, DEMO_ORG.name));
  const admin = await ensureAdmin(knex);
  const now = clock.now();

  const plans = [];
  for (const spec of DEMO_INTEGRATIONS) {
    const existing = await findIntegrationByName(knex, organisation.id, spec.name);
    const { integration, token } = existing
      ? await rotateIngestToken(knex, DEMO_ORG.slug, spec.name)
      : await createIntegration(knex, {
          orgSlug: DEMO_ORG.slug,
          name: spec.name,
          schedule: spec.schedule,
          timeZone: spec.timeZone,
          grace: spec.grace,
          sourceSystem: spec.source,
          targetSystem: 'Flow Learning',
          actor: 'demo',
        });
    const span = await runSpanOf(knex, organisation.id, integration.id);
    plans.push({ spec, token, span, reused: Boolean(existing) });
  }

  // The story's clock: a fresh demo starts `days` ago, on a quarter hour; a second run finds that start
  // again as the first stored run (the 15-minute feed's initial run starts on it), so the story goes on unchanged.
  const days = options.days ?? 7;
  const firsts = plans.map((p) => p.span.first?.getTime()).filter((t): t is number => t !== undefined);
  const storyStart =
    firsts.length > 0 ? new Date(Math.min(...firsts)) : alignToSchedule({ kind: 'interval', seconds: 900 }, new Date(now.getTime() - days * DAY));
  const storyEnd = new Date(storyStart.getTime() + days * DAY);

  const feeds = plans.map(({ spec, token, span }) => {
    const schedule: Schedule = parseSchedule(spec.schedule, spec.timeZone);
    return new Feed({
      label: spec.name,
      simulation: {
        kind: spec.kind,
        schedule,
        employees: spec.employees,
        errors: parseErrorMix('normal'),
        seed: spec.seed,
        start: alignToSchedule(schedule, storyStart),
        scenario: spec.scenario(storyStart, storyEnd),
      },
      post: { url, token },
      storedUntil: span.last,
    });
  });
  const total = plans.reduce((sum, { spec, span }) => {
    const schedule = parseSchedule(spec.schedule, spec.timeZone);
    return sum + countSlots(schedule, span.last ?? storyStart, now);
  }, 0);
  const progress = new Progress(total);
  for (const feed of feeds) feed.onPosted = (run) => progress.tick(run.body.records.length);
  for (const feed of feeds) feed.onRetry = (reason, ms) => progress.retrying(reason, ms);
  await Promise.all(feeds.map((feed) => feed.backfill(now)));
  progress.finish();

  const seconds = ((Date.now() - began) / 1000).toFixed(1);
  out('');
  out(`feedlog demo is ready on ${url} (history posted in ${seconds} s)`);
  out('');
  out(`  Sign in at ${url}/login`);
  out(`  email:    ${DEMO_ADMIN}`);
  out(`  password: ${admin.password}`);
  out(
    admin.created
      ? '  (shown only now; run `npm run demo` again for a new one)'
      : '  (a new password: each `npm run demo` resets it and signs the old sessions out)',
  );
  out('');
  out(`Organisation '${DEMO_ORG.name}' (${DEMO_ORG.slug}), ${plans.some((p) => p.reused) ? 'reused' : 'created'}, with three integrations:`);
  for (const [index, { spec, token }] of plans.entries()) {
    out(`  ${spec.name} (${spec.schedule}${spec.timeZone !== 'UTC' ? ` ${spec.timeZone}` : ''}): ${spec.expect}`);
    out(`    ${describeTally(feeds[index]!.tally)}`);
    out(`    ingest token: ${token}`);
  }
  out('');
  out('What to look at:');
  out(`  ${url}/            the overview: one healthy integration, one failing, one with missed runs`);
  out(`  ${url}/trends      errors per code, success rate, records per run (the drop), cadence`);
  out(`  ${url}/error-groups  the open error groups, each with what to do`);
  out(`  ${url}/runs        the feed logs, gaps where runs were missed`);
  out('');
  if (options.once) {
    out('Stopping (--once).');
    await serving.shutdown();
    return;
  }
  out('Simulating on in real time (Ctrl+C stops the demo).');
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  for (const feed of feeds) feed.onPosted = undefined;
  await Promise.all(
    feeds.map((feed) =>
      feed.follow(clock, controller.signal).catch((error: Error) => {
        process.stderr.write(`feedlog demo: ${feed.tally.label} stopped simulating: ${error.message}\n`);
      }),
    ),
  );
}
