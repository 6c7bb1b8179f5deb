/**
 * The app alone in a child process, for the CSV part of bench/dashboard.ts:
 * on the already built benchmark database (its URL is the first argument), on
 * a free loopback port. Tells its parent the port and its resident memory
 * once listening, and its peak resident memory when asked, then exits; so
 * the peak is what serving an export took, not what building the data did.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/app/app.js';
import { createKnex } from '../src/db/database.js';
import { logToStderr } from '../src/logger.js';

logToStderr();
const knex = createKnex(process.argv[2]!);
// As `feedlog serve` runs it: the view cache on.
const server = http.createServer(createApp({ knex, viewCache: true }));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
process.send!({ port: (server.address() as AddressInfo).port, rssBytes: process.memoryUsage().rss });
process.on('message', async () => {
  // maxRSS is in kilobytes: the high-water mark of the whole process.
  const peakBytes = process.resourceUsage().maxRSS * 1024;
  server.closeAllConnections();
  server.close();
  await knex.destroy();
  process.send!({ peakBytes }, () => process.exit(0));
});
