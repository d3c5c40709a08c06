import * as z from 'zod'
import { hasEventLog } from '../catalog.js'
import type { Core } from '../core.js'
import { compactJson } from '../delivery.js'
import { notExists } from '../errors.js'
import { findTrigger, type JsonObject } from '../metadata/model.js'
import { parseWith } from '../metadata/parse.js'
import { RawJson } from '../raw-json.js'
import { getSource } from '../store.js'
import { utcTime } from '../time.js'

// pg_get_event_logs, pg_get_event_invocation_logs, pg_get_event_by_id

const eventLogsArgs = z
  .object({
    source: z.string().default('default'),
    name: z.string(),
    status: z.enum(['pending', 'processed']).optional(),
    limit: z.number().int().nonnegative().default(100),
    offset: z.number().int().nonnegative().default(0),
  })
  .loose()
const invocationLogsArgs = z
  .object({
    source: z.string().default('default'),
    name: z.string(),
    limit: z.number().int().nonnegative().default(100),
    offset: z.number().int().nonnegative().default(0),
  })
  .loose()
const eventByIdArgs = z
  .object({
    source: z.string().default('default'),
    event_id: z.string(),
    invocation_log_limit: z.number().int().nonnegative().default(100),
    invocation_log_offset: z.number().int().nonnegative().default(0),
  })
  .loose()

const EVENT_COLS = `id, schema_name, table_name, trigger_name, payload::text AS payload, delivered, error, tries,
  created_at::text AS created_at, (locked AT TIME ZONE 'UTC')::text AS locked, next_retry_at::text AS next_retry_at, archived`

/** An event_log row as EVENT_COLS reads it. */
interface EventLogRow {
  id: string
  schema_name: string
  table_name: string
  trigger_name: string
  payload: unknown
  delivered: boolean
  error: boolean
  tries: number
  created_at: string | null
  locked: string | null
  next_retry_at: string | null
  archived: boolean
}

function eventRow(r: EventLogRow) {
  return {
    id: r.id,
    schema_name: r.schema_name,
    table_name: r.table_name,
    trigger_name: r.trigger_name,
    payload: rawJson(r.payload),
    delivered: r.delivered,
    error: r.error,
    tries: r.tries,
    // Hasura's EventLog fields are UTCTime: aeson writes them with a trailing Z
    created_at: utcTime(r.created_at),
    locked: utcTime(r.locked),
    next_retry_at: utcTime(r.next_retry_at),
    archived: r.archived,
  }
}

const INVOCATION_COLS = `id, trigger_name, event_id, status, request::text AS request, response::text AS response,
  created_at::text AS created_at`
interface InvocationRow {
  id: string
  trigger_name: string
  event_id: string
  status: number | null
  request: unknown
  response: unknown
  created_at: string | null
}

/** Stored JSON sent as it is: a payload's int8 and numeric values keep their digits. */
export const rawJson = (v: unknown) => (typeof v === 'string' ? new RawJson(compactJson(v)) : v)

function invocationRow(r: InvocationRow) {
  const j = rawJson
  return {
    id: r.id,
    trigger_name: r.trigger_name,
    event_id: r.event_id,
    http_status: r.status,
    request: j(r.request),
    response: j(r.response),
    created_at: utcTime(r.created_at),
  }
}

export async function eventLogs(core: Core, a: JsonObject) {
  const p = parseWith(eventLogsArgs, a)
  assertTrigger(core, p.source, p.name)
  if (!(await hasEventLog(core.db))) return []
  const where =
    p.status === 'pending'
      ? `AND delivered = false AND error = false AND archived = false`
      : p.status === 'processed'
        ? `AND (delivered = true OR error = true) AND archived = false`
        : ''
  const { rows } = await core.db.query<EventLogRow>(
    `SELECT ${EVENT_COLS} FROM hdb_catalog.event_log WHERE trigger_name = $1 ${where}
      ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`,
    [p.name, p.limit, p.offset],
  )
  return rows.map(eventRow)
}

export async function invocationLogs(core: Core, a: JsonObject) {
  const p = parseWith(invocationLogsArgs, a)
  assertTrigger(core, p.source, p.name)
  if (!(await hasEventLog(core.db))) return []
  const { rows } = await core.db.query<InvocationRow>(
    `SELECT ${INVOCATION_COLS} FROM hdb_catalog.event_invocation_logs WHERE trigger_name = $1
      ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`,
    [p.name, p.limit, p.offset],
  )
  return rows.map(invocationRow)
}

export async function eventById(core: Core, a: JsonObject) {
  const p = parseWith(eventByIdArgs, a)
  getSource(core.state.metadata, p.source)
  const { rows } = await core.db.query<EventLogRow>(
    `SELECT ${EVENT_COLS} FROM hdb_catalog.event_log WHERE id = $1`,
    [p.event_id],
  )
  if (!rows[0]) throw notExists(`event id ${p.event_id} does not exist`)
  const inv = await core.db.query<InvocationRow>(
    `SELECT ${INVOCATION_COLS} FROM hdb_catalog.event_invocation_logs WHERE event_id = $1
      ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`,
    [p.event_id, p.invocation_log_limit, p.invocation_log_offset],
  )
  return { event: eventRow(rows[0]), invocations: inv.rows.map(invocationRow) }
}

/** Logs of an unknown trigger: 400 (`runGetEventLogs`, `runGetEventInvocationLogs` in Hasura's `RQL/DDL/EventTrigger.hs`). */
function assertTrigger(core: Core, source: string, name: string) {
  getSource(core.state.metadata, source)
  if (!findTrigger(core.state.metadata, source, name))
    throw notExists(`event trigger "${name}" does not exist`)
}
