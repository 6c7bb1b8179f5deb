import type { Request, RequestHandler } from 'express';
import type { Knex } from 'knex';
import { HttpError } from '../http/errors.js';
import { findLiveApiToken, findLiveIngestToken, touchToken } from './auth.queries.js';
import { loadCaller } from './caller.js';
import { hashToken, parseToken, type TokenKind } from './tokens.js';

/** The integration an ingest token speaks for: the organisation and integration never come from the body. */
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

interface BearerRules {
  realm: string;
  missing: string;
  wrongKind: string;
  unknown: string;
  /** Finds the live token of `scopeId` with this hash and sets who the request speaks for; false when there is none. */
  identify(knex: Knex, scopeId: number, tokenHash: string, req: Request): Promise<boolean>;
}

/**
 * API tokens read what their user may read; ingest tokens post runs of one
 * integration. Each kind is refused where the other belongs (403), so a leaked
 * ingest token reads nothing.
 */
const RULES: Record<TokenKind, BearerRules> = {
  api: {
    realm: 'feedlog api',
    missing: 'Send an API token as "Authorization: Bearer <token>" (feedlog token create --user <email>).',
    wrongKind: 'This is an ingest token: it can only post runs. Use an API token to read.',
    unknown: 'The API token is unknown or was revoked.',
    async identify(knex, userId, tokenHash, req) {
      const row = await findLiveApiToken(knex, userId, tokenHash);
      const caller = row ? await loadCaller(knex, row.user_id) : undefined;
      if (!row || !caller) return false;
      await touchToken(knex, 'api_tokens', { user_id: row.user_id, id: row.id }, row.last_used_at);
      req.caller = caller;
      return true;
    },
  },
  ing: {
    realm: 'feedlog ingest',
    missing: 'Send the integration\'s ingest token as "Authorization: Bearer <token>".',
    wrongKind: "This is an API token: it can read but not ingest. Use the integration's ingest token.",
    unknown: 'The ingest token is unknown or was revoked. Rotate it with: feedlog integration rotate-token',
    async identify(knex, orgId, tokenHash, req) {
      const row = await findLiveIngestToken(knex, orgId, tokenHash);
      if (!row) return false;
      await touchToken(knex, 'ingest_tokens', { org_id: row.org_id, id: row.id }, row.last_used_at);
      req.ingestCaller = { orgId: row.org_id, integrationId: row.integration_id, tokenId: row.id };
      return true;
    },
  },
};

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Accepts only a valid, unrevoked bearer token of this kind; sets req.caller (api) or req.ingestCaller (ing). */
export function requireBearer(knex: Knex, kind: TokenKind): RequestHandler {
  const rules = RULES[kind];
  const unauthorized = (detail: string) => new HttpError(401, 'Unauthorized', detail, undefined, { 'WWW-Authenticate': `Bearer realm="${rules.realm}"` });
  return async (req, _res, next) => {
    const token = bearerToken(req.get('authorization'));
    if (!token) throw unauthorized(rules.missing);
    const parsed = parseToken(token);
    if (!parsed) throw unauthorized('The bearer token is not a feedlog token.');
    if (parsed.kind !== kind) throw new HttpError(403, 'Forbidden', rules.wrongKind);
    if (!(await rules.identify(knex, parsed.scopeId, hashToken(token), req))) throw unauthorized(rules.unknown);
    next();
  };
}
