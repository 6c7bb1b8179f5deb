import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfig, serveDefaults } from './config.js';

test('session lifetimes are durations, with defaults of 12 hours idle and 7 days at most', () => {
  assert.deepEqual([parseConfig({}).sessionIdleSeconds, parseConfig({}).sessionMaxAgeSeconds], [12 * 3600, 7 * 86_400]);
  const set = parseConfig({ SESSION_IDLE_TIMEOUT: '30m', SESSION_MAX_AGE: '1d' });
  assert.deepEqual([set.sessionIdleSeconds, set.sessionMaxAgeSeconds], [1800, 86_400]);
  assert.throws(
    () => parseConfig({ SESSION_MAX_AGE: '7 days' }),
    (error: Error) => error instanceof ConfigError && /SESSION_MAX_AGE: a duration such as 30m/.test(error.message),
  );
});

test('cookies are Secure exactly when feedlog is reached over https', () => {
  assert.equal(parseConfig({}).secureCookies, false);
  assert.equal(parseConfig({ PUBLIC_URL: 'http://feedlog.internal:3000' }).secureCookies, false);
  assert.equal(parseConfig({ PUBLIC_URL: 'https://feedlog.example.com' }).secureCookies, true);
});

test('INGEST_CONCURRENCY is how many large ingests run at once: 2 unless set, at least 1', () => {
  assert.equal(parseConfig({}).ingestConcurrency, 2);
  assert.equal(parseConfig({ INGEST_CONCURRENCY: '4' }).ingestConcurrency, 4);
  assert.throws(
    () => parseConfig({ INGEST_CONCURRENCY: '0' }),
    (error: Error) => error instanceof ConfigError && /INGEST_CONCURRENCY/.test(error.message),
  );
});

test('the scheduler runs unless SCHEDULER=off, ticking every SCHEDULER_TICK (60s unless set)', () => {
  assert.deepEqual([parseConfig({}).scheduler, parseConfig({}).schedulerTickMs], [true, 60_000]);
  const set = parseConfig({ SCHEDULER: 'off', SCHEDULER_TICK: '15s' });
  assert.deepEqual([set.scheduler, set.schedulerTickMs], [false, 15_000]);
  for (const wrong of [{ SCHEDULER: 'yes' }, { SCHEDULER_TICK: '0s' }, { SCHEDULER_TICK: 'often' }]) {
    assert.throws(
      () => parseConfig(wrong),
      (error: Error) => error instanceof ConfigError && /SCHEDULER/.test(error.message),
    );
  }
});

test('email goes to the outbox unless SMTP_URL names an smtp:// or smtps:// server; the sender and the TLS check have defaults', () => {
  const defaults = parseConfig({});
  assert.deepEqual([defaults.smtpUrl, defaults.smtpFrom, defaults.smtpTlsRejectUnauthorized], [undefined, 'feedlog <feedlog@localhost>', true]);
  const set = parseConfig({
    SMTP_URL: 'smtps://ops:secret@mail.example.com:465',
    SMTP_FROM: 'feedlog <alerts@example.com>',
    SMTP_TLS_REJECT_UNAUTHORIZED: 'false',
  });
  assert.deepEqual(
    [set.smtpUrl, set.smtpFrom, set.smtpTlsRejectUnauthorized],
    ['smtps://ops:secret@mail.example.com:465', 'feedlog <alerts@example.com>', false],
  );
  assert.throws(
    () => parseConfig({ SMTP_URL: 'https://mail.example.com' }),
    (error: Error) => error instanceof ConfigError && /SMTP_URL: must start with smtp:\/\/ or smtps:\/\//.test(error.message),
  );
});

test('DATABASE_READ_URL is a postgres URL beside DATABASE_URL (the primary); METRICS_TOKEN a secret of 16 characters or more', () => {
  assert.deepEqual([parseConfig({}).databaseReadUrl, parseConfig({}).metricsToken], [undefined, undefined]);
  const set = parseConfig({
    DATABASE_URL: 'postgres://feedlog@primary:5432/feedlog',
    DATABASE_READ_URL: 'postgres://reader@replica:5432/feedlog',
    METRICS_TOKEN: '0123456789abcdef0123',
  });
  assert.deepEqual([set.databaseReadUrl, set.metricsToken], ['postgres://reader@replica:5432/feedlog', '0123456789abcdef0123']);
  for (const [wrong, pattern] of [
    [{ DATABASE_READ_URL: 'postgres://reader@replica/feedlog' }, /DATABASE_READ_URL: needs DATABASE_URL too/],
    [{ DATABASE_URL: 'postgres://a@b/c', DATABASE_READ_URL: 'replica' }, /DATABASE_READ_URL: must be a postgres:\/\/ URL/],
    [{ METRICS_TOKEN: 'short' }, /METRICS_TOKEN: at least 16 characters/],
  ] as const) {
    assert.throws(
      () => parseConfig(wrong),
      (error: Error) => error instanceof ConfigError && pattern.test(error.message),
    );
  }
});

test('feedlog serve runs with the view cache on: production by default when compiled (npm start), unless NODE_ENV or VIEW_CACHE say otherwise', () => {
  // npm start and the feedlog command run the compiled app: production settings unless told otherwise.
  assert.equal(parseConfig({}, serveDefaults(true)).env, 'production');
  assert.equal(parseConfig({}, serveDefaults(true)).viewCache, true);
  assert.equal(parseConfig({ NODE_ENV: undefined }, serveDefaults(true)).viewCache, true);
  assert.equal(parseConfig({ NODE_ENV: 'development' }, serveDefaults(true)).viewCache, false);
  assert.equal(parseConfig({ VIEW_CACHE: 'off' }, serveDefaults(true)).viewCache, false);
  // From the sources (npm run dev) an edited view shows on the next request.
  assert.deepEqual(serveDefaults(false), {});
  assert.equal(parseConfig({}, serveDefaults(false)).viewCache, false);
  assert.equal(parseConfig({ NODE_ENV: 'production' }).viewCache, true);
  assert.equal(parseConfig({ NODE_ENV: 'test', VIEW_CACHE: 'on' }).viewCache, true);
  assert.throws(() => parseConfig({ VIEW_CACHE: 'yes' }), /VIEW_CACHE/);
});
