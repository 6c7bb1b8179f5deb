import { z } from 'zod';
import { HEALTH_STATES } from './health.js';

const health = z.enum(HEALTH_STATES).describe('Only the integrations in this health.');

/** The query string of `GET /api/v1/overview`, and of the overview page (`GET /`), whose filter has the same name. */
export const overviewFilterSchema = z.object({ health: health.optional() });
