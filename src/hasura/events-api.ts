import * as z from 'zod'
import { type ColumnInfo, tableKey } from '../model/columns.js'
import type { TableRef } from '../model/types.js'
import { columnsThroughRunSql, type SqlCall } from './introspect.js'

/**
 * Typed event-log calls of the metadata API (docs/hasura-compatibility.md "Event logs"), over a request function that sends
 * `{type, args}` to /v1/metadata and returns the parsed body or throws with Hasura's `code`.
 */
export type MetadataCall = (type: string, args: Record<string, unknown>) => Promise<unknown>

/** What pg_get_event_logs / pg_get_event_by_id return for one event. */
export interface EventLogRow {
  id: string
  schema_name: string
  table_name: string
  trigger_name: string
  payload: unknown
  delivered: boolean
  error: boolean
  tries: number
  created_at: string
  locked?: string | null
  next_retry_at?: string | null
  archived?: boolean
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const eventRow = z
  .object({
    id: z.string(),
    schema_name: z.string(),
    table_name: z.string(),
    trigger_name: z.string(),
    payload: z.unknown(),
    delivered: z.boolean(),
    error: z.boolean(),
    tries: z.number(),
    created_at: z.string(),
    locked: z.string().nullish(),
    next_retry_at: z.string().nullish(),
    archived: z.boolean().optional(),
  })
  .loose()

const invocation = z
  .object({
    id: z.string(),
    event_id: z.string().nullish(),
    trigger_name: z.string().nullish(),
    http_status: z.number().nullish(),
    status: z.number().nullish(),
    request: z.unknown(),
    response: z.unknown(),
    created_at: z.string().nullish(),
  })
  .loose()
export type Invocation = z.output<typeof invocation>

const eventById = z.object({ event: eventRow, invocations: z.array(invocation) }).loose()
export type EventWithInvocations = { event: EventLogRow; invocations: Invocation[] }

const scheduledEvent = z
  .object({
    id: z.string(),
    name: z.string().nullish(),
    trigger_name: z.string().nullish(),
    scheduled_time: z.string(),
    status: z.string(),
    tries: z.number(),
    created_at: z.string().nullish(),
    next_retry_at: z.string().nullish(),
    payload: z.unknown().optional(),
  })
  .loose()
export type ScheduledEvent = z.output<typeof scheduledEvent>

const cronTrigger = z
  .object({
    name: z.string(),
    webhook: z.string(),
    schedule: z.string(),
    payload: z.unknown().optional(),
    headers: z.array(z.record(z.string(), z.unknown())).nullish(),
    retry_conf: z.record(z.string(), z.unknown()).nullish(),
    comment: z.string().nullish(),
  })
  .loose()
export type CronTriggerInfo = z.output<typeof cronTrigger>

export type CronEventStatus = 'scheduled' | 'locked' | 'delivered' | 'error' | 'dead'

function check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value)
  if (r.success) return r.data
  const issue = r.error.issues[0]
  throw new Error(
    `unexpected ${what} response from Hasura: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? ''}`,
  )
}

/** Hasura's error `code` (not-exists, busy, ...) carried by a failed request, if any. */
export function hasuraCode(err: unknown): string | undefined {
  let e: unknown = err
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const o = e as { code?: unknown; hasuraCode?: unknown; body?: { code?: unknown }; cause?: unknown }
    for (const c of [o.hasuraCode, o.body?.code, o.code])
      if (typeof c === 'string' && /^[a-z-]+$/.test(c)) return c
    e = o.cause
  }
  return undefined
}

export class EventsApi {
  constructor(
    readonly call: MetadataCall,
    readonly source: string,
    readonly sql?: SqlCall,
  ) {}

  /** newest first; Hasura's statuses are only pending|processed */
  async eventLogs(
    name: string,
    opts: { status?: 'pending' | 'processed'; limit: number; offset: number },
  ): Promise<EventLogRow[]> {
    const args: Record<string, unknown> = {
      name,
      source: this.source,
      limit: opts.limit,
      offset: opts.offset,
    }
    if (opts.status) args.status = opts.status
    return check(
      z.array(eventRow),
      await this.call('pg_get_event_logs', args),
      'pg_get_event_logs',
    ) as EventLogRow[]
  }

  async eventById(eventId: string, invocationLimit = 100): Promise<EventWithInvocations> {
    const r = await this.call('pg_get_event_by_id', {
      event_id: eventId,
      source: this.source,
      invocation_log_limit: invocationLimit,
      invocation_log_offset: 0,
    })
    return check(eventById, r, 'pg_get_event_by_id') as EventWithInvocations
  }

  /**
   * HTTP status of the newest invocation of each event, in one run_sql call on the source whatever
   * the number of events (the event log and its invocations live in the source's hdb_catalog, see
   * docs/hasura-compatibility.md "Event logs"). Undefined without SQL access: ask per event then.
   * An event with no invocation is absent from the map; one whose last try got no response maps to null.
   */
  async lastInvocationStatuses(eventIds: readonly string[]): Promise<Map<string, number | null> | undefined> {
    if (!this.sql) return undefined
    const out = new Map<string, number | null>()
    const ids = eventIds.filter((id) => UUID.test(id))
    if (ids.length === 0) return out
    const rows = await this.sql(
      `SELECT DISTINCT ON (event_id) event_id, status FROM hdb_catalog.event_invocation_logs
        WHERE event_id IN (${ids.map((id) => `'${id}'`).join(', ')})
        ORDER BY event_id, created_at DESC, id DESC`,
      { source: this.source, readOnly: true },
    )
    for (const [id, status] of rows.slice(1)) {
      if (id === undefined) continue
      const n = Number(status)
      out.set(id, status === undefined || status === 'NULL' || !Number.isFinite(n) ? null : n)
    }
    return out
  }

  async redeliver(eventId: string): Promise<void> {
    await this.call('pg_redeliver_event', { event_id: eventId, source: this.source })
  }

  async invoke(name: string, payload: unknown): Promise<string> {
    const r = await this.call('pg_invoke_event_trigger', { name, source: this.source, payload })
    return check(z.object({ event_id: z.string() }).loose(), r, 'pg_invoke_event_trigger').event_id
  }

  async cronTriggers(): Promise<CronTriggerInfo[]> {
    const r = await this.call('get_cron_triggers', {})
    return check(z.object({ cron_triggers: z.array(cronTrigger) }).loose(), r, 'get_cron_triggers')
      .cron_triggers
  }

  async cronEvents(opts: {
    triggerName: string
    status?: CronEventStatus[]
    limit?: number
    offset?: number
  }): Promise<ScheduledEvent[]> {
    const args: Record<string, unknown> = {
      type: 'cron',
      trigger_name: opts.triggerName,
      offset: opts.offset ?? 0,
    }
    if (opts.limit !== undefined) args.limit = opts.limit
    if (opts.status) args.status = opts.status
    const r = await this.call('get_scheduled_events', args)
    return check(z.object({ events: z.array(scheduledEvent) }).loose(), r, 'get_scheduled_events').events
  }

  async scheduledInvocations(type: 'cron' | 'one_off', eventId: string): Promise<Invocation[]> {
    const r = await this.call('get_scheduled_event_invocations', { type, event_id: eventId })
    return check(z.object({ invocations: z.array(invocation) }).loose(), r, 'get_scheduled_event_invocations')
      .invocations
  }

  async createScheduledEvent(args: {
    webhook: string
    schedule_at: string
    payload?: unknown
    headers?: unknown[]
    retry_conf?: Record<string, unknown>
    comment?: string
  }): Promise<string> {
    const r = await this.call('create_scheduled_event', args as Record<string, unknown>)
    return check(z.object({ event_id: z.string() }).loose(), r, 'create_scheduled_event').event_id
  }

  /** a table's columns, read through run_sql; none without it */
  async tableColumns(table: TableRef): Promise<ColumnInfo[]> {
    if (!this.sql) return []
    return (await columnsThroughRunSql(this.sql, this.source, [table]))[tableKey(table)] ?? []
  }
}
