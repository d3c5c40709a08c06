import * as z from 'zod'
import type { EventsApi, Invocation } from '../hasura/events-api.js'
import { stringifyExact } from '../output/exact-json.js'
import { cronStatus, type DeliveryStatus } from './log.js'

/**
 * One-off scheduled events: Hasura cannot redeliver a cron event, so a cron event is replayed as a
 * one-off scheduled event (docs/hasura-compatibility.md). These read them back through
 * get_scheduled_events / get_scheduled_event_invocations with `type: one_off`.
 */

const oneOffRow = z
  .object({
    id: z.string(),
    scheduled_time: z.string(),
    status: z.string(),
    tries: z.number(),
    created_at: z.string().nullish(),
    comment: z.string().nullish(),
    payload: z.unknown().optional(),
  })
  .loose()
export type OneOffEvent = z.output<typeof oneOffRow>

const PAGE = 500

/** Every one-off scheduled event whose id is in `ids`, paging through the server's list. */
export async function oneOffEvents(
  api: EventsApi,
  ids: readonly string[],
): Promise<Map<string, OneOffEvent>> {
  const want = new Set(ids)
  const out = new Map<string, OneOffEvent>()
  for (let offset = 0; out.size < want.size; offset += PAGE) {
    const r = await api.call('get_scheduled_events', { type: 'one_off', limit: PAGE, offset })
    const page = z
      .object({ events: z.array(oneOffRow) })
      .loose()
      .parse(r).events
    for (const e of page) if (want.has(e.id)) out.set(e.id, e)
    if (page.length < PAGE) break
  }
  return out
}

export interface OneOffOutcome {
  id: string
  /** the server's status (scheduled, locked, delivered, error, dead) or `missing` */
  state: string
  status: DeliveryStatus
  attempts: number
  /** the last attempt's HTTP status and response body, when it was made */
  http?: number
  body?: string
}

/** Where each one-off event stands now, with its last attempt's answer. */
async function oneOffOutcomes(api: EventsApi, ids: readonly string[]): Promise<OneOffOutcome[]> {
  const found = await oneOffEvents(api, ids)
  return Promise.all(
    ids.map(async (id): Promise<OneOffOutcome> => {
      const e = found.get(id)
      if (!e) return { id, state: 'missing', status: 'failed', attempts: 0 }
      const out: OneOffOutcome = { id, state: e.status, status: cronStatus(e.status), attempts: e.tries }
      if (e.tries === 0) return out
      const last = lastAttempt(await api.scheduledInvocations('one_off', id).catch(() => []))
      if (last?.http !== undefined) out.http = last.http
      if (last?.body !== undefined) out.body = last.body
      return out
    }),
  )
}

/** Polls until every one-off event is delivered or failed, or the time is up. */
export async function followOneOffs(
  api: EventsApi,
  ids: readonly string[],
  timeoutMs: number,
): Promise<OneOffOutcome[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = await oneOffEvents(api, ids)
    const open = ids.filter((id) => {
      const e = found.get(id)
      return e !== undefined && cronStatus(e.status) === 'pending'
    })
    if (open.length === 0 || Date.now() > deadline) return oneOffOutcomes(api, ids)
    await new Promise((r) => setTimeout(r, 300))
  }
}

function lastAttempt(invocations: Invocation[]): { http?: number; body?: string } | undefined {
  const last = [...invocations]
    .sort((a, b) => String(a.created_at ?? '').localeCompare(String(b.created_at ?? '')))
    .at(-1)
  if (!last) return undefined
  const http = last.http_status ?? last.status ?? undefined
  const data = (last.response as { data?: { body?: unknown; message?: unknown } } | null)?.data
  const raw = data?.body ?? data?.message
  const out: { http?: number; body?: string } = {}
  if (typeof http === 'number') out.http = http
  if (raw !== undefined) out.body = typeof raw === 'string' ? raw : stringifyExact(raw)
  return out
}

/** One line: what became of a replayed cron event. */
export function outcomeLine(o: OneOffOutcome): string {
  if (o.state === 'missing') return `one-off event ${o.id} is not on the server`
  const answer = o.http !== undefined ? `, HTTP ${o.http}` : ''
  const body = o.status === 'failed' && o.body ? `: ${o.body.slice(0, 200)}` : ''
  const tries = `${o.attempts} attempt${o.attempts === 1 ? '' : 's'}`
  if (o.status === 'pending') return `one-off event ${o.id} still ${o.state} (${tries}${answer})`
  return `one-off event ${o.id} ${o.status === 'delivered' ? 'delivered' : `failed (${o.state})`}: ${tries}${answer}${body}`
}
