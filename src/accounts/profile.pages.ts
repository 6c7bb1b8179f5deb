import { Router, type Response } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { requireLogin } from '../auth/web-auth.js';
import { isTimeZone, timeZoneChoices } from '../shared/time-format.js';
import { updateTimeZone } from './accounts.queries.js';

const profileForm = z.object({
  time_zone: z.string().max(64).refine(isTimeZone, 'Choose a time zone from the list.'),
});

const render = (res: Response, status: number, view: { error?: string; notice?: string } = {}) =>
  res.status(status).render('settings/profile', { title: 'Settings · feedlog', error: undefined, notice: undefined, timeZones: timeZoneChoices(), ...view });

/** A person's own settings: the time zone every page shows times in. */
export function profilePages(knex: Knex): Router {
  const router = Router();
  router.get('/settings/profile', requireLogin, (req, res) => {
    render(res, 200, { notice: req.query.saved !== undefined ? 'Saved. Times are now shown in your time zone.' : undefined });
  });
  router.post('/settings/profile', requireLogin, async (req, res) => {
    const form = profileForm.safeParse(req.body ?? {});
    if (!form.success) return render(res, 400, { error: form.error.issues[0]!.message });
    await updateTimeZone(knex, req.caller!.userId, form.data.time_zone);
    res.redirect(303, '/settings/profile?saved');
  });
  return router;
}
