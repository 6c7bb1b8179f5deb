import { Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { pageLink } from '../http/links.js';
import type { Caller } from '../auth/caller.js';
import { requireLogin } from '../auth/web-auth.js';
import { ERROR_CODES } from '../classify/error-enums.js';
import { RECORD_FIELDS, RECORD_OUTCOMES, RUN_STATUSES, RUN_TRIGGERS } from '../classify/feed-enums.js';
import { guidanceFor, quote, type GuidanceContext } from '../classify/guidance.js';
import type { ClassifiedError } from '../classify/types.js';
import { config } from '../config.js';
import { keysetBatches, sendCsv } from '../http/csv.js';
import { notFound } from '../http/errors.js';
import { decodeCursor, encodeCursor, parsePageQuery, pathId, timeIdCursor } from '../http/query.js';
import { listOrganisationsIn } from '../orgs/orgs.queries.js';
import { diffEmployee } from '../records/record-diff.js';
import { apiErrorsOf, RECORD_CSV_COLUMNS, recordCsvBatches } from '../records/records.read.js';
import { countRunRecords, errorsOfRecord, findRunRecord, listRunRecords, previousRecordOf, type RunRecordFilters } from '../records/records.read.queries.js';
import { dayOf, endOfDay, startOfDay } from '../shared/day-range.js';
import { shorten } from '../shared/shorten.js';
import { contextOfRun, feedLogPage, RUN_CSV_COLUMNS, RUN_ERROR_CODES, runKey } from './runs.read.js';
import { findSyncRun, listSyncRuns, runLevelErrors, type RunFilters, type RunWithIntegration } from './runs.read.queries.js';
import { recordIndexCursor, runPageSchema, runRecordsPageSchema } from './runs.schemas.js';
import { retentionDaysOf } from '../retention/retention.queries.js';

/** Counting a run's matching records stops here ("more than 10,000"). */
const COUNT_CAP = 10_000;
/** The raw record shown on its page; past this it is cut, saying so. */
const RAW_SHOWN = 100_000;

const recordIndex = z.coerce.number().int().min(0).max(2_147_483_647);

/** Guidance for a page: values cut where they could be huge (the guidance quotes them). */
function pageGuidance(error: ClassifiedError, context: GuidanceContext) {
  return guidanceFor({ ...error, value: shorten(error.value), expected: shorten(error.expected) }, context);
}

const asClassified = (e: { code: string; severity: string; field: string | null; value: string | null; expected: string | null; variant: string | null }) =>
  ({ code: e.code, severity: e.severity, field: e.field, value: e.value, expected: e.expected, variant: e.variant }) as ClassifiedError;

const runLink = (run: { id: number }, filters: Record<string, unknown> = {}) => pageLink(`/runs/${run.id}`, filters);

/**
 * The feed logs (every run, newest first, with the gaps where a scheduled run
 * did not arrive), a run (its header, counts and records) and a record (the
 * employee as sent, our errors with guidance, the diff against the previous
 * record, the raw JSON).
 */
export function runPages(): Router {
  const router = Router();

  router.get('/runs', requireLogin, async (req, res) => {
    const caller = req.caller!;
    const { limit, cursor, format, from, to, ...rest } = parsePageQuery(runPageSchema, req);
    const timeZone = caller.timeZone;
    // A date from a date input is a whole day where the reader is; a timestamp is itself.
    const filters: RunFilters = {
      ...rest,
      from: from === undefined ? undefined : from.length === 10 ? startOfDay(from, timeZone) : new Date(from),
      to: to === undefined ? undefined : to.length === 10 ? endOfDay(to, timeZone) : new Date(to),
    };
    const after = decodeCursor(cursor, timeIdCursor);
    if (format === 'csv') {
      const batches = keysetBatches(
        (start: [string, number] | undefined, size) => listSyncRuns(req.reader, caller.orgIds, filters, size, start),
        runKey,
        after,
      );
      return sendCsv(res, 'feed-logs.csv', RUN_CSV_COLUMNS, batches);
    }
    const now = (res.locals.renderedAt as Date | undefined) ?? new Date();
    const feed = await feedLogPage(req.reader, caller.orgIds, filters, limit, after, now);
    const shownFilters = { integration: rest.integration, status: rest.status, trigger: rest.trigger, run_id: rest.run_id, from, to };
    const filtered = Object.values(shownFilters).some((value) => value !== undefined);
    const integrationName = new Map(feed.integrations.map((i) => [Number(i.id), i.name]));
    const organisations = feed.integrations.length === 0 ? await listOrganisationsIn(req.reader, caller.orgIds) : [];
    res.render('runs/index', {
      title: 'Feed logs · feedlog',
      rows: feed.rows.map((row) =>
        row.kind === 'gap'
          ? { kind: 'gap', ...row.gap, integrationName: integrationName.get(row.gap.integrationId) ?? '' }
          : { kind: 'run', run: row.run, link: runLink(row.run), durationMs: row.run.finished_at.getTime() - row.run.started_at.getTime() },
      ),
      hiddenGaps: feed.hiddenGaps,
      gapsShown: feed.gapsShown,
      integrations: feed.integrations,
      organisations,
      filters: shownFilters,
      filtered,
      // What the date inputs show: a timestamp given in the URL as the reader's date.
      dateInputs: {
        from: filters.from ? (from?.length === 10 ? from : dayOf(filters.from, timeZone)) : '',
        to: to?.length === 10 ? to : filters.to ? dayOf(filters.to, timeZone) : '',
      },
      statuses: RUN_STATUSES,
      triggers: RUN_TRIGGERS,
      outcomes: RECORD_OUTCOMES,
      codes: RUN_ERROR_CODES,
      nextPage: feed.nextCursor ? pageLink('/runs', shownFilters, { limit, cursor: encodeCursor(feed.nextCursor) }) : null,
      firstPage: after ? pageLink('/runs', shownFilters) : null,
      csvLink: pageLink('/runs', shownFilters, { format: 'csv' }),
      ingestUrl: `${config().publicUrl.replace(/\/$/, '')}/api/v1/sync-runs`,
      runLink,
    });
  });

  async function findRun(reader: Knex, caller: Caller, rawId: unknown): Promise<RunWithIntegration> {
    const run = await findSyncRun(reader, caller.orgIds, pathId(rawId, 'sync run'));
    if (!run) throw notFound(`No sync run ${String(rawId)}.`);
    return run;
  }

  router.get('/runs/:id', requireLogin, async (req, res) => {
    const run = await findRun(req.reader, req.caller!, req.params.id);
    const { limit, cursor, format, ...filters } = parsePageQuery(runRecordsPageSchema, req);
    const afterIndex = decodeCursor(cursor, recordIndexCursor)?.[0];
    if (format === 'csv') {
      const batches = recordCsvBatches(
        req.reader,
        (start: number | undefined, size) => listRunRecords(req.reader, run, filters, size, start),
        (row) => row.index,
        (row, errors) => ({ ...row, run_id: run.run_id, errors }),
        afterIndex,
      );
      return sendCsv(res, `run-${run.id}-records.csv`, RECORD_CSV_COLUMNS, batches);
    }
    const context = contextOfRun(run);
    const [rows, runErrors, matching] = await Promise.all([
      listRunRecords(req.reader, run, filters, limit, afterIndex),
      runLevelErrors(req.reader, run),
      matchingCount(req.reader, run, filters),
    ]);
    const records = rows.slice(0, limit);
    const errorsOf = await apiErrorsOf(req.reader, records);
    const last = records[records.length - 1];
    // A run with records none of which is left: retention pruned them (feedlog prune drops a month's records before it deletes the runs).
    const filtered = Object.values(filters).some((value) => value !== undefined);
    const prunedAfterDays =
      run.record_count > 0 && records.length === 0 && !filtered && afterIndex === undefined ? await retentionDaysOf(req.reader, run.org_id) : null;
    res.render('runs/show', {
      title: `Run ${shorten(run.run_id)} · feedlog`,
      run,
      durationMs: run.finished_at.getTime() - run.started_at.getTime(),
      runErrors: runErrors.map((error) => ({ ...error, guidance: pageGuidance(asClassified(error), context) })),
      records: records.map((record) => ({ ...record, errors: errorsOf(record), link: `/runs/${run.id}/records/${record.index}` })),
      matching,
      filters,
      filtered,
      prunedAfterDays,
      outcomes: RECORD_OUTCOMES,
      codes: RUN_ERROR_CODES,
      fields: RECORD_FIELDS,
      allCodes: ERROR_CODES,
      runLink,
      nextPage: rows.length > limit && last ? runLink(run, { ...filters, limit: String(limit), cursor: encodeCursor([last.index]) }) : null,
      firstPage: afterIndex !== undefined ? runLink(run, filters) : null,
      csvLink: runLink(run, { ...filters, format: 'csv' }),
    });
  });

  /** How many records match, where that is cheap: the run's own counts, or the errors' index; never a scan of every record for `q`. */
  async function matchingCount(reader: Knex, run: RunWithIntegration, filters: RunRecordFilters): Promise<{ count: number; more: boolean } | null> {
    if (filters.q) return null;
    if (!filters.code && !filters.field) {
      return { count: filters.outcome ? (run.counts[filters.outcome] ?? 0) : run.record_count, more: false };
    }
    const count = await countRunRecords(reader, run, filters, COUNT_CAP);
    return { count: Math.min(count, COUNT_CAP), more: count > COUNT_CAP };
  }

  router.get('/runs/:id/records/:index', requireLogin, async (req, res) => {
    const run = await findRun(req.reader, req.caller!, req.params.id);
    const index = recordIndex.safeParse(req.params.index);
    const record = index.success ? await findRunRecord(req.reader, run, index.data) : undefined;
    if (!record) throw notFound(`Run ${run.id} has no record ${String(req.params.index)}.`);
    const context = contextOfRun(run);
    const [errors, previous] = await Promise.all([errorsOfRecord(req.reader, record), previousRecordOf(req.reader, record)]);
    const employee = record.employee ?? {};
    const rawText = JSON.stringify(record.raw, null, 2) ?? '';
    res.render('runs/record', {
      title: `Record ${record.index} of run ${shorten(run.run_id)} · feedlog`,
      run,
      record,
      // The feed's fields in its order, then any other the engine sent; the
      // record's own external_id is the table's first row already.
      employee: sentFields(employee, record.external_id),
      messages: (record.messages ?? []) as { code?: unknown; field?: unknown; text?: unknown }[],
      errors: errors.map((error) => ({
        ...error,
        guidance: pageGuidance(asClassified(error), context),
        groupLink: error.group_id === null ? null : `/error-groups/${error.group_id}`,
      })),
      previous: previous ? { ...previous, link: `/runs/${previous.sync_run_id}/records/${previous.index}` } : null,
      diff: previous ? diffEmployee(previous.employee, employee) : [],
      employeeLink: record.external_id === null ? null : `/employees/${encodeURIComponent(record.external_id)}?integration=${record.integration_id}`,
      rawText: rawText.length > RAW_SHOWN ? rawText.slice(0, RAW_SHOWN) : rawText,
      rawLength: rawText.length,
      rawCut: rawText.length > RAW_SHOWN,
      runLink,
      show: (value: unknown) =>
        value === undefined ? '(not sent)' : value === null ? '(null)' : typeof value === 'string' ? quote(shorten(value, 200)) : JSON.stringify(value),
    });
  });

  return router;
}

/** The employee's fields as sent: the feed's in its order, then the others by name; its external_id when it repeats the record's. */
function sentFields(employee: Record<string, unknown>, externalId: string | null): [string, unknown][] {
  const known = RECORD_FIELDS.filter((field) => field in employee && !(field === 'external_id' && employee[field] === externalId));
  const others = Object.keys(employee)
    .filter((field) => !(RECORD_FIELDS as readonly string[]).includes(field))
    .sort();
  return [...known, ...others].map((field) => [field, employee[field]]);
}
