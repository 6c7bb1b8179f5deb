import type { RequestHandler } from 'express';

/**
 * Pages show one person's data (and carry their CSRF token): no shared cache
 * may keep them, and the browser must not show them from its history after
 * sign-out. Set before the handler runs, so error pages carry it too.
 */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'private, no-store');
  next();
};
