import { z } from 'zod';
import { HEALTH_STATES } from './health.js';

const health = z.enum(HEALTH_STATES).describe('Only the integrations in this health.');

/** The query string of `GET /api/v1/overview`. */
export const overviewQuerySchema = z.object({ health: health.optional() });

/** The overview page (`GET /`): the API's filter by the same name (an empty field means none, as on every page). */
export const overviewPageSchema = z.object({ health: health.optional() });
