import { Router, type Response } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { requireLogin } from '../auth/web-auth.js';
import { pathId } from '../http/query.js';
import { listApiTokens } from './accounts.queries.js';
import { apiTokenNameSchema, issueApiToken, revokeApiToken } from './accounts.service.js';
import { actorOf, type Caller } from '../auth/caller.js';

const createTokenForm = z.object({ name: apiTokenNameSchema });

async function renderTokens(
  knex: Knex,
  res: Response,
  caller: Caller,
  status: number,
  view: { newToken?: string; error?: string; notice?: string; name?: string },
) {
  const tokens = await listApiTokens(knex, caller.userId);
  res
    .status(status)
    .render('settings/tokens', { title: 'API tokens · feedlog', tokens, newToken: undefined, error: undefined, notice: undefined, name: '', ...view });
}

/** A signed-in person's own API tokens: list, create (shown once), revoke. */
export function tokenPages(knex: Knex): Router {
  const router = Router();
  router.get('/settings/tokens', requireLogin, async (req, res) => {
    await renderTokens(req.reader, res, req.caller!, 200, {
      notice: req.query.revoked !== undefined ? 'The token is revoked: it stops working at once.' : undefined,
    });
  });
  router.post('/settings/tokens', requireLogin, async (req, res) => {
    const form = createTokenForm.safeParse(req.body ?? {});
    if (!form.success)
      return renderTokens(knex, res, req.caller!, 400, { error: form.error.issues[0]!.message, name: String(req.body?.name ?? '').slice(0, 100) });
    const newToken = await issueApiToken(knex, req.caller!.userId, form.data.name, actorOf(req.caller!));
    // Rendered at once rather than redirected: the token exists in clear only in this response.
    res.set('Cache-Control', 'no-store');
    await renderTokens(knex, res, req.caller!, 201, { newToken });
  });
  router.post('/settings/tokens/:id/revoke', requireLogin, async (req, res) => {
    const id = pathId(req.params.id, 'API token');
    await revokeApiToken(knex, req.caller!.userId, id, actorOf(req.caller!));
    res.redirect(303, '/settings/tokens?revoked');
  });
  return router;
}
