import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import { HttpError } from '../http/errors.js';
import { findActiveIngestToken, touchIngestToken } from '../integrations/ingest-tokens.queries.js';
import { hashToken, parseToken } from '../integrations/tokens.js';

export interface IngestCaller {
  orgId: number;
  integrationId: number;
  tokenId: number;
}

declare module 'express-serve-static-core' {
  interface Request {
    ingestCaller?: IngestCaller;
  }
}

const unauthorized = (detail: string) =>
  new HttpError(401, 'Unauthorized', detail, undefined, { 'WWW-Authenticate': 'Bearer realm="feedlog ingest"' });

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Accepts only a valid, unrevoked ingest token; the organisation and integration come from it, never from the body. */
export function requireIngestToken(knex: Knex): RequestHandler {
  return async (req, _res, next) => {
    const token = bearerToken(req.get('authorization'));
    if (!token) throw unauthorized('Send the integration\'s ingest token as "Authorization: Bearer <token>".');
    const parsed = parseToken(token);
    if (!parsed) throw unauthorized('The bearer token is not a feedlog token.');
    if (parsed.kind !== 'ing') throw new HttpError(403, 'Forbidden', 'This is an API token: it can read but not ingest. Use the integration\'s ingest token.');
    const row = await findActiveIngestToken(knex, parsed.scopeId, hashToken(token));
    if (!row) throw unauthorized('The ingest token is unknown or was revoked. Rotate it with: feedlog integration rotate-token');
    await touchIngestToken(knex, row);
    req.ingestCaller = { orgId: row.org_id, integrationId: row.integration_id, tokenId: row.id };
    next();
  };
}
