/**
 * The app alone in a child process, for bench/memory.ts: a fresh bench database
 * with one organisation and `count` integrations, the app on a free loopback
 * port. Tells its
 * parent the port and the ingest tokens over IPC. Asked `mark`, it answers the
 * peak resident memory since the previous mark: the highest of RSS sampled
 * every 10 ms and, when the process's high-water mark rose meanwhile, that
 * mark. Asked `exit`, it answers the process's high-water mark and exits.
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

// maxRSS is in kilobytes: the high-water mark of the whole process.
const highWater = () => process.resourceUsage().maxRSS * 1024;
let sampled = process.memoryUsage.rss();
let markedHighWater = highWater();
setInterval(() => {
  sampled = Math.max(sampled, process.memoryUsage.rss());
}, 10).unref();

process.send!({ port: (server.address() as AddressInfo).port, tokens });
process.on('message', async (message) => {
  if (message === 'mark') {
    const now = highWater();
    const peakBytes = Math.max(sampled, process.memoryUsage.rss(), now > markedHighWater ? now : 0);
    markedHighWater = now;
    sampled = process.memoryUsage.rss();
    process.send!({ peakBytes, rssBytes: process.memoryUsage.rss(), heapUsedBytes: process.memoryUsage().heapUsed });
    return;
  }
  const peakBytes = highWater();
  server.close();
  await close();
  process.send!({ peakBytes }, () => process.exit(0));
});
