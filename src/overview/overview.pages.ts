import { Router } from 'express';
import { requireLogin } from '../auth/web-auth.js';
import { parsePageQuery } from '../http/query.js';
import type { Clock } from '../shared/clock.js';
import { HEALTH_STATES } from './health.js';
import { overviewOf } from './overview.read.js';
import { overviewFilterSchema } from './overview.schemas.js';

/** The overview (`/`): each organisation's integrations, worst health first, with the figures that say why. */
export function overviewPages(clock: Clock): Router {
  const router = Router();
  router.get('/', requireLogin, async (req, res) => {
    const caller = req.caller!;
    const { health } = parsePageQuery(overviewFilterSchema, req);
    const now: Date = res.locals.renderedAt ?? clock.now();
    const organisations = (await overviewOf(req.reader, caller.orgIds, now, caller.timeZone)).map((org) => ({
      ...org,
      role: caller.roles.get(org.id) ?? (caller.support ? 'support' : 'none'),
      shown: health ? org.integrations.filter((i) => i.health.state === health) : org.integrations,
    }));
    res.render('overview/index', { title: 'Overview · feedlog', organisations, health: health ?? null, states: HEALTH_STATES });
  });
  return router;
}
