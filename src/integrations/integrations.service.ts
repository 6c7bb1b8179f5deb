import type { Knex } from 'knex';
import { CLI, recordAudit, type Actor } from '../audit/audit.queries.js';
import { RECORD_FIELDS, type RecordField } from '../classify/feed-enums.js';
import { DEFAULT_REQUIRED_FIELDS } from '../classify/types.js';
import { requireOrganisation } from '../orgs/orgs.service.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../shared/errors.js';
import { insertIngestToken, newestLiveIngestTokenId, revokeIngestTokens } from './ingest-tokens.queries.js';
import { findIntegrationByName, insertIntegration, lockIntegration, type IntegrationRow } from './integrations.queries.js';
import { parseDuration, parseSchedule, type Schedule } from './schedule.js';
import { generateToken, hashToken, tokenHint } from '../auth/tokens.js';

export interface CreateIntegrationInput {
  orgSlug: string;
  name: string;
  schedule: string;
  timeZone?: string;
  grace?: string;
  sourceSystem?: string;
  targetSystem?: string;
  requiredFields?: string[];
  /** Who creates it, for the audit log. */
  actor?: string;
}

function parseRequiredFields(fields: string[]): RecordField[] {
  const unknown = fields.filter((field) => !(RECORD_FIELDS as readonly string[]).includes(field));
  if (unknown.length > 0) {
    throw new InvalidInputError(`Unknown required field(s): ${unknown.join(', ')}. Choose from: ${RECORD_FIELDS.join(', ')}.`);
  }
  return [...new Set(fields)] as RecordField[];
}

export function scheduleOf(integration: IntegrationRow): Schedule {
  return integration.schedule_interval_seconds !== null
    ? { kind: 'interval', seconds: integration.schedule_interval_seconds }
    : { kind: 'cron', expression: integration.schedule_cron!, timeZone: integration.schedule_time_zone };
}

async function issueIngestToken(knex: Knex, integration: IntegrationRow): Promise<string> {
  const token = generateToken('ing', integration.org_id);
  await insertIngestToken(knex, integration.org_id, integration.id, hashToken(token), tokenHint(token));
  return token;
}

/** Creates an integration and its first ingest token; the token is returned once and only its hash is kept. */
export async function createIntegration(knex: Knex, input: CreateIntegrationInput): Promise<{ integration: IntegrationRow; token: string }> {
  const organisation = await requireOrganisation(knex, input.orgSlug);
  if (!input.name.trim()) throw new InvalidInputError('An integration needs a name (--name).');
  let schedule: Schedule;
  try {
    schedule = parseSchedule(input.schedule, input.timeZone ?? 'UTC');
  } catch (error) {
    throw new InvalidInputError(`Invalid --schedule/--tz: ${(error as Error).message}.`);
  }
  const graceSeconds = input.grace === undefined ? 600 : parseDuration(input.grace);
  if (graceSeconds === undefined) throw new InvalidInputError(`Invalid --grace '${input.grace}': use a duration such as 10m or 1h.`);
  const requiredFields = parseRequiredFields(input.requiredFields ?? [...DEFAULT_REQUIRED_FIELDS]);
  if (await findIntegrationByName(knex, organisation.id, input.name.trim())) {
    throw new ConflictError(`Organisation '${input.orgSlug}' has an integration named '${input.name.trim()}' already.`);
  }
  return knex.transaction(async (trx) => {
    const integration = await insertIntegration(trx, {
      org_id: organisation.id,
      name: input.name.trim(),
      source_system: input.sourceSystem ?? null,
      target_system: input.targetSystem ?? null,
      schedule_interval_seconds: schedule.kind === 'interval' ? schedule.seconds : null,
      schedule_cron: schedule.kind === 'cron' ? schedule.expression : null,
      schedule_time_zone: schedule.kind === 'cron' ? schedule.timeZone : (input.timeZone ?? 'UTC'),
      grace_seconds: graceSeconds,
      required_fields: requiredFields,
    });
    await recordAudit(trx, {
      orgId: organisation.id,
      actor: input.actor ?? 'cli',
      action: 'integration.created',
      targetType: 'integration',
      targetId: integration.id,
      details: { name: integration.name },
    });
    return { integration, token: await issueIngestToken(trx, integration) };
  });
}

/**
 * Revokes every ingest token of the integration and issues a new one, returned
 * once. A page says which token it meant to replace (`replaces`, 0 for none):
 * if another has been issued since (a reloaded page posting its form again,
 * another admin), nothing is rotated, so the token last shown stays the one in force.
 */
export async function rotateIngestTokenOf(knex: Knex, integration: IntegrationRow, by: Actor, replaces?: number): Promise<{ token: string; revoked: number }> {
  return knex.transaction(async (trx) => {
    await lockIntegration(trx, integration.org_id, integration.id);
    if (replaces !== undefined && (await newestLiveIngestTokenId(trx, integration.org_id, integration.id)) !== replaces) {
      throw new ConflictError(
        'This ingest token was rotated already since the page was loaded (a reload sends the form again, or another admin rotated it). The token shown last is the one in force.',
      );
    }
    const revoked = await revokeIngestTokens(trx, integration.org_id, integration.id);
    await recordAudit(trx, {
      orgId: integration.org_id,
      ...by,
      action: 'ingest_token.rotated',
      targetType: 'integration',
      targetId: integration.id,
      details: { revoked },
    });
    return { token: await issueIngestToken(trx, integration), revoked };
  });
}

/** The command line's rotation: the integration by organisation slug and name. */
export async function rotateIngestToken(knex: Knex, orgSlug: string, name: string): Promise<{ integration: IntegrationRow; token: string; revoked: number }> {
  const organisation = await requireOrganisation(knex, orgSlug);
  const integration = await findIntegrationByName(knex, organisation.id, name);
  if (!integration)
    throw new NotFoundError(`Organisation '${orgSlug}' has no integration named '${name}'. List them with: feedlog integration list --org ${orgSlug}`);
  return { integration, ...(await rotateIngestTokenOf(knex, integration, CLI)) };
}
