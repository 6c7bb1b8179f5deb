import { out, withDatabase, type Command } from './shared.js';

export const RETENTION_COMMANDS: Command[] = [
  {
    name: 'prune',
    usage: 'prune [--older-than 90d] [--dry-run]',
    summary: "Delete records, errors and runs older than each organisation's retention (or --older-than).",
    options: { 'older-than': { type: 'string' }, 'dry-run': { type: 'boolean' } },
    async run(values) {
      const { parseAge, prune } = await import('../../retention/retention.service.js');
      const olderThan = typeof values['older-than'] === 'string' ? parseAge(values['older-than']) : undefined;
      const dryRun = values['dry-run'] === true;
      const result = await withDatabase(({ knex }) => prune(knex, { now: new Date(), olderThanDays: olderThan, dryRun, log: out }));
      const verb = dryRun ? 'Would delete' : 'Deleted';
      out(
        `${verb} ${result.droppedPartitions.length} partitions (about ${result.droppedRows.toLocaleString('en')} rows), ` +
          `${result.deletedRuns.toLocaleString('en')} runs, ${result.deletedRecords.toLocaleString('en')} records, ` +
          `${result.deletedErrors.toLocaleString('en')} errors, ${result.deletedStateVersions.toLocaleString('en')} state versions, ` +
          `${result.deletedEvents.toLocaleString('en')} integration events.`,
      );
    },
  },
];
