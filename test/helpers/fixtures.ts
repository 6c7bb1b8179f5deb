import path from 'node:path';
import type { Knex } from 'knex';
import { ROOT_DIR } from '../../src/config.js';
import { createIntegration } from '../../src/integrations/integrations.service.js';
import { createOrganisation } from '../../src/orgs/orgs.service.js';
import type { ExampleIntegration } from './truth.js';

export const EXAMPLES_DIR = path.resolve(ROOT_DIR, '../shared/spec/examples');

export async function createOrgWithIntegration(knex: Knex, options: { slug?: string; integration?: string; schedule?: string; timeZone?: string } = {}) {
  const slug = options.slug ?? 'acme';
  const organisation = await createOrganisation(knex, slug, `${slug} Ltd`);
  const { integration, token } = await createIntegration(knex, {
    orgSlug: slug,
    name: options.integration ?? 'Fourth to Flow',
    schedule: options.schedule ?? '15m',
    timeZone: options.timeZone,
  });
  return { organisation, integration, token };
}

/** A small valid run; `overrides` replace top-level keys. */
export function makeRun(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema_version: 1,
    run_id: 'run-1',
    source_system: 'Fourth',
    target_system: 'Flow Learning',
    trigger: 'scheduled',
    started_at: '2026-11-21T10:15:00Z',
    finished_at: '2026-11-21T10:15:42Z',
    status: 'completed_with_errors',
    run_error: null,
    catalog: { job_titles: ['Head Chef', 'Kitchen Porter'], departments: ['Kitchen'], branches: ['London Soho'] },
    records: [
      {
        external_id: '4512_1',
        action: 'create',
        outcome: 'succeeded',
        employee: { first_name: 'Ana', last_name: 'Lopez', email: 'ana@example.com', job_title: 'Head Chef', department: 'Kitchen', branch: 'London Soho' },
        messages: [],
      },
      {
        external_id: '4512_2',
        action: 'create',
        outcome: 'failed',
        employee: {
          first_name: 'Ben',
          last_name: 'Okafor',
          email: 'ben@example.com',
          job_title: 'kitchen porter',
          department: 'Kitchen',
          branch: 'London Soho',
        },
        messages: [{ code: 'JOB_TITLE_NOT_FOUND', field: 'job_title', text: "Job title 'kitchen porter' does not exist" }],
      },
    ],
    ...overrides,
  };
}

export async function countRows(knex: Knex, table: string): Promise<number> {
  const [row] = await knex(table).count<{ count: string }[]>('* as count');
  return Number(row!.count);
}

/** An integration for one integration of the example corpus; its schedule is "15m" or "<cron> <Area/City>". */
export async function createExampleIntegration(knex: Knex, orgSlug: string, example: ExampleIntegration) {
  const [, schedule, timeZone] = /^(.*?)(?:\s+([A-Za-z_]+\/[A-Za-z_]+))?$/.exec(example.schedule)!;
  return createIntegration(knex, { orgSlug, name: example.integration, schedule: schedule!, timeZone });
}
