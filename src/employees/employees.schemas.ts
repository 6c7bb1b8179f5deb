import { z } from 'zod';
import { idParam, pageSchema } from '../http/query.js';

/** The query string of `GET /api/v1/employees/{external_id}`; the OpenAPI document is made from it too. */
export const employeeQuerySchema = z.object({ integration: idParam.optional(), ...pageSchema });
