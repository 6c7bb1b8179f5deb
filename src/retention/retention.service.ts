import type { Knex } from 'knex';
import { recordAudit, type Actor } from '../audit/audit.queries.js';
import { InvalidInputError } from '../shared/errors.js';
import { ensureComingPartitions, forgetKnownPartitions } from './partitions.js';
import {
  claimRetentionDay,
  countOlderRows,
  countReplacedStateVersions,
  countRows,
  deleteOldestRuns,
  deleteReplacedStateVersions,
  deleteResolvedEvents,
  dropPartition,
  finishRetentionDay,
  lockRetentionDays,
  monthPartitions,
  orgRetentions,
  PARTITIONED_TABLES,
  setRetentionDays,
} from './retention.queries.js';

const DAY_MS = 86_400_000;
/** Runs are deleted a batch at a time, each holding about this many records (their records and errors go with them). */
const RECORDS_PER_BATCH = 50_000;
const VERSIONS_PER_BATCH = 10_000;

export interface PruneOptions {
  now: Date;
  /** Every organisation's cut-off is now minus this many days; without it, each organisation's retention_days. */
  olderThanDays?: number;
  dryRun?: boolean;
  /** Progress lines (the CLI prints them). */
  log?: (line: string) => void;
  /** Only drop the partitions wholly older than every cut-off; leave the runs and the rest (tests look at that state). */
  partitionsOnly?: boolean;
}

export interface PruneResult {
  dryRun: boolean;
  droppedPartitions: string[];
  /** Rows in the dropped partitions (the planner's estimate where the partition was analysed, else counted). */
  droppedRows: number;
  deletedRuns: number;
  deletedRecords: number;
  deletedErrors: number;
  deletedStateVersions: number;
  deletedEvents: number;
}

/** `90d`, `90` (days), `12w`: the number of days. */
export function parseAge(text: string): number {
  const match = /^(\d{1,6})\s*([dw]?)$/.exec(text.trim());
  if (!match) throw new InvalidInputError(`Invalid age '${text}': write a number of days, such as 90d (or weeks, 12w).`);
  const days = Number(match[1]) * (match[2] === 'w' ? 7 : 1);
  if (days < 1) throw new InvalidInputError('The age must be at least one day.');
  return days;
}

/**
 * Deletes what is older than each organisation's retention (or `olderThanDays`):
 *   1. drops the partitions of feed_records and errors that end before every
 *      organisation's cut-off (instant; no vacuum);
 *   2. per organisation, deletes its runs that started before its cut-off, oldest first,
 *      in batches of about 50,000 records: their records and errors left in partitions
 *      that straddle the cut-off (or of an organisation whose retention is shorter than
 *      another's) go with them, by index;
 *   3. deletes the employee state versions before the cut-off that a later one before it
 *      replaced (the one in force at the cut-off stays, for late runs), and the resolved
 *      integration events that occurred before it.
 * The rollups (run_stats_hourly, error_counts_hourly) and error groups stay: the trends,
 * overview and groups outlive the records they summarise.
 */
export async function prune(knex: Knex, options: PruneOptions): Promise<PruneResult> {
  const log = options.log ?? (() => {});
  const dryRun = options.dryRun ?? false;
  const result: PruneResult = {
    dryRun,
    droppedPartitions: [],
    droppedRows: 0,
    deletedRuns: 0,
    deletedRecords: 0,
    deletedErrors: 0,
    deletedStateVersions: 0,
    deletedEvents: 0,
  };
  const organisations = await orgRetentions(knex);
  if (organisations.length === 0) return result;
  const cutoffOf = (retentionDays: number) => new Date(options.now.getTime() - (options.olderThanDays ?? retentionDays) * DAY_MS);
  const oldestCutoff = new Date(Math.min(...organisations.map((org) => cutoffOf(org.retention_days).getTime())));

  for (const table of PARTITIONED_TABLES) {
    for (const partition of await monthPartitions(knex, table)) {
      if (partition.to > oldestCutoff) continue;
      const rows = partition.estimatedRows ?? (await countRows(knex, partition.name));
      log(
        `${dryRun ? 'Would drop' : 'Dropping'} partition ${partition.name} (${partition.from.toISOString().slice(0, 7)}, about ${rows.toLocaleString('en')} rows)`,
      );
      if (!dryRun) await dropPartition(knex, partition.name);
      result.droppedPartitions.push(partition.name);
      result.droppedRows += rows;
    }
  }
  if (result.droppedPartitions.length > 0 && !dryRun) forgetKnownPartitions();
  if (options.partitionsOnly) return result;

  for (const org of organisations) {
    const cutoff = cutoffOf(org.retention_days);
    if (dryRun) {
      const older = await countOlderRows(knex, org.id, cutoff);
      const versions = await countReplacedStateVersions(knex, org.id, cutoff);
      const events = await deleteResolvedEvents(knex, org.id, cutoff, true);
      if (older.runs + versions + events > 0) {
        log(
          `${org.slug}: would delete ${older.runs} runs, ${older.records} records, ${older.errors} errors, ${versions} state versions, ${events} events before ${cutoff.toISOString()}`,
        );
      }
      result.deletedRuns += older.runs;
      result.deletedRecords += older.records;
      result.deletedErrors += older.errors;
      result.deletedStateVersions += versions;
      result.deletedEvents += events;
      continue;
    }
    const before = { ...result };
    for (;;) {
      const batch = await deleteOldestRuns(knex, org.id, cutoff, RECORDS_PER_BATCH);
      if (batch.runs === 0) break;
      result.deletedRuns += batch.runs;
      result.deletedRecords += batch.records;
      result.deletedErrors += batch.errors;
      log(`${org.slug}: deleted ${result.deletedRuns - before.deletedRuns} runs (${result.deletedRecords - before.deletedRecords} records) so far`);
    }
    for (;;) {
      const deleted = await deleteReplacedStateVersions(knex, org.id, cutoff, VERSIONS_PER_BATCH);
      result.deletedStateVersions += deleted;
      if (deleted < VERSIONS_PER_BATCH) break;
    }
    result.deletedEvents += await deleteResolvedEvents(knex, org.id, cutoff, false);
    const runs = result.deletedRuns - before.deletedRuns;
    if (runs > 0 || result.deletedStateVersions > before.deletedStateVersions) {
      log(
        `${org.slug}: done, ${runs} runs, ${result.deletedRecords - before.deletedRecords} records, ${result.deletedErrors - before.deletedErrors} errors before ${cutoff.toISOString()}`,
      );
    }
  }
  return result;
}

/**
 * The scheduler's job, on every tick: the coming months' partitions (no query once this
 * process has seen them), then once per UTC day, in the one process that claims the day,
 * each organisation's retention. Returns the prune's result when this tick pruned.
 */
export async function dailyRetention(knex: Knex, now: Date, log?: (line: string) => void): Promise<PruneResult | undefined> {
  await ensureComingPartitions(knex, now);
  const day = now.toISOString().slice(0, 10);
  if (!(await claimRetentionDay(knex, day))) return undefined;
  const result = await prune(knex, { now, log });
  await finishRetentionDay(knex, day, result);
  return result;
}

export async function setOrganisationRetention(knex: Knex, org: { id: number; slug: string }, days: number, actor: Actor): Promise<void> {
  if (!Number.isInteger(days) || days < 1 || days > 36_500) throw new InvalidInputError('Retention is a whole number of days from 1 to 36500.');
  await knex.transaction(async (trx) => {
    const current = await lockRetentionDays(trx, org.id);
    await setRetentionDays(trx, org.id, days);
    await recordAudit(trx, {
      orgId: org.id,
      ...actor,
      action: 'organisation.retention_changed',
      targetType: 'organisation',
      targetId: org.id,
      details: { from: current ?? null, to: days },
    });
  });
}
