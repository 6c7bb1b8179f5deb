import { Router, type Request, type Response } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { countUsers } from '../auth/auth.queries.js';
import { logger } from '../logger.js';
import { attemptLogin } from './login.service.js';
import { endSession, SESSION_COOKIE, startSession } from './sessions.js';
import { cookieOptions, forgetLoginCsrf, safeNext } from './web-auth.js';

const loginFormSchema = z.object({
  email: z.string().trim().max(320, 'An email has at most 320 characters.').min(1, 'Enter your email.'),
  password: z.string().max(1024, 'A password has at most 1024 characters.').min(1, 'Enter your password.'),
  next: z.string().max(2000).optional(),
});

interface LoginView {
  email?: string;
  next?: string;
  error?: string;
  notice?: string;
}

async function renderLogin(knex: Knex, res: Response, status: number, view: LoginView): Promise<void> {
  const firstRun = (await countUsers(knex)) === 0;
  res.status(status).render('auth/login', { title: 'Sign in · feedlog', email: '', next: '/', error: undefined, notice: undefined, firstRun, ...view });
}

function wait(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  return minutes <= 1 ? 'a minute' : `${minutes} minutes`;
}

export function loginPages(knex: Knex): Router {
  const router = Router();

  router.get('/login', async (req: Request, res) => {
    const next = safeNext(req.query.next);
    if (req.caller) return res.redirect(303, next);
    await renderLogin(knex, res, 200, { next, notice: req.query.signed_out !== undefined ? 'You are signed out.' : undefined });
  });

  router.post('/login', async (req, res) => {
    const form = loginFormSchema.safeParse(req.body ?? {});
    const email = typeof req.body?.email === 'string' ? req.body.email.trim().slice(0, 320) : '';
    const next = safeNext(req.body?.next);
    if (!form.success) return renderLogin(knex, res, 400, { email, next, error: form.error.issues[0]!.message });

    const clientAddress = req.ip ?? 'unknown';
    const result = await attemptLogin(knex, { email: form.data.email, password: form.data.password, clientAddress });
    // Operators see refused sign-ins (a run of them is an attack); the words to the person stay the same.
    if (result.outcome !== 'signed_in') logger().warn({ clientAddress, outcome: result.outcome }, 'sign-in refused');
    if (result.outcome === 'throttled') {
      res.set('Retry-After', String(result.retryInSeconds));
      // The same words whether or not the account exists.
      return renderLogin(knex, res, 429, {
        email,
        next,
        error: `Too many sign-in attempts. Wait ${wait(result.retryInSeconds)} and try again, or ask an admin to reset your password.`,
      });
    }
    if (result.outcome === 'invalid') {
      return renderLogin(knex, res, 401, { email, next, error: 'That email and password do not match an account. Check both and try again.' });
    }

    // A fresh session id at every sign-in, so a session id planted before it is worthless.
    if (req.webSession) await endSession(knex, req.webSession.idHash);
    const { cookieValue, maxAgeSeconds } = await startSession(knex, result.userId, { ip: req.ip, userAgent: req.get('user-agent') });
    res.cookie(SESSION_COOKIE, cookieValue, cookieOptions(req, maxAgeSeconds));
    forgetLoginCsrf(req, res);
    logger().info({ userId: result.userId }, 'signed in');
    res.redirect(303, next);
  });

  router.post('/logout', async (req, res) => {
    if (req.webSession) await endSession(knex, req.webSession.idHash);
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    res.redirect(303, '/login?signed_out');
  });

  return router;
}
