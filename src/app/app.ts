import path from 'node:path';
import cookieParser from 'cookie-parser';
import express, { Router, type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import type { Knex } from 'knex';
import { config, ROOT_DIR } from '../config.js';
import { memberPages } from '../accounts/members.pages.js';
import { tokenPages } from '../accounts/tokens.pages.js';
import { passwordPages } from '../accounts/password.pages.js';
import { profilePages } from '../accounts/profile.pages.js';
import { integrationPages } from '../integrations/integrations.pages.js';
import { loginPages } from '../auth/login.pages.js';
import { csrfProtection, loadWebSession } from '../auth/web-auth.js';
import { groupPages } from '../groups/groups.pages.js';
import { driftPages } from '../drift/drift.pages.js';
import { healthRoutes } from '../health/health.routes.js';
import { employeesRoutes } from '../employees/employees.routes.js';
import { employeePages } from '../employees/employees.pages.js';
import { searchPages } from '../employees/search.pages.js';
import { groupsRoutes } from '../groups/groups.routes.js';
import { driftRoutes } from '../drift/drift.routes.js';
import { eventsRoutes } from '../events/events.routes.js';
import { ingestRoutes, type IngestLimits } from '../ingest/ingest.routes.js';
import { openapiRoutes } from '../openapi/openapi.routes.js';
import { recordsRoutes } from '../records/records.routes.js';
import { runsRoutes } from '../runs/runs.routes.js';
import { runPages } from '../runs/runs.pages.js';
import { overviewPages } from '../overview/overview.pages.js';
import { overviewRoutes } from '../overview/overview.routes.js';
import { trendsPages } from '../trends/trends.pages.js';
import { trendsRoutes, vendorRoutes } from '../trends/trends.routes.js';
import { errorHandler, notFoundHandler } from '../http/errors.js';
import { requestLog } from '../http/request-log.js';
import { requireWellFormedForm } from '../http/well-formed.js';
import { noStore } from '../http/no-store.js';
import { shorten } from '../shared/shorten.js';
import { type Clock, systemClock } from '../shared/clock.js';
import { duration, exactTime, relativeTime } from '../shared/time-format.js';
import { FORM_FIELD_LIMIT } from '../http/limits.js';
import { type EmailSetup, emailSetupFromConfig } from '../email/mail-setup.js';
import { notificationPages } from '../notifications/notifications.pages.js';
import { outboxPages } from '../notifications/outbox.pages.js';
import { preferencesRoutes } from '../notifications/preferences.routes.js';
import { unsubscribePages } from '../notifications/unsubscribe.pages.js';
import { readRouting } from '../db/read-routing.js';
import { observeIngest, readsByPool } from '../metrics/metrics.js';
import { metricsRoutes } from '../metrics/metrics.routes.js';

export interface AppDependencies {
  /** The primary: every write, sign-in, sessions, rate limits, ingest. */
  knex: Knex;
  /** A streaming replica's pool (DATABASE_READ_URL): the pages' and the API's GETs read it (src/db/read-routing.ts). */
  reader?: Knex;
  /** Overrides METRICS_TOKEN (tests). */
  metricsToken?: string;
  /** How the replica's WAL position is read (tests stand in a lagging replica); see readRouting. */
  replicaPosition?: (reader: Knex) => Promise<bigint | undefined>;
  /** Overrides the configured ingest limits (tests use small ones). */
  ingestLimits?: Partial<IngestLimits>;
  /** What time it is for the pages (health, "12 min ago"); tests pass a frozen clock. */
  clock?: Clock;
  /** How the test email is sent and where the outbox is; by default as the configuration says (SMTP_URL or DATA_DIR/outbox). */
  email?: EmailSetup;
  /** EJS compiles each view once (Express's view cache); by default as the configuration says (VIEW_CACHE, on in production). */
  viewCache?: boolean;
}

/**
 * The server-rendered pages. They authenticate with a session cookie, so every
 * form needs its CSRF token; the JSON API authenticates with bearer tokens only
 * and never reads cookies, so it needs none.
 */
function pageRoutes(knex: Knex, clock: Clock, email: EmailSetup): Router {
  const pages = Router();
  pages.use((req, _res, next) => next(req.path.startsWith('/api/') ? 'router' : undefined));
  pages.use(
    noStore,
    cookieParser(),
    express.urlencoded({ extended: false, limit: '16kb', parameterLimit: FORM_FIELD_LIMIT }),
    loadWebSession(knex),
    csrfProtection,
    requireWellFormedForm,
    (req: Request, res: Response, next: NextFunction) => {
      res.locals.renderedAt = clock.now();
      res.locals.currentPath = req.path;
      next();
    },
  );
  pages.use(loginPages(knex));
  pages.use(overviewPages(clock));
  pages.use(trendsPages(clock));
  pages.use(groupPages(knex));
  pages.use(runPages());
  pages.use(driftPages());
  pages.use(integrationPages(knex));
  pages.use(memberPages(knex));
  pages.use(tokenPages(knex));
  pages.use(passwordPages(knex));
  pages.use(profilePages(knex));
  pages.use(searchPages());
  pages.use(employeePages());
  pages.use(notificationPages(knex, clock, email));
  pages.use(outboxPages(email));
  return pages;
}

/** Builds the Express application; it owns no resources, so tests create one per database. */
export function createApp({
  knex,
  reader,
  metricsToken = config().metricsToken,
  replicaPosition,
  ingestLimits,
  clock = systemClock,
  email = emailSetupFromConfig(),
  viewCache = config().viewCache,
}: AppDependencies): Express {
  const app = express();
  const reads = readRouting({ primary: knex, replica: reader, position: replicaPosition, counted: (pool) => readsByPool.inc({ pool }) });
  app.disable('x-powered-by');
  app.set('trust proxy', config().trustProxy);
  app.set('view engine', 'ejs');
  app.set('views', path.join(ROOT_DIR, 'views'));
  // Set either way: Express turns the cache on by itself only when process.env.NODE_ENV is production.
  app.set('view cache', viewCache);
  // Views cut free text from the engines (system names, values) that may be very long.
  app.locals.shorten = shorten;
  // Times: relative to the moment the page was rendered, exact in the reader's zone on hover.
  Object.assign(app.locals, { exactTime, relativeTime, duration });

  app.use(requestLog);
  // Every request reads through req.reader: the replica for GETs when there is one, else the primary.
  app.use(reads.choose);
  app.use(observeIngest);
  // A strict policy: scripts, styles and images from our own origin only, no inline scripts.
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      // Not helmet's no-referrer: with it Chromium sends `Origin: null` on our own
      // form posts. same-origin still keeps our URLs (which can name employees)
      // from other sites.
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  app.use('/static', express.static(path.join(ROOT_DIR, 'public'), { maxAge: '1h', index: false }));
  app.use(vendorRoutes());
  app.use(healthRoutes(knex));
  app.use(metricsRoutes({ token: metricsToken, pools: { primary: knex, reader }, replicaUp: reader ? () => reads.state().up : undefined }));
  app.use(ingestRoutes(knex, ingestLimits));
  app.use(runsRoutes(knex));
  app.use(recordsRoutes(knex));
  app.use(employeesRoutes(knex));
  app.use(groupsRoutes(knex));
  app.use(driftRoutes(knex));
  app.use(overviewRoutes(knex, clock));
  app.use(eventsRoutes(knex));
  app.use(trendsRoutes(knex, clock));
  app.use(preferencesRoutes(knex));
  // Public: GET /api/v1/openapi.json and GET /api/docs. The page's header shows a
  // signed-in person their navigation and Sign out, whose form needs the session's
  // CSRF token; an anonymous visitor gets no CSRF cookie there (no form to send).
  const signedInCsrf: RequestHandler = (req, res, next) => (req.webSession ? csrfProtection(req, res, next) : next());
  app.use(openapiRoutes([noStore, cookieParser(), loadWebSession(knex), signedInCsrf]));
  // One-click unsubscribe (RFC 8058): no sign-in and no CSRF token, so before the pages' csrfProtection.
  app.use(unsubscribePages(knex, clock));
  app.use(pageRoutes(knex, clock, email));
  app.use(notFoundHandler);
  // A GET whose replica went away under it is answered again, from the primary.
  app.use(reads.failover((req, res) => app(req, res)));
  app.use(errorHandler);
  return app;
}
