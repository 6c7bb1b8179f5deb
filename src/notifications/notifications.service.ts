/**
 * A person's email preferences (their own only, in the organisations they belong to),
 * their organisations' defaults for new members (admins), and the test email a person
 * sends themselves. Shared by the preferences page and the JSON API.
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { recordAudit } from '../audit/audit.queries.js';
import { actorOf, type Caller } from '../auth/caller.js';
import { requireAdminOf } from '../auth/roles.js';
import { type IntegrationRow, listIntegrationsOf } from '../integrations/integrations.queries.js';
import { listOrganisationsIn, type Organisation } from '../orgs/orgs.queries.js';
import type { Clock } from '../shared/clock.js';
import { InvalidInputError, NotFoundError } from '../shared/errors.js';
import { emailOf, footerFor } from '../email/compose.service.js';
import type { Mailer } from '../email/mailer.js';
import {
  insertTestDelivery,
  findOwnTestDelivery,
  listOrgDefaults,
  listOwnPreferences,
  type OrgDefaults,
  type OutboxRow,
  type OwnPreferences,
  type PreferenceFields,
  saveOrgDefaults,
} from './notifications.queries.js';
import { savePreferences } from '../email/preferences.queries.js';
import { sendClaimed } from '../email/sender.service.js';

/** The organisations a person has preferences in: their memberships (support belongs to none). */
const memberOrgIds = (caller: Caller) => [...caller.roles.keys()];

export interface OrgPreferences {
  organisation: Organisation;
  isAdmin: boolean;
  integrations: IntegrationRow[];
  /** The person's own preferences, or null: then they get no email from this organisation. */
  own: OwnPreferences | null;
  /** The organisation's default for new members, or null. */
  defaults: OrgDefaults | null;
}

/** The caller's preferences in each of their organisations, with what the page offers. */
export async function preferencesOf(knex: Knex, caller: Caller): Promise<OrgPreferences[]> {
  const orgIds = memberOrgIds(caller);
  if (orgIds.length === 0) return [];
  const [organisations, integrations, own, defaults] = await Promise.all([
    listOrganisationsIn(knex, orgIds),
    listIntegrationsOf(knex, orgIds),
    listOwnPreferences(knex, caller.userId, orgIds),
    listOrgDefaults(knex, orgIds),
  ]);
  return organisations.map((organisation) => ({
    organisation,
    isAdmin: caller.roles.get(organisation.id) === 'admin',
    integrations: integrations.filter((i) => i.org_id === organisation.id),
    own: own.find((p) => p.org_id === organisation.id) ?? null,
    defaults: defaults.find((d) => d.org_id === organisation.id) ?? null,
  }));
}

/** A test email the caller sent themselves, in one of their organisations. */
export async function ownTestDelivery(knex: Knex, caller: Caller, id: number): Promise<OutboxRow | undefined> {
  return findOwnTestDelivery(knex, caller.userId, memberOrgIds(caller), id);
}

/** A member's organisation; anyone else (support included: it belongs to none) gets a 404. */
export function requireMember(caller: Caller, orgId: number): void {
  if (!caller.roles.has(orgId)) throw new NotFoundError(`You are not a member of organisation ${orgId}, so you have no email preferences there.`);
}

/** Chosen integrations must be the organisation's own. */
async function checkIntegrations(knex: Knex, orgId: number, fields: PreferenceFields): Promise<void> {
  if (!fields.integration_ids) return;
  const known = new Set((await listIntegrationsOf(knex, [orgId])).map((i) => i.id));
  const unknown = fields.integration_ids.filter((id) => !known.has(id));
  if (unknown.length > 0)
    throw new InvalidInputError(
      `integration_ids: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not an integration' : 'are not integrations'} of this organisation.`,
    );
  if (fields.integration_ids.length === 0) throw new InvalidInputError('integration_ids: choose at least one integration, or every one.');
}

/** Saves the caller's own preferences in one of their organisations (and subscribes them again). */
export async function saveOwnPreferences(knex: Knex, caller: Caller, orgId: number, fields: PreferenceFields): Promise<OwnPreferences> {
  requireMember(caller, orgId);
  await checkIntegrations(knex, orgId, fields);
  await savePreferences(knex, orgId, caller.userId, fields);
  return (await listOwnPreferences(knex, caller.userId, [orgId]))[0]!;
}

/** An organisation the caller sees (404 otherwise) and is an admin of (403 otherwise). */
export function requireDefaultsAdmin(caller: Caller, orgId: number): void {
  if (!caller.orgIds.includes(orgId)) throw new NotFoundError(`No organisation ${orgId}.`);
  requireAdminOf(caller, orgId, 'set its email defaults');
}

/** An admin sets the organisation's default for the people added to it from now on. */
export async function saveDefaults(knex: Knex, caller: Caller, orgId: number, fields: PreferenceFields): Promise<void> {
  requireDefaultsAdmin(caller, orgId);
  await checkIntegrations(knex, orgId, fields);
  await knex.transaction(async (trx) => {
    await saveOrgDefaults(trx, orgId, caller.userId, fields);
    await recordAudit(trx, {
      orgId,
      ...actorOf(caller),
      action: 'email_defaults.changed',
      targetType: 'organisation',
      targetId: orgId,
      details: { ...fields },
    });
  });
}

export interface TestEmailResult {
  delivery: OutboxRow;
  /** Where it went: the SMTP server, or the outbox file (its name) when there is none. */
  via: 'smtp' | 'outbox';
}

/**
 * Sends the caller a test email at once, through the app's mailer, and records it as a
 * delivery of kind 'test' (sent, or failed with the SMTP server's error, which the page
 * shows; it is not retried: the person presses again).
 */
export async function sendTestEmail(
  knex: Knex,
  email: { mailer: Mailer; clock: Clock; publicUrl: string },
  caller: Caller,
  orgId: number,
): Promise<TestEmailResult> {
  requireMember(caller, orgId);
  const [organisation] = await listOrganisationsIn(knex, [orgId]);
  const now = email.clock.now();
  const claim = await insertTestDelivery(
    knex,
    orgId,
    caller.userId,
    `test:${now.toISOString()}:${randomBytes(6).toString('hex')}`,
    new Date(now.getTime() + 5 * 60_000),
  );
  const composed = emailOf(
    {
      subject: `feedlog test email for ${organisation!.name}`,
      title: `This is a test email from feedlog for ${organisation!.name}.`,
      intro: `You asked for it on your email preferences page. If you read this, summaries and alerts for ${organisation!.name} reach ${caller.email}.`,
      sections: [],
      footer: await footerFor(knex, claim, email.publicUrl),
    },
    { email: caller.email },
  );
  await sendClaimed(knex, claim, composed.email, { mailer: email.mailer, clock: email.clock, retry: false });
  return { delivery: (await findOwnTestDelivery(knex, caller.userId, [orgId], claim.id))!, via: email.mailer.kind };
}
