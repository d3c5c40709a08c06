import pLimit from 'p-limit'
import { type EventLogRow, type EventsApi, hasuraCode } from '../hasura/events-api.js'
import { type DeliveryStatus, eventStatus, httpStatusOf, lastInvocation } from './log.js'

export interface RedeliverResult {
  id: string
  ok: boolean
  /** why it failed: Hasura's message, made readable */
  reason?: string
}

/** Hasura's refusals of pg_redeliver_event, as a user reads them. */
export function redeliverReason(err: unknown): string {
  const code = hasuraCode(err)
  if (code === 'busy')
    return 'Hasura is delivering it right now (locked in the last 30 minutes); try again later'
  if (code === 'not-exists') return 'no such event on the server (deleted, or another source?)'
  return (err as Error)?.message ?? String(err)
}

/** Runs `job` for every item with at most `concurrency` in flight; never rejects. */
export async function runBounded<T>(
  items: readonly T[],
  concurrency: number,
  job: (item: T) => Promise<void>,
  onDone?: (item: T, ok: boolean, err?: unknown) => void,
): Promise<{ item: T; ok: boolean; err?: unknown }[]> {
  const limit = pLimit(Math.max(1, concurrency))
  return Promise.all(
    items.map((item) =>
      limit(async () => {
        try {
          await job(item)
          onDone?.(item, true)
          return { item, ok: true }
        } catch (err) {
          onDone?.(item, false, err)
          return { item, ok: false, err }
        }
      }),
    ),
  )
}

export async function redeliverAll(
  api: EventsApi,
  ids: readonly string[],
  concurrency: number,
  onDone?: (ok: boolean) => void,
): Promise<RedeliverResult[]> {
  const results = await runBounded(
    ids,
    concurrency,
    (id) => api.redeliver(id),
    (_id, ok) => onDone?.(ok),
  )
  return results.map((r) =>
    r.ok ? { id: r.item, ok: true } : { id: r.item, ok: false, reason: redeliverReason(r.err) },
  )
}

export interface Outcome {
  status: DeliveryStatus
  tries: number
  /** the last attempt's HTTP status, when it got an answer */
  http_status?: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Follows a redelivered event (pg_get_event_by_id) until it is delivered or failed. Right after a
 * redeliver the event is pending with tries 0; retries in between keep it pending.
 */
export async function waitForOutcome(
  api: EventsApi,
  id: string,
  opts: { timeoutMs: number; intervalMs?: number },
): Promise<Outcome | undefined> {
  const deadline = Date.now() + opts.timeoutMs
  let interval = opts.intervalMs ?? 250
  for (;;) {
    const { event, invocations } = await api.eventById(id, 1)
    const status = eventStatus(event)
    if (status !== 'pending') {
      const inv = invocations[0]
      const http = inv ? (inv.http_status ?? inv.status ?? undefined) : undefined
      return { status, tries: event.tries, ...(http != null ? { http_status: http } : {}) }
    }
    if (Date.now() >= deadline) return undefined
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now())))
    interval = Math.min(interval * 1.5, 2000)
  }
}

/** `items.map(fn)` with at most `concurrency` calls in flight; rejects on the first failure. */
export function mapBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const limit = pLimit(Math.max(1, concurrency))
  return Promise.all(items.map((item) => limit(() => fn(item))))
}

/**
 * Follows many redelivered events of one trigger by paging its log (cheaper than one
 * pg_get_event_by_id per event) until none of them is pending or the time is up.
 */
export async function waitForMany(
  api: EventsApi,
  trigger: string,
  ids: readonly string[],
  opts: { timeoutMs: number; intervalMs?: number; pageSize?: number },
): Promise<Map<string, DeliveryStatus>> {
  const wanted = new Set(ids)
  const result = new Map<string, DeliveryStatus>()
  const deadline = Date.now() + opts.timeoutMs
  const pageSize = opts.pageSize ?? 1000
  for (;;) {
    for (const id of wanted) result.set(id, 'pending')
    let found = 0
    for (let offset = 0; found < wanted.size; offset += pageSize) {
      const page = await api.eventLogs(trigger, { limit: pageSize, offset })
      for (const row of page) {
        if (!wanted.has(row.id)) continue
        found++
        result.set(row.id, eventStatus(row))
      }
      if (page.length < pageSize) break
    }
    const pending = [...result.values()].filter((st) => st === 'pending').length
    if (pending === 0 || Date.now() >= deadline) return result
    await sleep(Math.min(opts.intervalMs ?? 300, Math.max(0, deadline - Date.now())))
  }
}

/**
 * The last HTTP status of each listed event that was tried: one call for the whole page when the
 * server answers run_sql, else one pg_get_event_by_id per tried event (8 at a time).
 */
export async function lastHttpStatuses(
  api: EventsApi,
  rows: readonly Pick<EventLogRow, 'id' | 'tries'>[],
): Promise<Map<string, number | null>> {
  const tried = rows.filter((r) => r.tries > 0).map((r) => r.id)
  const batched =
    tried.length === 0 ? new Map<string, number | null>() : await api.lastInvocationStatuses(tried)
  if (batched) return batched
  const out = new Map<string, number | null>()
  await mapBounded(tried, 8, async (id) => {
    const inv = lastInvocation((await api.eventById(id)).invocations)
    if (inv) out.set(id, httpStatusOf(inv) ?? null)
  })
  return out
}
