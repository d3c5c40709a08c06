import * as z from 'zod'
import type { Core } from '../core.js'
import { notExists, parseFailed } from '../errors.js'
import { headerConf } from '../metadata/event-triggers.js'
import type { JsonObject } from '../metadata/model.js'
import { parseWith } from '../metadata/parse.js'
import { stringify } from '../raw-json.js'
import { utcJson, utcTime } from '../time.js'
import { SUCCESS } from './context.js'
import { rawJson } from './event-logs.js'

// create_scheduled_event, get_scheduled_events, delete_scheduled_event,
// get_scheduled_event_invocations (get_event_invocations)

const scheduledEventArgs = z
  .object({
    webhook: z.string(),
    schedule_at: z.string(),
    payload: z.unknown().optional(),
    headers: z.array(headerConf).nullish(),
    retry_conf: z
      .object({
        num_retries: z.number().int().optional(),
        retry_interval_seconds: z.number().int().optional(),
        timeout_seconds: z.number().int().optional(),
        tolerance_seconds: z.number().int().optional(),
      })
      .loose()
      .nullish(),
    comment: z.string().nullish(),
    request_transform: z.record(z.string(), z.unknown()).nullish(),
    response_transform: z.record(z.string(), z.unknown()).nullish(),
  })
  .loose()
const getScheduledEventsArgs = z
  .object({
    type: z.enum(['one_off', 'cron']),
    trigger_name: z.string().optional(),
    limit: z.number().int().nonnegative().optional(),
    offset: z.number().int().nonnegative().default(0),
    get_rows_count: z.boolean().default(false),
    status: z.array(z.enum(['scheduled', 'locked', 'delivered', 'error', 'dead'])).default([]),
  })
  .loose()

export async function createScheduledEvent(core: Core, a: JsonObject) {
  const p = parseWith(scheduledEventArgs, a)
  const at = new Date(p.schedule_at)
  if (Number.isNaN(at.getTime())) throw parseFailed('could not parse timestamp', '$.args.schedule_at')
  const { rows } = await core.db.query<{ id: string }>(
    `INSERT INTO hdb_catalog.hdb_scheduled_events
       (webhook_conf, scheduled_time, payload, retry_conf, header_conf, comment, request_transform, response_transform)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [
      JSON.stringify(p.webhook),
      at.toISOString(),
      stringify(p.payload ?? null),
      JSON.stringify({
        num_retries: 0,
        retry_interval_seconds: 10,
        timeout_seconds: 60,
        tolerance_seconds: 21600,
        ...(p.retry_conf ?? {}),
      }),
      JSON.stringify(p.headers ?? []),
      p.comment ?? null,
      p.request_transform ? JSON.stringify(p.request_transform) : null,
      p.response_transform ? JSON.stringify(p.response_transform) : null,
    ],
  )
  core.hooks.onMetadataChange()
  return { event_id: rows[0]!.id }
}

export async function getScheduledEvents(core: Core, a: JsonObject) {
  const p = parseWith(getScheduledEventsArgs, a)
  const statusFilter = p.status.length > 0 ? `AND status = ANY($2)` : `AND $2::text[] IS NOT NULL`
  const limit = p.limit !== undefined ? `LIMIT ${p.limit}` : ''
  const count = async (table: string, extra: string, params: unknown[]) =>
    p.get_rows_count
      ? {
          count: (
            await core.db.query(`SELECT count(*)::int AS n FROM hdb_catalog.${table} WHERE ${extra}`, params)
          ).rows[0].n,
        }
      : {}
  if (p.type === 'cron') {
    const where = `($1::text IS NULL OR trigger_name = $1) ${statusFilter}`
    const params = [p.trigger_name ?? null, p.status]
    const { rows } = await core.db.query(
      `SELECT id, trigger_name, ${TIMES.scheduled}, status, tries, ${TIMES.created}, ${TIMES.retry}
         FROM hdb_catalog.hdb_cron_events WHERE ${where}
        ORDER BY scheduled_time ASC, id ${limit} OFFSET ${p.offset}`,
      params,
    )
    const events = rows.map((r) => ({ ...r, ...timesOf(r) }))
    return { events, ...(await count('hdb_cron_events', where, params)) }
  }
  const where = `$1::text IS NULL ${statusFilter}`
  const params = [null, p.status]
  const { rows } = await core.db.query(
    `SELECT id, webhook_conf, ${TIMES.scheduled}, retry_conf, payload::text AS payload, header_conf, status, tries,
            ${TIMES.created}, ${TIMES.retry}, comment, request_transform, response_transform
       FROM hdb_catalog.hdb_scheduled_events WHERE ${where}
      ORDER BY scheduled_time ASC, id ${limit} OFFSET ${p.offset}`,
    params,
  )
  const events = rows.map((r) => ({ ...r, payload: rawJson(r.payload), ...timesOf(r) }))
  return { events, ...(await count('hdb_scheduled_events', where, params)) }
}

export async function deleteScheduledEvent(core: Core, a: JsonObject) {
  const p = parseWith(z.object({ type: z.enum(['one_off', 'cron']), event_id: z.string() }).loose(), a)
  const table = p.type === 'cron' ? 'hdb_cron_events' : 'hdb_scheduled_events'
  const { rows } = await core.db.query(`DELETE FROM hdb_catalog.${table} WHERE id = $1 RETURNING id`, [
    p.event_id,
  ])
  if (rows.length === 0) throw notExists(`event id "${p.event_id}" does not exist`)
  return SUCCESS
}

export async function scheduledInvocations(core: Core, a: JsonObject) {
  const p = parseWith(
    z
      .object({
        type: z.enum(['one_off', 'cron']),
        event_id: z.string().optional(),
        trigger_name: z.string().optional(),
        limit: z.number().int().optional(),
        offset: z.number().int().default(0),
      })
      .loose(),
    a,
  )
  const log = p.type === 'cron' ? 'hdb_cron_event_invocation_logs' : 'hdb_scheduled_event_invocation_logs'
  const ev = p.type === 'cron' ? 'hdb_cron_events' : 'hdb_scheduled_events'
  // one event's attempts, or (cron) one trigger's, or all of them
  const byTrigger = p.type === 'cron' ? '($2::text IS NULL OR e.trigger_name = $2)' : '$2::text IS NULL'
  const { rows } = await core.db.query(
    `SELECT l.id, l.event_id, l.status, l.request::text AS request, l.response::text AS response,
            l.created_at::text AS created_at
       FROM hdb_catalog.${log} l JOIN hdb_catalog.${ev} e ON e.id = l.event_id
      WHERE ($1::text IS NULL OR l.event_id = $1) AND ${byTrigger}
      ORDER BY l.created_at DESC ${p.limit !== undefined ? `LIMIT ${p.limit}` : ''} OFFSET ${p.offset}`,
    [p.event_id ?? null, p.type === 'cron' ? (p.trigger_name ?? null) : null],
  )
  const j = rawJson
  return {
    invocations: rows.map((r) => ({ ...r, request: j(r.request), response: j(r.response), ...timesOf(r) })),
  }
}

/** Timestamps read as text, so the microseconds Hasura shows are kept. */
const TIMES = {
  scheduled: 'scheduled_time::text AS scheduled_time',
  created: 'created_at::text AS created_at',
  retry: 'next_retry_at::text AS next_retry_at',
}

/** Hasura's UTCTime JSON: fraction in groups of 3 digits, trailing Z. */
function timesOf(r: JsonObject) {
  const iso = (v: unknown) => (v instanceof Date ? utcJson(v) : v == null ? v : utcTime(String(v)))
  const o: JsonObject = {}
  for (const k of ['scheduled_time', 'created_at', 'next_retry_at']) if (k in r) o[k] = iso(r[k])
  return o
}
