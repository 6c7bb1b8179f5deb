import { type Request, Router, type Response } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { Caller } from '../auth/caller.js';
import { requireLogin } from '../auth/web-auth.js';
import { config } from '../config.js';
import { pathId } from '../http/query.js';
import { rateLimit } from '../http/rate-limit.js';
import type { Clock } from '../shared/clock.js';
import { InvalidInputError } from '../shared/errors.js';
import type { EmailSetup } from '../email/mail-setup.js';
import {
  ALERT_KINDS,
  ALERT_LABELS,
  ALERT_REPEATS,
  EMPTY_SUMMARIES,
  FREQUENCIES,
  preferencesFormSchema,
  SEVERITIES,
  WEEKDAYS,
} from './notifications.schemas.js';
import {
  ownTestDelivery,
  preferencesOf,
  requireDefaultsAdmin,
  requireMember,
  saveDefaults,
  saveOwnPreferences,
  sendTestEmail,
} from './notifications.service.js';

/** What the page says after a change, by the code in `?done=` (never free text from the URL). */
const DONE = {
  saved: 'Saved. Your email preferences for this organisation are in force.',
  defaults_saved: 'Saved. People added to this organisation from now on start with these preferences.',
} as const;
const doneQuery = z.object({ done: z.enum(Object.keys(DONE) as [keyof typeof DONE]), org: z.coerce.number().int().positive() });
const testQuery = z.object({ test: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

interface PageView {
  /** A message for one organisation's section. */
  notice?: { orgId: number; text: string };
  error?: { orgId: number; text: string };
  testDelivery?: Awaited<ReturnType<typeof ownTestDelivery>>;
}

async function renderPreferences(knex: Knex, res: Response, caller: Caller, email: EmailSetup, status: number, view: PageView = {}) {
  res.status(status).render('notifications/preferences', {
    title: 'Email · Settings · feedlog',
    organisations: await preferencesOf(knex, caller),
    choices: { FREQUENCIES, SEVERITIES, EMPTY_SUMMARIES, ALERT_KINDS, ALERT_LABELS, ALERT_REPEATS, WEEKDAYS },
    via: email.mailer.kind,
    notice: undefined,
    error: undefined,
    testDelivery: undefined,
    ...view,
  });
}

/**
 * A person's email preferences, one section per organisation they belong to, with the
 * test email button; admins also set their organisation's default for new members.
 */
export function notificationPages(knex: Knex, clock: Clock, email: EmailSetup): Router {
  const router = Router();

  router.get('/settings/notifications', requireLogin, async (req, res) => {
    const caller = req.caller!;
    const done = doneQuery.safeParse(req.query);
    const test = testQuery.safeParse(req.query);
    await renderPreferences(req.reader, res, caller, email, 200, {
      notice: done.success ? { orgId: done.data.org, text: DONE[done.data.done] } : undefined,
      testDelivery: test.success ? await ownTestDelivery(req.reader, caller, test.data.test) : undefined,
    });
  });

  /**
   * A save: who may is checked first (404 or 403), then the form; a mistake in the form
   * is shown in the organisation's section with a 400.
   */
  const saveWith =
    (
      guard: (caller: Caller, orgId: number) => void,
      save: (caller: Caller, orgId: number, fields: z.infer<typeof preferencesFormSchema>) => Promise<unknown>,
      done: keyof typeof DONE,
    ) =>
    async (req: Request, res: Response) => {
      const caller = req.caller!;
      const orgId = pathId(req.params.orgId, 'organisation');
      guard(caller, orgId);
      const form = preferencesFormSchema.safeParse(req.body ?? {});
      if (!form.success) {
        const issue = form.error.issues[0]!;
        return renderPreferences(knex, res, caller, email, 400, { error: { orgId, text: `${issue.path.join('.') || 'form'}: ${issue.message}` } });
      }
      try {
        await save(caller, orgId, form.data);
      } catch (error) {
        if (error instanceof InvalidInputError) return renderPreferences(knex, res, caller, email, 400, { error: { orgId, text: error.message } });
        throw error;
      }
      res.redirect(303, `/settings/notifications?${new URLSearchParams({ done, org: String(orgId) })}#org-${orgId}`);
    };

  router.post(
    '/settings/notifications/:orgId',
    requireLogin,
    saveWith(requireMember, (caller, orgId, fields) => saveOwnPreferences(knex, caller, orgId, fields), 'saved'),
  );
  router.post(
    '/settings/notifications/:orgId/defaults',
    requireLogin,
    saveWith(requireDefaultsAdmin, (caller, orgId, fields) => saveDefaults(knex, caller, orgId, fields), 'defaults_saved'),
  );

  // A person can only mail themselves, but a held-down button should not flood their inbox or the SMTP server.
  const testEmails = rateLimit(knex, {
    name: 'test-email',
    limit: 10,
    windowSeconds: 600,
    keyOf: (req) => (req.caller ? String(req.caller.userId) : undefined),
  });
  router.post('/settings/notifications/:orgId/test', requireLogin, testEmails, async (req, res) => {
    const orgId = pathId(req.params.orgId, 'organisation');
    const result = await sendTestEmail(knex, { mailer: email.mailer, clock, publicUrl: config().publicUrl }, req.caller!, orgId);
    res.redirect(303, `/settings/notifications?test=${result.delivery.id}#org-${orgId}`);
  });

  return router;
}
