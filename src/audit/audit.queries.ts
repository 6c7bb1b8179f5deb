import type { Knex } from 'knex';

export interface AuditEvent {
  /** The organisation concerned; 0 when the change concerns no single organisation. */
  orgId: number;
  actorUserId?: number | null;
  /** Who acted, readable: "cli" or a user's email. */
  actor: string;
  action: string;
  targetType: string;
  targetId: string | number;
  details?: Record<string, unknown>;
}

/** Who made a change: the CLI, or a signed-in person (their email and user id). */
export type Actor = { actor: 'cli' } | { actor: string; actorUserId: number };

export const CLI: Actor = { actor: 'cli' };

export async function recordAudit(knex: Knex, event: AuditEvent): Promise<void> {
  await knex('audit_events').insert({
    org_id: event.orgId,
    actor_user_id: event.actorUserId ?? null,
    actor: event.actor,
    action: event.action,
    target_type: event.targetType,
    target_id: String(event.targetId),
    details: JSON.stringify(event.details ?? {}),
  });
}

export interface AuditEntry {
  id: number;
  occurred_at: Date;
  actor: string;
  action: string;
  details: Record<string, unknown>;
}

/** The latest `limit` audit events of one object, newest first (audit_events_by_target). */
export async function auditTrailOf(knex: Knex, orgId: number, targetType: string, targetId: string | number, limit: number): Promise<AuditEntry[]> {
  return knex('audit_events')
    .select('id', 'occurred_at', 'actor', 'action', 'details')
    .where({ org_id: orgId, target_type: targetType, target_id: String(targetId) })
    .orderBy('id', 'desc')
    .limit(limit);
}
