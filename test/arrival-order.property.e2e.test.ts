/**
 * error-codes.md: "The result never depends on the order in which runs
 * arrive." For random small corpora, every order of arrival gives the
 * snapshot (test/helpers/arrival-snapshot.ts: errors, groups and members,
 * employee states and summaries, rollups) that arrival in run order gives.
 *
 * The generator is written for collisions, not realism (the simulator's
 * workforce rarely collides): a few runs of a few records each, drawn from four
 * external IDs, a handful of people who share names and emails, every action,
 * and failed and warning records with engine messages, so that duplicates
 * within and across runs, email_in_use, freed emails, deactivations,
 * reactivations, skips and creates after deletes happen in most corpora.
 * Every run has its own started_at (equal ones are ordered by run_id, but
 * these corpora need no tie); run_ids are not in run order, so nothing can
 * lean on them.
 *
 * Each order of arrival is posted over HTTP to a fresh integration of one
 * organisation, so that runs never mix (the orders are posted side by side,
 * each in its own order). Per corpus: run order, one random order and the
 * reverse. On failure fast-check prints the seed and the shrunk corpus; the
 * error prints the corpus as runs and the first differences of the two
 * snapshots.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import fc from 'fast-check';
import { createApp } from '../src/app/app.js';
import { createIntegration } from '../src/integrations/integrations.service.js';
import { createOrganisation } from '../src/orgs/orgs.service.js';
import { type IntegrationSnapshot, snapshotDifferences, snapshotIntegration } from './helpers/arrival-snapshot.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { postRun } from './helpers/ingest.js';

let db: TestDatabase;
let app: Express;
let orgId: number;
const ORG = 'arrival-property';
let integrations = 0;

before(async () => {
  db = await createTestDatabase();
  app = createApp({ knex: db.knex, ingestLimits: { perMinute: 1_000_000 } });
  orgId = (await createOrganisation(db.knex, ORG, 'Arrival property Ltd')).id;
});
after(() => db.drop());

// The pools. People differ only where both email and name differ (error-codes.md, "Same person").
const IDS = ['1', '2', '3', '4'];
const PEOPLE = [
  { first_name: 'Ana', last_name: 'Lopez', email: 'ana@example.com' },
  { first_name: 'Ana', last_name: 'Lopez', email: 'ana.lopez@example.com' }, // Ana, new email: the same person
  { first_name: 'Bob', last_name: 'Stone', email: 'bob@example.com' },
  { first_name: 'Cy', last_name: 'Moss', email: ' ANA@example.com' }, // Ana's email, another case: email_in_use
  { first_name: 'Dee', last_name: 'Hart', email: '' }, // no email: never a different person by email
  { first_name: 'Eve', last_name: 'Park', email: 'shared@example.com' },
  { first_name: 'Fay', last_name: 'Quinn', email: 'shared@example.com' },
];
const TITLES = ['Head Chef', 'Head Chef', 'head chef', 'Kitchen Porter', 'Sous Chef', ''];
const MESSAGES: Record<string, unknown>[][] = [
  [],
  [{ code: 'JOB_TITLE_NOT_FOUND', field: 'job_title', text: 'Job title does not exist' }],
  [{ code: 'EMAIL_IN_USE', field: 'email', text: 'Email already in use' }],
  [{ text: 'The target did not answer in time' }],
  [{ text: 'Request 4411 timed out after 30 s' }],
  [{ code: 'DUPLICATE_EXTERNAL_ID', field: 'external_id', text: 'Duplicate external id' }],
  [{ code: 'FIELD_ARCHIVED', field: 'job_title', text: "Field 'Job title (Flow)' is archived" }],
];

/** The catalog every run of a corpus sends, or none does. */
const CATALOG = { job_titles: ['Head Chef', 'Kitchen Porter'], departments: ['Kitchen'], branches: ['London Soho'] };
/** For the property where the catalog changes between runs: Sous Chef is added, Kitchen Porter dropped. */
const NEWER_CATALOG = { job_titles: ['Head Chef', 'Sous Chef'], departments: ['Kitchen'], branches: ['London Soho'] };
const CATALOGS = [CATALOG, NEWER_CATALOG];
/** For the same property: the form field feeding job_title, archived or not (run-level and record-level archived errors). */
const FORM_FIELDS = [true, false].map((archived) => [{ name: 'Job title (Flow)', maps_to: 'job_title', mandatory: true, archived }]);

const ACTIONS = ['create', 'update', 'deactivate', 'reactivate', 'skip'] as const;
const OUTCOMES = ['succeeded', 'failed', 'warning'] as const;

interface RecordSpec {
  id: number;
  action: (typeof ACTIONS)[number];
  outcome: (typeof OUTCOMES)[number];
  person: number;
  title: number;
  messages: number;
}

interface RunSpec {
  /** Minutes after 06:00 UTC: twelve hours, so runs share hours and spread over several (the rollups' buckets). */
  minute: number;
  failed: boolean;
  /** Index into CATALOGS, or null: the run sends no catalog. */
  catalog: number | null;
  /** Index into FORM_FIELDS, or null: the run sends none. */
  formFields: number | null;
  records: RecordSpec[];
  /** Where the run comes in the random order of arrival (ties: generation order, which shrinking tends to). */
  arrivalKey: number;
}

interface Corpus {
  runs: RunSpec[];
}

const recordSpec: fc.Arbitrary<RecordSpec> = fc.record({
  id: fc.integer({ min: 0, max: IDS.length - 1 }),
  action: fc.oneof(
    { weight: 7, arbitrary: fc.constant('create' as const) },
    { weight: 5, arbitrary: fc.constant('update' as const) },
    { weight: 3, arbitrary: fc.constant('deactivate' as const) },
    { weight: 2, arbitrary: fc.constant('reactivate' as const) },
    { weight: 3, arbitrary: fc.constant('skip' as const) },
  ),
  outcome: fc.oneof(
    { weight: 6, arbitrary: fc.constant('succeeded' as const) },
    { weight: 3, arbitrary: fc.constant('failed' as const) },
    { weight: 2, arbitrary: fc.constant('warning' as const) },
  ),
  person: fc.integer({ min: 0, max: PEOPLE.length - 1 }),
  title: fc.integer({ min: 0, max: TITLES.length - 1 }),
  messages: fc.integer({ min: 0, max: MESSAGES.length - 1 }),
});

/**
 * A corpus of 4 to 7 runs of 3 to 12 records. `catalogs`: 'same' (every run
 * sends CATALOG, or none does, one draw per corpus) or 'changing' (each run
 * sends CATALOG, NEWER_CATALOG or nothing).
 */
function corpusOf(catalogs: 'same' | 'changing'): fc.Arbitrary<Corpus> {
  const formFields = catalogs === 'changing' ? fc.option(fc.integer({ min: 0, max: FORM_FIELDS.length - 1 }), { freq: 3 }) : fc.constant(null);
  const runSpec = (catalog: fc.Arbitrary<number | null>) =>
    fc.record({
      minute: fc.integer({ min: 0, max: 12 * 60 - 1 }),
      failed: fc.integer({ min: 0, max: 7 }).map((k) => k === 7),
      catalog,
      formFields,
      records: fc.array(recordSpec, { minLength: 3, maxLength: 12 }),
      arrivalKey: fc.nat(1000),
    });
  const runs = (catalog: fc.Arbitrary<number | null>) => fc.uniqueArray(runSpec(catalog), { minLength: 4, maxLength: 7, selector: (run) => run.minute });
  if (catalogs === 'changing') return fc.record({ runs: runs(fc.option(fc.integer({ min: 0, max: CATALOGS.length - 1 }), { freq: 3 })) });
  return fc.boolean().chain((send) => fc.record({ runs: runs(fc.constant(send ? 0 : null)) }));
}

const runIdOf = (index: number) => `run-${String.fromCharCode(97 + index)}`;
const startOf = (run: RunSpec) => new Date(Date.UTC(2026, 10, 21, 6, run.minute, 7));

function bodyOf(run: RunSpec, index: number): Record<string, unknown> {
  const started = startOf(run);
  return {
    schema_version: 1,
    run_id: runIdOf(index),
    source_system: 'Fourth',
    target_system: 'Flow Learning',
    trigger: 'scheduled',
    started_at: started.toISOString(),
    finished_at: new Date(started.getTime() + 30_000 + run.records.length * 1_000).toISOString(),
    status: run.failed ? 'failed' : run.records.some((r) => r.outcome === 'failed') ? 'completed_with_errors' : 'completed',
    run_error: run.failed ? 'Target unreachable: connection reset' : null,
    ...(run.catalog === null ? {} : { catalog: CATALOGS[run.catalog] }),
    ...(run.formFields === null ? {} : { form_fields: FORM_FIELDS[run.formFields] }),
    records: run.records.map((r) => ({
      external_id: IDS[r.id],
      action: r.action,
      outcome: r.outcome,
      employee: { ...PEOPLE[r.person], job_title: TITLES[r.title], department: 'Kitchen', branch: 'London Soho' },
      messages: r.outcome === 'succeeded' ? [] : MESSAGES[r.messages],
    })),
  };
}

/** Run indexes in run order (started_at; they are distinct). */
const runOrder = (corpus: Corpus) => corpus.runs.map((_, i) => i).sort((a, b) => corpus.runs[a]!.minute - corpus.runs[b]!.minute);
/** Run indexes in the corpus's random order of arrival. */
const randomOrder = (corpus: Corpus) => corpus.runs.map((_, i) => i).sort((a, b) => corpus.runs[a]!.arrivalKey - corpus.runs[b]!.arrivalKey || a - b);

/** Posts the corpus's runs in the given order to a new integration; returns the snapshot. */
async function ingestInOrder(corpus: Corpus, order: number[]): Promise<IntegrationSnapshot> {
  integrations += 1;
  const { integration, token } = await createIntegration(db.knex, { orgSlug: ORG, name: `corpus ${integrations}`, schedule: '1h' });
  for (const index of order) {
    const response = await postRun(app, token, bodyOf(corpus.runs[index]!, index));
    assert.equal(response.status, 201, `${runIdOf(index)}: ${response.text}`);
  }
  return snapshotIntegration(db.knex, orgId, integration.id);
}

/** The corpus as people read it: one line per run in run order, each record `id action outcome person title [message]`. */
function describeCorpus(corpus: Corpus): string {
  return runOrder(corpus)
    .map((index) => {
      const run = corpus.runs[index]!;
      const records = run.records.map((r) => {
        const person = PEOPLE[r.person]!;
        const message = r.outcome === 'succeeded' || r.messages === 0 ? '' : ` [${JSON.stringify(MESSAGES[r.messages]![0])}]`;
        return `    ${IDS[r.id]} ${r.action} ${r.outcome} ${person.first_name} <${person.email}> '${TITLES[r.title]}'${message}`;
      });
      const catalog = `${run.catalog === null ? 'no catalog' : `catalog ${run.catalog}`}${run.formFields === null ? '' : `, form fields ${run.formFields}`}`;
      return `  ${runIdOf(index)} ${startOf(run).toISOString().slice(11, 16)}${run.failed ? ' FAILED' : ''} (${catalog})\n${records.join('\n')}`;
    })
    .join('\n');
}

const names = (order: number[]) => order.map(runIdOf).join(', ');

/** Error codes (with variant) counted over a snapshot's records and runs. */
function countCodes(snapshot: IntegrationSnapshot, into: Map<string, number>) {
  for (const run of Object.values(snapshot.runs)) {
    for (const error of [...run.run_errors, ...run.records.flatMap((r) => r.errors)]) {
      const key = error.variant && error.code === 'duplicate_external_id' ? `${error.code}/${error.variant}` : error.code;
      into.set(key, (into.get(key) ?? 0) + 1);
    }
  }
}

/**
 * The property: run order, the random order and the reverse give one
 * snapshot. Shrinking posts the corpus again and again, so it is cut after
 * 90 s (checks and shrinking together); fast-check then reports the smallest
 * failure found so far.
 */
async function assertOrderIndependent(catalogs: 'same' | 'changing', numRuns: number, seed: number) {
  const details = await fc.check(
    fc.asyncProperty(corpusOf(catalogs), async (corpus) => {
      const inRunOrder = runOrder(corpus);
      const orders = [randomOrder(corpus), [...inRunOrder].reverse()].filter((order) => order.join() !== inRunOrder.join());
      // Each order has an integration of its own, so they are posted side by side (each in its order).
      const [expected, ...actuals] = await Promise.all([inRunOrder, ...orders].map((order) => ingestInOrder(corpus, order)));
      for (const [i, order] of orders.entries()) {
        const differences = snapshotDifferences(expected, actuals[i], 25);
        if (differences.length > 0) {
          throw new Error(
            `arrival ${names(order)} differs from run order ${names(inRunOrder)} (expected: run order; got: that arrival):\n${differences.join('\n')}\ncorpus, in run order:\n${describeCorpus(corpus)}`,
          );
        }
      }
    }),
    { numRuns, seed, plugins: [fc.interruptAfterTimeLimit(90_000)] },
  );
  // fast-check's report names the seed and the shrunk corpus; the error of that corpus says what differs.
  if (details.failed) {
    const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    assert.fail(`${fc.defaultReportMessage(details)}\n\n${error}`);
  }
  assert.ok(details.numRuns > 0, 'no corpus was checked');
}

describe('every order of arrival gives the snapshot of run order', () => {
  test('the generator makes the collisions the property is about, and a corpus posted twice in run order gives one snapshot', async () => {
    const counts = new Map<string, number>();
    const corpora = fc.sample(corpusOf('same'), { numRuns: 6, seed: 1201 });
    for (const corpus of corpora) {
      const [first, second] = await Promise.all([ingestInOrder(corpus, runOrder(corpus)), ingestInOrder(corpus, runOrder(corpus))]);
      const differences = snapshotDifferences(first, second);
      assert.deepEqual(differences, [], `one corpus posted twice in run order gave two snapshots:\n${differences.join('\n')}`);
      assert.ok(Object.keys(first.groups).length > 0 && Object.keys(first.employeeStates).length > 0, 'a snapshot with neither groups nor states');
      countCodes(first, counts);
    }
    for (const code of ['duplicate_external_id/within_run', 'duplicate_external_id/across_runs', 'email_in_use', 'recreated_after_delete', 'unclassified']) {
      assert.ok((counts.get(code) ?? 0) > 0, `no ${code} in 6 corpora: ${JSON.stringify(Object.fromEntries(counts))}`);
    }
  });

  test('corpora with changing catalogs and form fields give mismatches and archived fields, at run and record level', async () => {
    const counts = new Map<string, number>();
    for (const corpus of fc.sample(corpusOf('changing'), { numRuns: 6, seed: 1202 })) countCodes(await ingestInOrder(corpus, runOrder(corpus)), counts);
    for (const code of ['job_title_mismatch', 'archived_mandatory_field']) {
      assert.ok((counts.get(code) ?? 0) > 0, `no ${code} in 6 corpora: ${JSON.stringify(Object.fromEntries(counts))}`);
    }
  });

  // Every run of a corpus sends the same catalog, or none does: only the employee state
  // carries from one run to the next.
  test('every permutation of arrival order gives the snapshot of run order (catalog the same in every run, or never sent)', async () => {
    await assertOrderIndependent('same', 25, 20261130);
  });

  // The catalog and form fields change between runs, and some runs send none: a run
  // without them uses those in force as of its started_at, and a late run's re-check the
  // later runs that relied on the ones before it.
  test('with the catalog and form fields changing between runs, every order of arrival gives the snapshot of run order', async () => {
    await assertOrderIndependent('changing', 12, 20261131);
  });
});
