/** The API's view of a person's preferences in one organisation. */
import type { OwnPreferences } from './notifications.queries.js';
import type { OrgPreferences } from './notifications.service.js';
import { ALERT_KINDS } from './notifications.schemas.js';

type AlertKind = (typeof ALERT_KINDS)[number];

/** One organisation's preferences as the API shows them (ids as strings, times RFC 3339 UTC). */
export function toPreferencesItem(organisation: OrgPreferences['organisation'], own: OwnPreferences | null) {
  return {
    organisation: { id: String(organisation.id), slug: organisation.slug, name: organisation.name },
    receives_email: own !== null && own.unsubscribed_at === null,
    preferences: own
      ? {
          integration_ids: own.integration_ids?.map(String) ?? null,
          frequency: own.frequency,
          local_time: own.local_time,
          weekday: own.weekday,
          min_severity: own.min_severity,
          empty_summary: own.empty_summary,
          alerts: own.alerts.filter((kind): kind is AlertKind => (ALERT_KINDS as readonly string[]).includes(kind)),
          alert_after_failures: own.alert_after_failures,
          alert_repeat: own.alert_repeat,
        }
      : null,
    unsubscribed_at: own?.unsubscribed_at?.toISOString() ?? null,
    updated_at: own?.updated_at.toISOString() ?? null,
  };
}
