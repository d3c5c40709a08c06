import type { EventLogRow, EventsApi, ScheduledEvent } from '../hasura/events-api.js'
import { lastHttpStatuses, mapBounded } from './bulk.js'
import { cronStatus, type DeliveryStatus, eventStatus, httpStatusOf, lastInvocation } from './log.js'

/** One line of `events` (and of the console's event list): what tells whether deliveries work. */
export interface EventSummary {
  id: string
  op: string
  created_at: string
  status: DeliveryStatus
  attempts: number
  last_http_status: number | null
}

/**
 * Event-log rows with the HTTP status of their last attempt: one call for the whole page when the
 * server answers run_sql (else one event-by-id read per tried event, 8 at once).
 */
export async function summarizeEvents(api: EventsApi, rows: readonly EventLogRow[]): Promise<EventSummary[]> {
  const statuses = await lastHttpStatuses(api, rows)
  return rows.map((row) => ({
    id: row.id,
    op: String((row.payload as { op?: unknown } | null)?.op ?? '?'),
    created_at: row.created_at,
    status: eventStatus(row),
    attempts: row.tries,
    last_http_status: statuses.get(row.id) ?? null,
  }))
}

/** Cron events with the HTTP status of their last attempt. */
export function summarizeCronEvents(
  api: EventsApi,
  events: readonly ScheduledEvent[],
): Promise<EventSummary[]> {
  return mapBounded(events, 8, async (e) => {
    const inv = e.tries > 0 ? lastInvocation(await api.scheduledInvocations('cron', e.id)) : undefined
    return {
      id: e.id,
      op: 'CRON',
      created_at: e.scheduled_time,
      status: cronStatus(e.status),
      attempts: e.tries,
      last_http_status: httpStatusOf(inv) ?? null,
    }
  })
}
