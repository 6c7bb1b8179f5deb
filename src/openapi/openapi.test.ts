import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import express from 'express';
import request from 'supertest';
import { ERROR_CODES } from '../classify/error-enums.js';
import { employeeListSchema, employeeQuerySchema } from '../employees/employees.schemas.js';
import { driftFiltersSchema } from '../drift/drift.schemas.js';
import { groupDetailQuerySchema, groupFiltersSchema } from '../groups/groups.schemas.js';
import { recordFiltersSchema } from '../records/records.schemas.js';
import { runFiltersSchema } from '../runs/runs.schemas.js';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createKnex } from '../db/database.js';
import { createApp } from '../app/app.js';
import { appRoutes } from '../../test/helpers/routes.js';
import { buildOpenApiDocument } from './openapi-document.js';
import type { JsonSchema, OpenApiDocument, Operation, Parameter } from '../http/openapi-types.js';
import { openapiRoutes } from './openapi.routes.js';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const doc = buildOpenApiDocument();

function operations(document: OpenApiDocument): { path: string; method: string; op: Operation }[] {
  const out: { path: string; method: string; op: Operation }[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (op) out.push({ path, method, op });
    }
  }
  return out;
}

function operation(path: string, method: 'get' | 'post'): Operation {
  const op = doc.paths[path]?.[method];
  assert.ok(op, `${method.toUpperCase()} ${path} is documented`);
  return op;
}

const queryParams = (op: Operation) => (op.parameters ?? []).filter((p) => p.in === 'query');
const param = (op: Operation, name: string): Parameter => {
  const found = op.parameters?.find((p) => p.name === name);
  assert.ok(found, `parameter ${name} of ${op.operationId}`);
  return found;
};

/** Resolves a local JSON pointer (`#/a/b~1c`) against the document. */
function resolvePointer(root: unknown, ref: string): unknown {
  assert.ok(ref.startsWith('#/'), `only local refs: ${ref}`);
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function collectRefs(node: unknown, at = '#', out: { at: string; ref: string }[] = []) {
  if (Array.isArray(node)) {
    for (const [i, child] of node.entries()) collectRefs(child, `${at}/${i}`, out);
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref') {
        assert.equal(typeof value, 'string', `$ref at ${at} is a string`);
        out.push({ at, ref: value as string });
      } else collectRefs(value, `${at}/${key}`, out);
    }
  }
  return out;
}

/** The zod enum's values, from a `z.enum(...).optional()` field. */
function zodEnumValues(field: unknown): unknown[] {
  const inner = (field as { unwrap(): { options: unknown[] } }).unwrap();
  assert.ok(Array.isArray(inner.options), 'the field is an optional zod enum');
  return inner.options;
}

describe('the OpenAPI document', () => {
  it('validates against the official OpenAPI 3.1 schema', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(JSON.stringify(doc)));
    assert.equal(validator.version, '3.1');
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  });

  it('documents every API route of the router, and nothing the router lacks', async () => {
    // The app is only walked, never asked anything, so its database is never reached.
    const knex = createKnex('postgres://nobody@127.0.0.1:1/none', 1);
    try {
      const routed = appRoutes(createApp({ knex }))
        .filter((route) => route.split(' ')[1]!.startsWith('/api/v1/'))
        .map((route) => route.replace(/:(\w+)/g, '{$1}'))
        .sort();
      const documented = operations(doc)
        .map(({ path, method }) => `${method.toUpperCase()} ${path}`)
        .sort();
      assert.deepEqual(documented, routed);
    } finally {
      await knex.destroy();
    }
  });

  it('is built once and shared', () => {
    assert.equal(buildOpenApiDocument(), doc);
    assert.ok(Object.isFrozen(doc));
  });

  it('has the OpenAPI 3.1 top level', () => {
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    assert.equal(typeof doc.info.title, 'string');
    assert.ok(doc.info.title.length > 0);
    assert.equal(typeof doc.info.version, 'string');
    assert.ok(doc.info.version.length > 0);
    assert.ok(Object.keys(doc.paths).length > 0);
    for (const path of Object.keys(doc.paths)) assert.ok(path.startsWith('/'), `path ${path} starts with /`);
    const allowedTop = new Set(['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components', 'security', 'tags', 'externalDocs']);
    for (const key of Object.keys(doc)) assert.ok(allowedTop.has(key) || key.startsWith('x-'), `top-level key ${key} is allowed`);
  });

  it('survives a JSON round trip unchanged (no undefined, functions or cycles)', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
  });

  it('gives every operation an id, responses, and security (or an explicit public [])', () => {
    const ids = new Set<string>();
    const ops = operations(doc);
    assert.ok(ops.length >= 7);
    for (const { path, method, op } of ops) {
      const where = `${method.toUpperCase()} ${path}`;
      assert.ok(op.operationId && !ids.has(op.operationId), `${where} has a unique operationId`);
      ids.add(op.operationId);
      assert.ok(op.summary, `${where} has a summary`);
      const statuses = Object.keys(op.responses);
      assert.ok(statuses.length > 0, `${where} has responses`);
      for (const status of statuses) assert.match(status, /^([1-5]\d\d|[1-5]XX|default)$/, `${where} status ${status}`);
      assert.ok(
        statuses.some((s) => s.startsWith('2')),
        `${where} has a success response`,
      );
      for (const response of Object.values(op.responses)) {
        const resolved = '$ref' in response ? (resolvePointer(doc, response.$ref) as { description?: string }) : response;
        assert.equal(typeof resolved?.description, 'string', `${where}: every response has a description`);
      }
      assert.ok(Array.isArray(op.security), `${where} states its security`);
      for (const requirement of op.security) {
        for (const scheme of Object.keys(requirement)) assert.ok(doc.components.securitySchemes[scheme], `${where}: scheme ${scheme} is defined`);
      }
    }
    assert.deepEqual(operation('/api/v1/openapi.json', 'get').security, [], 'the document itself is explicitly public');
    assert.deepEqual(operation('/api/v1/sync-runs', 'post').security, [{ ingestToken: [] }]);
    for (const { path, method, op } of ops) {
      if (path === '/api/v1/openapi.json' || method === 'post') continue;
      assert.deepEqual(op.security, [{ apiToken: [] }], `${method} ${path} needs an API token`);
    }
  });

  it('defines two bearer security schemes', () => {
    assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['apiToken', 'ingestToken']);
    for (const scheme of Object.values(doc.components.securitySchemes)) {
      assert.equal(scheme.type, 'http');
      assert.equal(scheme.scheme, 'bearer');
    }
  });

  it('resolves every $ref within the document', () => {
    const refs = collectRefs(doc);
    assert.ok(refs.length > 20, 'the document does use refs');
    for (const { at, ref } of refs) assert.notEqual(resolvePointer(doc, ref), undefined, `${ref} (at ${at}) resolves`);
  });

  it('has no leftover $schema/$id in components and no unused component schema', () => {
    const used = new Set(collectRefs(doc).map(({ ref }) => ref));
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      assert.equal(schema.$schema, undefined, `${name} has no $schema`);
      assert.equal(schema.$id, undefined, `${name} has no $id`);
      assert.ok(used.has(`#/components/schemas/${name}`), `${name} is used`);
    }
  });

  it('gives every parameter name, in and schema, path parameters matching the template', () => {
    for (const { path, method, op } of operations(doc)) {
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const seen = new Set<string>();
      for (const p of op.parameters ?? []) {
        const where = `${method} ${path} ${p.name}`;
        assert.ok(p.name, `${where}: name`);
        assert.ok(['query', 'path', 'header', 'cookie'].includes(p.in), `${where}: in`);
        assert.ok(p.schema && typeof p.schema === 'object', `${where}: schema`);
        assert.ok(p.schema.type || p.schema.$ref || p.schema.anyOf, `${where}: schema has a type`);
        assert.ok(!seen.has(`${p.in}:${p.name}`), `${where}: not duplicated`);
        seen.add(`${p.in}:${p.name}`);
        if (p.in === 'path') {
          assert.equal(p.required, true, `${where}: path parameters are required`);
          assert.ok(templated.includes(p.name), `${where}: appears in the path template`);
        }
      }
      for (const name of templated) assert.ok(seen.has(`path:${name}`), `${method} ${path}: {${name}} is declared`);
    }
  });

  it('offers every filter of api.md as a query parameter', () => {
    const expected: Record<string, string[]> = {
      '/api/v1/sync-runs': ['integration', 'status', 'trigger', 'from', 'to', 'run_id', 'limit', 'cursor'],
      '/api/v1/records': ['run', 'integration', 'external_id', 'email', 'q', 'code', 'severity', 'outcome', 'field', 'from', 'to', 'limit', 'cursor'],
      '/api/v1/error-groups': ['integration', 'code', 'status', 'q', 'format', 'limit', 'cursor'],
      '/api/v1/error-groups/{id}': ['members_limit', 'members_cursor'],
      '/api/v1/employees/{external_id}': ['integration'],
      '/api/v1/employees': ['q', 'integration', 'state', 'format', 'limit', 'cursor'],
      '/api/v1/drift': ['integration', 'field', 'format', 'limit', 'cursor'],
    };
    for (const [path, names] of Object.entries(expected)) {
      const present = queryParams(operation(path, 'get')).map((p) => p.name);
      for (const name of names) assert.ok(present.includes(name), `${path} has query parameter ${name} (has ${present.join(', ')})`);
    }
  });

  it('derives the query parameters from the zod schemas that validate them', () => {
    const pairs = [
      ['/api/v1/sync-runs', runFiltersSchema],
      ['/api/v1/records', recordFiltersSchema],
      ['/api/v1/error-groups', groupFiltersSchema],
      ['/api/v1/error-groups/{id}', groupDetailQuerySchema],
      ['/api/v1/employees/{external_id}', employeeQuerySchema],
      ['/api/v1/employees', employeeListSchema],
      ['/api/v1/drift', driftFiltersSchema],
    ] as const;
    for (const [path, schema] of pairs) {
      const names = queryParams(operation(path, 'get')).map((p) => p.name);
      assert.deepEqual(names.sort(), Object.keys(schema.shape).sort(), `${path}: one parameter per property`);
      for (const p of queryParams(operation(path, 'get'))) assert.equal(p.required, false, `${path} ${p.name} is optional`);
    }
  });

  it('keeps enums equal to the zod enums', () => {
    const records = operation('/api/v1/records', 'get');
    assert.deepEqual(param(records, 'code').schema.enum, [...ERROR_CODES]);
    assert.deepEqual(param(records, 'severity').schema.enum, zodEnumValues(recordFiltersSchema.shape.severity));
    assert.deepEqual(param(records, 'outcome').schema.enum, zodEnumValues(recordFiltersSchema.shape.outcome));
    assert.deepEqual(param(records, 'field').schema.enum, zodEnumValues(recordFiltersSchema.shape.field));
    const runs = operation('/api/v1/sync-runs', 'get');
    assert.deepEqual(param(runs, 'status').schema.enum, ['completed', 'completed_with_errors', 'failed']);
    assert.deepEqual(param(runs, 'status').schema.enum, zodEnumValues(runFiltersSchema.shape.status));
    assert.deepEqual(param(runs, 'trigger').schema.enum, zodEnumValues(runFiltersSchema.shape.trigger));
    const groups = operation('/api/v1/error-groups', 'get');
    assert.deepEqual(param(groups, 'code').schema.enum, [...ERROR_CODES]);
    assert.deepEqual(param(groups, 'status').schema.enum, zodEnumValues(groupFiltersSchema.shape.status));
    const errorCode = (doc.components.schemas.ClassifiedError!.properties as Record<string, JsonSchema>).code!;
    assert.deepEqual(errorCode.enum, [...ERROR_CODES], 'response error codes too');
  });

  it('carries types, formats and bounds of the query schemas', () => {
    const runs = operation('/api/v1/sync-runs', 'get');
    for (const name of ['from', 'to']) {
      assert.equal(param(runs, name).schema.type, 'string');
      assert.equal(param(runs, name).schema.format, 'date-time');
    }
    assert.deepEqual(param(runs, 'limit').schema, { type: 'integer', minimum: 1, maximum: 1000, default: 50 });
    assert.equal(param(runs, 'integration').schema.type, 'integer');
    assert.equal(param(runs, 'integration').schema.exclusiveMinimum, 0);
    assert.equal(param(runs, 'run_id').schema.minLength, 1);
    assert.equal(param(runs, 'run_id').schema.maxLength, 200);
    assert.equal(param(runs, 'cursor').schema.maxLength, 500);
    const records = operation('/api/v1/records', 'get');
    assert.equal(param(records, 'email').schema.maxLength, 8_000);
    assert.equal(param(records, 'run').schema.type, 'integer');
    const run = operation('/api/v1/sync-runs/{id}', 'get');
    assert.equal(param(run, 'id').schema.type, 'integer');
    for (const { op } of operations(doc)) {
      for (const p of op.parameters ?? []) assert.ok(p.description, `${op.operationId} ${p.name} is described`);
    }
  });

  it('describes the ingest body from feedRunSchema', () => {
    const ingest = operation('/api/v1/sync-runs', 'post');
    assert.equal(ingest.requestBody?.required, true);
    const media = ingest.requestBody?.content['application/json'];
    assert.ok(media, 'JSON body');
    const body = (media.schema.$ref ? resolvePointer(doc, media.schema.$ref as string) : media.schema) as JsonSchema;
    assert.equal(body.type, 'object');
    const required = body.required as string[];
    for (const name of ['run_id', 'trigger', 'started_at', 'finished_at', 'status', 'records']) assert.ok(required.includes(name), `${name} is required`);
    for (const name of ['schema_version', 'source_system', 'catalog', 'form_fields', 'run_error']) assert.ok(!required.includes(name), `${name} is optional`);
    const properties = body.properties as Record<string, JsonSchema>;
    assert.deepEqual(properties.trigger!.enum, ['scheduled', 'manual', 'initial']);
    assert.equal(properties.started_at!.format, 'date-time');
    assert.equal(properties.records!.type, 'array');
    const record = properties.records!.items as JsonSchema;
    assert.deepEqual([...(record.required as string[])].sort(), ['action', 'employee', 'outcome']);
    assert.deepEqual((record.properties as Record<string, JsonSchema>).action!.enum, ['create', 'update', 'deactivate', 'reactivate', 'skip']);
    assert.notEqual(body.additionalProperties, false, 'unknown keys are allowed');
  });

  it('documents the ingest and read responses with problem+json errors', () => {
    const ingest = operation('/api/v1/sync-runs', 'post');
    assert.deepEqual(Object.keys(ingest.responses).sort(), ['200', '201', '400', '401', '403', '409', '413', '415', '429', '503']);
    const problemRef = '#/components/schemas/Problem';
    for (const [status, response] of Object.entries(ingest.responses)) {
      const resolved = ('$ref' in response ? resolvePointer(doc, response.$ref) : response) as { content: Record<string, { schema: JsonSchema }> };
      if (status.startsWith('2')) assert.equal(resolved.content['application/json']?.schema.$ref, '#/components/schemas/RunSummary');
      else assert.equal(resolved.content['application/problem+json']?.schema.$ref, problemRef, `${status} is a problem`);
    }
    const problem = doc.components.schemas.Problem!;
    assert.deepEqual(Object.keys(problem.properties as object).sort(), ['detail', 'errors', 'instance', 'status', 'title', 'type']);
    for (const path of ['/api/v1/sync-runs/{id}', '/api/v1/employees/{external_id}']) {
      assert.ok(operation(path, 'get').responses['404'], `${path} can be 404`);
    }
    const expectations: [string, string][] = [
      ['/api/v1/sync-runs', 'SyncRunPage'],
      ['/api/v1/sync-runs/{id}', 'RunDetail'],
      ['/api/v1/records', 'FeedRecordPage'],
      ['/api/v1/employees/{external_id}', 'Employee'],
      ['/api/v1/employees', 'EmployeeSummaryPage'],
      ['/api/v1/error-groups', 'ErrorGroupPage'],
      ['/api/v1/error-groups/{id}', 'ErrorGroupDetail'],
      ['/api/v1/drift', 'DriftPage'],
      ['/api/v1/overview', 'Overview'],
    ];
    for (const [path, schema] of expectations) {
      const op = operation(path, 'get');
      const ok = op.responses['200'] as { content: Record<string, { schema: JsonSchema }> };
      assert.equal(ok.content['application/json']?.schema.$ref, `#/components/schemas/${schema}`, `${path} answers ${schema}`);
      assert.ok(op.responses['401'] && op.responses['403'], `${path} documents 401 and 403`);
    }
    const page = doc.components.schemas.SyncRunPage!;
    assert.deepEqual(page.required, ['items', 'next_cursor']);
    assert.deepEqual((page.properties as Record<string, JsonSchema>).next_cursor!.type, ['string', 'null']);
  });
});

describe('CSV in the OpenAPI document', () => {
  it('documents `format=csv` and its text/csv answer on the lists that stream one', () => {
    for (const path of ['/api/v1/error-groups', '/api/v1/drift']) {
      const op = operation(path, 'get');
      assert.deepEqual(param(op, 'format').schema.enum, ['json', 'csv'], path);
      const ok = op.responses['200'] as { content: Record<string, { schema: JsonSchema }> };
      assert.deepEqual(Object.keys(ok.content).sort(), ['application/json', 'text/csv'], path);
    }
  });
});

describe('the OpenAPI routes', () => {
  const app = express().use(openapiRoutes());

  it('serves the document publicly as JSON', async () => {
    const res = await request(app).get('/api/v1/openapi.json').expect(200);
    assert.match(res.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(res.body, JSON.parse(JSON.stringify(doc)));
  });

  it('serves the HTML reference with every path and operation, without inline script', async () => {
    const res = await request(app).get('/api/docs').expect(200);
    assert.match(res.headers['content-type'] ?? '', /^text\/html/);
    const html = res.text;
    assert.match(html, /<!doctype html>/i);
    assert.match(html, /<link rel="stylesheet" href="\/static\/app.css">/);
    for (const { path, method, op } of operations(doc)) {
      assert.ok(html.includes(path), `lists ${path}`);
      assert.ok(html.includes(`id="op-${op.operationId}"`), `has a section for ${method} ${path}`);
      for (const p of op.parameters ?? []) assert.ok(html.includes(`<code>${p.name}</code>`), `lists parameter ${p.name} of ${op.operationId}`);
      for (const status of Object.keys(op.responses)) assert.ok(html.includes(`>${status}</span>`), `lists response ${status} of ${op.operationId}`);
    }
    for (const code of ERROR_CODES) assert.ok(html.includes(code), `shows enum value ${code}`);
    assert.ok(html.includes('apiToken') && html.includes('ingestToken'), 'names the auth schemes');
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline script');
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no inline event handlers');
    assert.doesNotMatch(html, /<style|\sstyle\s*=/i, 'no inline styles');
    assert.doesNotMatch(html, /https?:\/\/(?!json-schema\.org)/, 'no external resources');
  });
});
