/** The employee read in the OpenAPI document, its query described by the very schema that validates it. */
import { z } from 'zod';
import { API_TOKEN, inputSchema, json, problem, queryParameters, readErrors } from '../http/openapi-parts.js';
import type { ApiPart } from '../http/openapi-types.js';
import { employeeQuerySchema } from './employees.schemas.js';

export const employeesApi: ApiPart = {
  tag: { name: 'Employees', description: 'One employee across runs.' },
  paths: () => ({
    '/api/v1/employees/{external_id}': {
      get: {
        operationId: 'getEmployee',
        summary: "Get an employee's state and history",
        description: "The employee's last known state per integration, and a page of their records across runs, newest first.",
        tags: ['Employees'],
        security: API_TOKEN,
        parameters: [
          { name: 'external_id', in: 'path', required: true, description: "The source system's id of the employee.", schema: inputSchema(z.string().min(1)) },
          ...queryParameters(employeeQuerySchema, { integration: 'Only this integration (its numeric id); all of them otherwise.' }),
        ],
        responses: { '200': json('Employee', 'The employee.'), ...readErrors, '404': problem('NotFound') },
      },
    },
  }),
};
