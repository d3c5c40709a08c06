import {
  type EventLogRow,
  type EventsApi,
  hasuraCode,
  type Invocation,
  type ScheduledEvent,
} from '../hasura/events-api.js'
import { parseHasuraTime } from './time.js'

export type DeliveryStatus = 'pending' | 'delivered' | 'failed'

/** Hasura keeps two flags; an event with neither is still pending (or being retried). */
export function eventStatus(row: Pick<EventLogRow, 'delivered' | 'error'>): DeliveryStatus {
  if (row.delivered) return 'delivered'
  if (row.error) return 'failed'
  return 'pending'
}

/** Cron events: scheduled/locked wait, delivered, error/dead (missed the tolerance) failed. */
export function cronStatus(status: string): DeliveryStatus {
  if (status === 'delivered') return 'delivered'
  if (status === 'error' || status === 'dead') return 'failed'
  return 'pending'
}

export interface Window {
  since?: Date
  until?: Date
}

export function inWindow(createdAt: string | null | undefined, w: Window): boolean {
  if (!w.since && !w.until) return true
  if (!createdAt) return false
  const t = parseHasuraTime(createdAt).getTime()
  if (w.since && t < w.since.getTime()) return false
  if (w.until && t > w.until.getTime()) return false
  return true
}

/**
 * Pages through pg_get_event_logs (newest first) keeping the events with `status` in the window.
 * Hasura only filters pending|processed: failed and delivered are told apart here (docs/hasura-compatibility.md "Event logs").
 * Stops at `limit` matches, at the end of the log, or once the page is older than `since`.
 */
export async function collectEvents(
  api: EventsApi,
  trigger: string,
  opts: Window & {
    status?: DeliveryStatus
    limit?: number
    pageSize?: number
    onPage?: (seen: number) => void
  },
): Promise<EventLogRow[]> {
  const pageSize = opts.pageSize ?? 500
  const serverStatus =
    opts.status === undefined ? undefined : opts.status === 'pending' ? 'pending' : 'processed'
  const out: EventLogRow[] = []
  let seen = 0
  for (let offset = 0; ; offset += pageSize) {
    let page: EventLogRow[]
    try {
      page = await api.eventLogs(trigger, {
        ...(serverStatus ? { status: serverStatus } : {}),
        limit: pageSize,
        offset,
      })
    } catch (err) {
      // Hasura answers 400 not-exists for a trigger it does not have (runGetEventLogs,
      // docs/hasura-compatibility.md "Event logs"): it has no events; the caller says why
      if (offset === 0 && hasuraCode(err) === 'not-exists') return []
      throw err
    }
    seen += page.length
    opts.onPage?.(seen)
    for (const row of page) {
      if (opts.status && eventStatus(row) !== opts.status) continue
      if (!inWindow(row.created_at, opts)) continue
      out.push(row)
      if (opts.limit !== undefined && out.length >= opts.limit) return out
    }
    if (page.length < pageSize) return out
    const oldest = page[page.length - 1]!
    if (opts.since && parseHasuraTime(oldest.created_at).getTime() < opts.since.getTime()) return out
  }
}

/** Cron events of one cron trigger with `status`, newest scheduled time first. */
export async function collectCronEvents(
  api: EventsApi,
  cron: string,
  opts: Window & { status?: DeliveryStatus; limit?: number; pageSize?: number },
): Promise<ScheduledEvent[]> {
  const pageSize = opts.pageSize ?? 500
  const status =
    opts.status === 'failed'
      ? (['error', 'dead'] as const)
      : opts.status === 'delivered'
        ? (['delivered'] as const)
        : opts.status === 'pending'
          ? (['scheduled', 'locked'] as const)
          : undefined
  const all: ScheduledEvent[] = []
  for (let offset = 0; ; offset += pageSize) {
    const page = await api.cronEvents({
      triggerName: cron,
      ...(status ? { status: [...status] } : {}),
      limit: pageSize,
      offset,
    })
    all.push(...page)
    if (page.length < pageSize) break
  }
  const kept = all
    .filter((e) => inWindow(e.scheduled_time, opts))
    .sort((a, b) => parseHasuraTime(b.scheduled_time).getTime() - parseHasuraTime(a.scheduled_time).getTime())
  return opts.limit === undefined ? kept : kept.slice(0, opts.limit)
}

/** The most recent invocation (Hasura returns them newest first; do not rely on it). */
export function lastInvocation(invocations: readonly Invocation[]): Invocation | undefined {
  let best: Invocation | undefined
  for (const inv of invocations) {
    if (!best || (inv.created_at ?? '') > (best.created_at ?? '')) best = inv
  }
  return best
}

export function httpStatusOf(inv: Invocation | undefined): number | undefined {
  if (!inv) return undefined
  const s = inv.http_status ?? inv.status
  return s === null || s === undefined ? undefined : s
}
