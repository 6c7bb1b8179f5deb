/** The employees list and the employee read in the OpenAPI document, their queries described by the very schemas that validate them. */
import { z } from 'zod';
import { API_TOKEN, inputSchema, json, problem, queryParameters, readErrors, ref } from '../http/openapi-parts.js';
import type { ApiPart } from '../http/openapi-types.js';
import { employeeListSchema, employeeQuerySchema } from './employees.schemas.js';

const LIST_DESCRIPTIONS = {
  integration: 'Only employees of this integration (its numeric id).',
  state: 'Only employees in this state.',
  format:
    '`csv` streams every matching employee (the columns external_id, first_name, last_name, email, department, job_title, branch, state, last_synced) instead of a page of JSON.',
};

export const employeesApi: ApiPart = {
  tag: { name: 'Employees', description: 'Employees as the integrations sent them, and one employee across runs.' },
  paths: () => ({
    '/api/v1/employees': {
      get: {
        operationId: 'listEmployees',
        summary: 'List (or search) employees',
        description:
          'Every employee the integrations have sent, one item per employee and integration, with the values last sent, the state (synced, blocked, inactive, never_applied), open errors and when they were last synced; by organisation, integration and name. With `q`, only those whose name, email or external ID contain every word (partial; capitals and accents ignored).',
        tags: ['Employees'],
        security: API_TOKEN,
        parameters: queryParameters(employeeListSchema, LIST_DESCRIPTIONS),
        responses: {
          '200': {
            description: 'A page of employees, or with `format=csv` all of them as CSV.',
            content: {
              'application/json': { schema: ref('EmployeeSummaryPage') },
              'text/csv': {
                schema: {
                  type: 'string',
                  description: 'UTF-8 with a byte order mark; cells that begin with = + - @, tab or carriage return are prefixed with an apostrophe.',
                },
              },
            },
          },
          ...readErrors,
        },
      },
    },
    '/api/v1/employees/{external_id}': {
      get: {
        operationId: 'getEmployee',
        summary: "Get an employee's state and history",
        description:
          "The employee's last known state per integration (`states`: as the target holds them; `summaries`: the values last sent, the state and open errors), and a page of their records across runs, newest first.",
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
