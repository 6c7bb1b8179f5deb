/**
 * The app alone in a child process, for bench/memory.ts: a fresh bench database
 * with one organisation and `count` integrations, the app on a free loopback
 * port. Tells its parent the port and the ingest tokens over IPC, and its peak
 * resident memory when asked, then exits.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/app/app.js';
import { createIntegration } from '../src/integrations/integrations.service.js';
import { logToStderr } from '../src/logger.js';
import { createOrganisation } from '../src/orgs/orgs.service.js';
import { benchDatabase } from './database.js';

logToStderr();
const count = Number(process.argv[2] ?? 1);
const { knex, close } = await benchDatabase(`feedlog_bench_memory_${process.pid}`, { dropAfter: true });
await createOrganisation(knex, 'bench', 'Benchmark');
const tokens: string[] = [];
for (let index = 0; index < count; index++) {
  tokens.push((await createIntegration(knex, { orgSlug: 'bench', name: `memory-${index}`, schedule: '15m' })).token);
}
const server = http.createServer(createApp({ knex }));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
process.send!({ port: (server.address() as AddressInfo).port, tokens });
process.on('message', async () => {
  // maxRSS is in kilobytes: the high-water mark of the whole process.
  const peakBytes = process.resourceUsage().maxRSS * 1024;
  server.close();
  await close();
  process.send!({ peakBytes }, () => process.exit(0));
});
