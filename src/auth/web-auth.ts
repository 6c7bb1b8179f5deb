import type { CookieOptions, Request, RequestHandler, Response } from 'express';
import type { Knex } from 'knex';
import { config } from '../config.js';
import { HttpError } from '../http/errors.js';
import { csrfTokenMatches, maskCsrfSecret, newCsrfSecret } from './csrf.js';
import { resumeSession, SESSION_COOKIE, type WebSession } from './sessions.js';

/** Before sign-in there is no session to hold the CSRF secret, so a cookie of its own holds it. */
const LOGIN_CSRF_COOKIE = 'feedlog_csrf';
const CSRF_FIELD = '_csrf';

declare module 'express-serve-static-core' {
  interface Request {
    webSession?: WebSession;
  }
}

/** HttpOnly (no script reads them), SameSite=Lax (not sent on cross-site posts), Secure over https. */
export function cookieOptions(req: Request, maxAgeSeconds?: number): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'lax',
    secure: config().secureCookies || req.secure,
    path: '/',
    ...(maxAgeSeconds ? { maxAge: maxAgeSeconds * 1000 } : {}),
  };
}

/** Who is signed in, if anyone: sets req.caller and req.webSession, and the view's `caller`. Never rejects. */
export function loadWebSession(knex: Knex): RequestHandler {
  return async (req, res, next) => {
    const cookie = req.cookies?.[SESSION_COOKIE] as unknown;
    const resumed = typeof cookie === 'string' && cookie ? await resumeSession(knex, cookie) : undefined;
    if (resumed) {
      req.webSession = resumed.session;
      req.caller = resumed.caller;
      res.locals.caller = resumed.caller;
    } else if (cookie) {
      res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    }
    next();
  };
}

/**
 * The longest address sign-in comes back to. Beyond it the path alone is kept (or
 * nothing): a `Location` header over 16 KB, as a 16 KB address encoded twice
 * would give, is refused by HTTP clients ("Header overflow").
 */
const LONGEST_RETURN = 2_000;

/** Where sign-in should send a visitor back to: the address, or its path when the address is too long to carry. */
function signInLink(originalUrl: string): string {
  const path = originalUrl.split('?')[0]!;
  const back = originalUrl.length <= LONGEST_RETURN ? originalUrl : path.length <= LONGEST_RETURN ? path : undefined;
  return back === undefined ? '/login' : `/login?next=${encodeURIComponent(back)}`;
}

/** Pages need a signed-in person: a page visit goes to the sign-in page and comes back after it. */
export const requireLogin: RequestHandler = (req, res, next) => {
  if (req.caller && req.webSession) return next();
  if (req.method === 'GET' || req.method === 'HEAD') return res.redirect(303, signInLink(req.originalUrl));
  throw new HttpError(401, 'Unauthorized', 'Your session has ended. Sign in again, then repeat what you did.');
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function ownOrigin(req: Request): string {
  return `${req.protocol}://${req.get('host')}`;
}

/**
 * Every form carries a CSRF token (`res.locals.csrfToken`, rendered by the
 * views as a hidden `_csrf` field); every unsafe request must send it back. A
 * request whose Origin is another site is refused too, as a second line.
 */
export const csrfProtection: RequestHandler = (req, res, next) => {
  let secret = req.webSession?.csrfSecret ?? (req.cookies?.[LOGIN_CSRF_COOKIE] as string | undefined);
  if (!secret && !req.webSession) {
    secret = newCsrfSecret();
    res.cookie(LOGIN_CSRF_COOKIE, secret, cookieOptions(req));
  }
  // Set before the check, so that the error page of a refused form can still offer its own forms.
  res.locals.csrfToken = maskCsrfSecret(secret!);
  if (!SAFE_METHODS.has(req.method)) {
    // An opaque origin ("null", sent by some privacy settings) proves nothing
    // either way: the token alone decides then.
    const origin = req.get('origin');
    const publicOrigin = new URL(config().publicUrl).origin;
    if (origin && origin !== 'null' && origin !== ownOrigin(req) && origin !== publicOrigin) {
      throw new HttpError(403, 'Forbidden', 'This form was sent from another site. Open feedlog itself and try again.');
    }
    const token = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD] ?? req.get('x-csrf-token');
    if (!csrfTokenMatches(token, secret)) {
      throw new HttpError(403, 'Forbidden', 'The form had expired or did not come from this page. Go back, reload the page and try again.');
    }
  }
  next();
};

/** Only a path of this site, or `fallback`: a `next` or `back` field must never send a person elsewhere. */
export function safeNext(next: unknown, fallback = '/'): string {
  return typeof next === 'string' && /^\/(?![/\\])[^\s\\]*$/.test(next) && !next.startsWith('/login') ? next : fallback;
}

/** After sign-in or sign-out the pre-sign-in CSRF secret has served its purpose. */
export function forgetLoginCsrf(req: Request, res: Response): void {
  res.clearCookie(LOGIN_CSRF_COOKIE, cookieOptions(req));
}
