/**
 * One-click unsubscribe (RFC 8058), with no sign-in and no CSRF token: the link's
 * unguessable token is the authority. GET only shows a page with one button (link
 * checkers and mail scanners open links, and must not unsubscribe anyone); POST
 * unsubscribes, whether from that button or from a mail client that posts
 * `List-Unsubscribe=One-Click` to the List-Unsubscribe header's URL. Using a link
 * again answers the same (idempotent). The pages name neither the address nor the
 * organisation: the email itself says both, and a forwarded or logged link then
 * reveals nothing more.
 */
import express, { type Request, Router } from 'express';
import type { Knex } from 'knex';
import { notFound } from '../http/errors.js';
import { FORM_FIELD_LIMIT } from '../http/limits.js';
import { noStore } from '../http/no-store.js';
import { rateLimit } from '../http/rate-limit.js';
import type { Clock } from '../shared/clock.js';
import { findUnsubscribeLink } from './notifications.queries.js';
import { unsubscribe } from '../email/preferences.queries.js';

const notValid = () =>
  notFound(
    'This unsubscribe link is not valid: it may have been cut short when it was copied. Use the link of a recent email, or sign in and change your email preferences.',
  );

/** The token from the path, or a 404 for anything too long to be one. */
function tokenOf(req: Request): string {
  const token = req.params.token;
  if (typeof token !== 'string' || token.length > 100) throw notValid();
  return token;
}

export function unsubscribePages(knex: Knex, clock: Clock): Router {
  const router = Router();
  // No person is signed in here; per client address, as sign-in is limited.
  const limit = rateLimit(knex, { name: 'unsubscribe', limit: 60, windowSeconds: 600, keyOf: (req) => req.ip ?? 'unknown' });
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: FORM_FIELD_LIMIT });
  router.use('/unsubscribe', noStore);

  router.get('/unsubscribe/:token', limit, async (req, res) => {
    const token = tokenOf(req);
    if (!(await findUnsubscribeLink(knex, token))) throw notValid();
    res.render('notifications/unsubscribe', { title: 'Unsubscribe · feedlog', action: `/unsubscribe/${encodeURIComponent(token)}` });
  });

  router.post('/unsubscribe/:token', limit, form, async (req, res) => {
    const token = tokenOf(req);
    if (!(await unsubscribe(knex, token, clock.now()))) throw notValid();
    res.status(200).render('notifications/unsubscribed', { title: 'Unsubscribed · feedlog' });
  });
  return router;
}
