/**
 * Benchmark of ingest over HTTP into real PostgreSQL: runs of 10,000 and
 * 100,000 records (gzip), each into a fresh integration, timed end to end
 * (parse, validate, classify, store). Prints records/second and the ratio of
 * the two, measured in the same run, so a noisy machine affects both alike.
 */
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { createApp } from '../src/app/app.js';
import { createIntegration } from '../src/integrations/integrations.service.js';
import { createOrganisation } from '../src/orgs/orgs.service.js';
import { postRun } from '../test/helpers/ingest.js';
import { makeLargeRun } from '../test/helpers/large-run.js';
import { benchDatabase } from './database.js';

export async function benchIngest(): Promise<void> {
  const { knex, close } = await benchDatabase('feedlog_bench');
  try {
    await createOrganisation(knex, 'bench', 'Benchmark');
    const app = createApp({ knex });
    const timings: Record<number, number> = {};
    for (const size of [10_000, 100_000]) {
      const { token } = await createIntegration(knex, { orgSlug: 'bench', name: `bench-${size}`, schedule: '15m' });
      const body = gzipSync(JSON.stringify(makeLargeRun(size)));
      process.stdout.write(`ingesting ${size} records (${(body.length / 1e6).toFixed(1)} MB gzip)... `);
      const started = performance.now();
      const response = await postRun(app, token, body);
      timings[size] = performance.now() - started;
      if (response.status !== 201) throw new Error(`ingest answered ${response.status}: ${response.text}`);
      process.stdout.write(`${timings[size]!.toFixed(0)} ms, ${Math.round(size / (timings[size]! / 1000))} records/s\n`);
    }
    const ratio = timings[100_000]! / timings[10_000]!;
    console.log(`ingest: 100k / 10k time ratio ${ratio.toFixed(2)} (10.00 would be exactly linear)`);
  } finally {
    await close();
  }
}
