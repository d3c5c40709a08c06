import type { EventLogRow, EventsApi } from '../hasura/events-api.js'
import { type DeliveryStatus, eventStatus, type Window } from './log.js'
import { parseHasuraTime } from './time.js'

/**
 * Where each trigger's log continues: the offset (in pg_get_event_logs' newest-first order, with
 * the same server-side status filter) of its next row not yet shown; -1 once a log is used up.
 */
export type PageCursor = Record<string, number>

export interface EventPage {
  rows: EventLogRow[]
  /** undefined on the last page */
  next?: PageCursor
}

/** Hasura filters its logs by pending|processed only; delivered and failed are told apart here. */
function serverStatus(status: DeliveryStatus | undefined): 'pending' | 'processed' | undefined {
  if (status === undefined) return undefined
  return status === 'pending' ? 'pending' : 'processed'
}

const MAX_CHUNK = 500

class Scanner {
  #buffer: { row: EventLogRow; at: number; pos: number }[] = []
  #fetchAt: number
  #done: boolean
  #chunk: number

  constructor(
    readonly api: EventsApi,
    readonly trigger: string,
    start: number,
    readonly opts: Window & { status?: DeliveryStatus; chunk: number },
  ) {
    this.#fetchAt = Math.max(0, start)
    this.#done = start < 0
    this.#chunk = opts.chunk
  }

  /** The next matching row of this log, fetched a chunk at a time. */
  async peek(): Promise<{ row: EventLogRow; at: number; pos: number } | undefined> {
    while (this.#buffer.length === 0 && !this.#done) {
      const status = serverStatus(this.opts.status)
      const page = await this.api.eventLogs(this.trigger, {
        ...(status ? { status } : {}),
        limit: this.#chunk,
        offset: this.#fetchAt,
      })
      const base = this.#fetchAt
      this.#fetchAt += page.length
      if (page.length < this.#chunk) this.#done = true
      for (const [i, row] of page.entries()) {
        const at = parseHasuraTime(row.created_at).getTime()
        if (this.opts.since && at < this.opts.since.getTime()) {
          // newest first: everything after this row is older still
          this.#done = true
          break
        }
        if (this.opts.until && at > this.opts.until.getTime()) continue
        if (this.opts.status && eventStatus(row) !== this.opts.status) continue
        this.#buffer.push({ row, at, pos: base + i })
      }
      // a filter that matches little reads further ahead with each request
      this.#chunk = Math.min(this.#chunk * 2, MAX_CHUNK)
    }
    return this.#buffer[0]
  }

  take(): void {
    this.#buffer.shift()
  }

  /** The cursor value: the position of the next row to show, or -1 when none is left. */
  async position(): Promise<number> {
    const next = await this.peek()
    return next ? next.pos : -1
  }
}

/**
 * One page of the events of one or several event triggers, newest first, filtered by status and
 * time, read from the metadata API's event logs with limit/offset: only about one page per log is
 * fetched, however long the logs are. Several logs are merged by creation time.
 */
export async function pageEvents(
  api: EventsApi,
  triggers: readonly string[],
  opts: Window & { status?: DeliveryStatus; limit: number; cursor?: PageCursor },
): Promise<EventPage> {
  const chunk = Math.min(Math.max(opts.limit + 1, 20), MAX_CHUNK)
  const scanners = triggers.map(
    (t) =>
      new Scanner(api, t, opts.cursor?.[t] ?? 0, {
        ...(opts.since ? { since: opts.since } : {}),
        ...(opts.until ? { until: opts.until } : {}),
        ...(opts.status ? { status: opts.status } : {}),
        chunk,
      }),
  )
  const rows: EventLogRow[] = []
  while (rows.length < opts.limit) {
    let best: { s: Scanner; at: number; row: EventLogRow } | undefined
    for (const s of scanners) {
      const head = await s.peek()
      if (!head) continue
      if (!best || head.at > best.at || (head.at === best.at && head.row.id > best.row.id))
        best = { s, at: head.at, row: head.row }
    }
    if (!best) break
    rows.push(best.row)
    best.s.take()
  }
  const next: PageCursor = {}
  let more = false
  for (const s of scanners) {
    const pos = await s.position()
    next[s.trigger] = pos
    if (pos >= 0) more = true
  }
  return more ? { rows, next } : { rows }
}

/** Pending, delivered and failed events of a trigger in a window (pages through its log). */
export async function countEvents(
  api: EventsApi,
  trigger: string,
  window: Window,
  pageSize = 1000,
): Promise<Record<DeliveryStatus, number>> {
  const counts: Record<DeliveryStatus, number> = { pending: 0, delivered: 0, failed: 0 }
  const s = new Scanner(api, trigger, 0, { ...window, chunk: pageSize })
  for (;;) {
    const head = await s.peek()
    if (!head) return counts
    counts[eventStatus(head.row)]++
    s.take()
  }
}
