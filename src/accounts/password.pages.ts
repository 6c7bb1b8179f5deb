import { Router, type Response } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { changeOwnPassword } from './accounts.service.js';
import { actorOf } from '../auth/caller.js';
import { MIN_PASSWORD_LENGTH } from '../auth/passwords.js';
import { checkAccountPassword } from '../auth/login.service.js';
import { requireLogin } from '../auth/web-auth.js';

const passwordForm = z
  .object({
    current: z.string().min(1, 'Enter your current password.').max(1024),
    password: z
      .string()
      .max(1024, 'A password has at most 1024 characters.')
      .refine((p) => [...p].length >= MIN_PASSWORD_LENGTH, `A new password needs at least ${MIN_PASSWORD_LENGTH} characters.`),
    confirm: z.string().max(1024),
  })
  .refine((form) => form.password === form.confirm, { message: 'The two new passwords differ: type the same one twice.' });

const render = (res: Response, status: number, view: { error?: string; notice?: string } = {}) =>
  res.status(status).render('settings/password', { title: 'Password · feedlog', error: undefined, notice: undefined, minLength: MIN_PASSWORD_LENGTH, ...view });

/** A signed-in person changes their own password, confirming the current one first. */
export function passwordPages(knex: Knex): Router {
  const router = Router();
  router.get('/settings/password', requireLogin, (req, res) => {
    render(res, 200, { notice: req.query.changed !== undefined ? 'Your password is changed. Your other sessions have ended.' : undefined });
  });
  router.post('/settings/password', requireLogin, async (req, res) => {
    const caller = req.caller!;
    const form = passwordForm.safeParse(req.body ?? {});
    if (!form.success) return render(res, 400, { error: form.error.issues[0]!.message });
    const confirmed = await checkAccountPassword(knex, caller.email, form.data.current);
    if (confirmed.outcome === 'throttled') return render(res, 429, { error: 'Too many wrong passwords. Wait a few minutes and try again.' });
    if (confirmed.outcome !== 'signed_in') return render(res, 400, { error: 'Your current password is not right.' });
    await changeOwnPassword(knex, caller.userId, req.webSession!.idHash, form.data.password, actorOf(caller));
    res.redirect(303, '/settings/password?changed');
  });
  return router;
}
