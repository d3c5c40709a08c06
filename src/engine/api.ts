import { z } from 'zod'
import { ensureEventCatalog } from './catalog.js'
import type { Db, Queryable } from './db.js'
import { ApiError, alreadyExists, notExists, notSupported, parseFailed, postgresError } from './errors.js'
import {
  type CronTriggerDef,
  checkDuplicateTriggerNames,
  checkTransform,
  createCronTriggerArgs,
  createEventTriggerArgs,
  cronWithDefaults,
  emptyMetadata,
  exportForm,
  findTrigger,
  headerConf,
  type JsonObject,
  type Metadata,
  normalizeCron,
  normalizeMetadata,
  orderKeys,
  parseWith,
  type QualifiedTable,
  qualifiedTable,
  sortTables,
  sortTriggers,
  TABLE_KEY_ORDER,
  triggerFromArgs,
} from './metadata.js'
import {
  checkConsistency,
  findTable,
  getSource,
  type InconsistentObject,
  readState,
  reconcileTriggers,
  type StoredState,
  saveState,
  showTable,
  validCronSchedule,
} from './store.js'
import { utcJson } from './time.js'

export interface RequestCtx {
  /** session variables of the caller (x-hasura-role: admin, plus x-hasura-* headers) */
  session: Record<string, string>
}

export interface CoreHooks {
  /** metadata changed: the cron scheduler and the processor re-read it */
  onMetadataChange(): void
  wakeDelivery(): void
}

const SUCCESS = { message: 'success' }

const trackArgs = z
  .object({
    source: z.string().default('default'),
    table: qualifiedTable,
    configuration: z.record(z.string(), z.unknown()).optional(),
    is_enum: z.boolean().optional(),
  })
  .loose()
const untrackArgs = z
  .object({
    source: z.string().default('default'),
    table: qualifiedTable,
    cascade: z.boolean().default(false),
  })
  .loose()
const deleteTriggerArgs = z.object({ source: z.string().default('default'), name: z.string() }).loose()
const redeliverArgs = z.object({ source: z.string().default('default'), event_id: z.string() }).loose()
const invokeArgs = z
  .object({ source: z.string().default('default'), name: z.string(), payload: z.unknown() })
  .loose()
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
const deleteCronArgs = z.object({ name: z.string() }).loose()
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
const runSqlArgs = z
  .object({
    sql: z.string(),
    source: z.string().default('default'),
    cascade: z.boolean().default(false),
    read_only: z.boolean().default(false),
    check_metadata_consistency: z.boolean().optional(),
  })
  .loose()

/** Hasura: a run_sql whose text matches this rebuilds the schema cache (and checks metadata). */
const DDL_RE = /\balter\b|\bdrop\b|\breplace\b|\bcreate function\b|\bcomment on\b/im

/** Event log timestamps as Hasura encodes a LocalTime: fraction in groups of 3 digits, no zone. */
export function localTime(text: string | null): string | null {
  if (text === null) return null
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(text)
  if (!m) return text
  let frac = (m[3] ?? '').padEnd(6, '0').slice(0, 6)
  if (/^0+$/.test(frac)) frac = ''
  else if (frac.endsWith('000')) frac = frac.slice(0, 3)
  return `${m[1]}T${m[2]}${frac ? `.${frac}` : ''}`
}
export function utcTime(text: string | null): string | null {
  const l = localTime(text)
  return l === null ? null : `${l}Z`
}

const EVENT_COLS = `id, schema_name, table_name, trigger_name, payload, delivered, error, tries,
  created_at::text AS created_at, (locked AT TIME ZONE 'UTC')::text AS locked, next_retry_at::text AS next_retry_at, archived`

function eventRow(r: JsonObject) {
  return {
    id: r.id,
    schema_name: r.schema_name,
    table_name: r.table_name,
    trigger_name: r.trigger_name,
    payload: typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload,
    delivered: r.delivered,
    error: r.error,
    tries: r.tries,
    created_at: localTime(r.created_at),
    locked: utcTime(r.locked),
    next_retry_at: localTime(r.next_retry_at),
    archived: r.archived,
  }
}

const INVOCATION_COLS = `id, trigger_name, event_id, status, request, response, created_at::text AS created_at`
function invocationRow(r: JsonObject) {
  const j = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v)
  return {
    id: r.id,
    trigger_name: r.trigger_name,
    event_id: r.event_id,
    http_status: r.status,
    request: j(r.request),
    response: j(r.response),
    created_at: localTime(r.created_at),
  }
}

/**
 * The metadata API over the stored state. Every change runs in one database transaction (DDL for
 * the trigger functions included) and bumps resource_version; requests are serialised.
 */
export class Core {
  state!: StoredState
  private chain: Promise<unknown> = Promise.resolve()
  constructor(
    readonly db: Db,
    readonly hooks: CoreHooks,
  ) {}

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn)
    this.chain = run.catch(() => {})
    return run
  }

  /**
   * Applies a metadata change. `edit` gets a copy and returns the response. Unless `allowInconsistent`,
   * a change that adds inconsistent objects is refused (Hasura's new-inconsistency check).
   */
  private async change<T>(
    expectedVersion: number | undefined,
    edit: (draft: StoredState, tx: Queryable) => Promise<T> | T,
    opts: {
      allowInconsistent?: boolean
      strict?: boolean
      inTx?: (tx: Queryable) => Promise<void>
      recreateTriggers?: boolean
      /** the inconsistent-object name of what this command creates or changes */
      object?: string
    } = {},
  ): Promise<{ result: T; inconsistent: InconsistentObject[] }> {
    return this.serial(async () => {
      const out = await this.db.transaction(async (tx) => {
        const { rows } = await tx.query<{ resource_version: number }>(
          'SELECT resource_version FROM hdb_catalog.hdb_metadata WHERE id = 1 FOR UPDATE',
        )
        const current = rows[0]?.resource_version ?? this.state.resourceVersion
        // another engine on the same database changed the metadata: start from what it stored
        if (current !== this.state.resourceVersion) this.state = await readState(tx)
        if (expectedVersion !== undefined && expectedVersion !== current)
          throw new ApiError(
            409,
            'conflict',
            `metadata resource version referenced (${expectedVersion}) did not match current version`,
            '$',
          )
        const before = await checkConsistency(tx, this.state.metadata)
        const draft: StoredState = structuredClone({ ...this.state, resourceVersion: current })
        const result = await edit(draft, tx)
        if (opts.inTx) await opts.inTx(tx)
        const after = await checkConsistency(tx, draft.metadata)
        if (opts.strict && after.inconsistent.length > 0)
          throw new ApiError(
            400,
            'unexpected',
            'cannot continue due to inconsistent metadata',
            '$',
            after.inconsistent,
          )
        if (!opts.allowInconsistent) {
          const known = new Set(before.inconsistent.map((o) => o.name))
          const fresh = after.inconsistent.filter((o) => !known.has(o.name))
          // Hasura's buildSchemaCacheFor: the object itself inconsistent is invalid-configuration
          const own = fresh.filter((o) => o.name === opts.object)
          if (own.length > 0)
            throw new ApiError(400, 'invalid-configuration', own.map((o) => o.reason).join(', '), '$', own)
          if (fresh.length > 0)
            throw new ApiError(
              400,
              'unexpected',
              'cannot continue due to new inconsistent metadata',
              '$',
              fresh,
            )
        }
        if (after.consistentTriggers.length > 0) await ensureEventCatalog(tx)
        await reconcileTriggers(tx, after.consistentTriggers, { recreate: opts.recreateTriggers === true })
        // Hasura archives the events of a deleted trigger
        const beforeNames = new Set(allTriggerNames(this.state.metadata))
        const afterNames = new Set(allTriggerNames(draft.metadata))
        const gone = [...beforeNames].filter((n) => !afterNames.has(n))
        if (gone.length > 0 && (await hasEventLog(tx)))
          await tx.query('UPDATE hdb_catalog.event_log SET archived = true WHERE trigger_name = ANY($1)', [
            gone,
          ])
        await this.syncCronEvents(tx, this.state, draft)
        draft.resourceVersion = current + 1
        await saveState(tx, draft)
        return { draft, result, inconsistent: after.inconsistent }
      })
      this.state = out.draft
      this.lastInconsistent = out.inconsistent.map((o) => o.name)
      this.hooks.onMetadataChange()
      return { result: out.result, inconsistent: out.inconsistent }
    })
  }

  /** Cron triggers removed or changed lose their future events (the scheduler makes new ones). */
  private async syncCronEvents(tx: Queryable, before: StoredState, after: StoredState) {
    const key = (c: CronTriggerDef) => JSON.stringify([c.schedule, c.webhook])
    const a = new Map(allCrons(after).map((c) => [c.name, key(c)]))
    const stale = allCrons(before)
      .filter((c) => a.get(c.name) !== key(c))
      .map((c) => c.name)
    if (stale.length > 0)
      await tx.query(
        `DELETE FROM hdb_catalog.hdb_cron_events WHERE trigger_name = ANY($1) AND status = 'scheduled'`,
        [stale],
      )
  }

  /** Re-reads the stored metadata when another engine on the same database changed it. */
  private async refresh(): Promise<void> {
    const { rows } = await this.db.query<{ v: number }>(
      'SELECT resource_version AS v FROM hdb_catalog.hdb_metadata WHERE id = 1',
    )
    if (rows[0] && rows[0].v !== this.state.resourceVersion) {
      this.state = await readState(this.db)
      this.hooks.onMetadataChange()
    }
  }

  snapshot(): StoredState {
    return structuredClone(this.state)
  }

  /** Puts the metadata back as it was (a failed bulk). */
  async restore(s: StoredState): Promise<void> {
    if (s.resourceVersion === this.state.resourceVersion) return
    await this.change(
      undefined,
      (d) => {
        d.metadata = structuredClone(s.metadata)
        d.hiddenCrons = structuredClone(s.hiddenCrons)
      },
      { allowInconsistent: true },
    )
  }

  async inconsistentObjects(): Promise<InconsistentObject[]> {
    return (await checkConsistency(this.db, this.state.metadata)).inconsistent
  }

  // ------------------------------------------------------------------------------------------
  // dispatch

  async run(type: string, args: unknown, body: JsonObject, rc: RequestCtx): Promise<unknown> {
    const version = body.version === 2 ? 2 : 1
    const rv = typeof body.resource_version === 'number' ? body.resource_version : undefined
    const a = (args ?? {}) as JsonObject
    switch (type) {
      case 'export_metadata':
        return this.serial(async () => {
          await this.refresh()
          const metadata = exportForm(this.state.metadata)
          return version === 2 ? { resource_version: this.state.resourceVersion, metadata } : metadata
        })
      case 'replace_metadata':
        return this.replaceMetadata(a, rv)
      case 'reload_metadata': {
        await this.change(rv, () => undefined, {
          allowInconsistent: true,
          recreateTriggers: a.recreate_event_triggers === true,
        })
        const inconsistent = await this.inconsistentObjects()
        return inconsistent.length === 0
          ? { message: 'success', is_consistent: true }
          : { message: 'success', is_consistent: false, inconsistent_objects: inconsistent }
      }
      case 'clear_metadata':
        await this.change(
          rv,
          (d) => {
            d.metadata = emptyMetadata()
            d.hiddenCrons = []
          },
          {
            allowInconsistent: true,
            // Hasura drops the source's event trigger catalog with the last trigger
            inTx: (tx) => dropEventCatalog(tx),
          },
        )
        return SUCCESS
      case 'get_inconsistent_metadata': {
        const inconsistent = await this.inconsistentObjects()
        return { is_consistent: inconsistent.length === 0, inconsistent_objects: inconsistent }
      }
      case 'drop_inconsistent_metadata':
        await this.change(rv, async (d, tx) => {
          const { inconsistent } = await checkConsistency(tx, d.metadata)
          for (const o of inconsistent) dropObject(d.metadata, o)
        })
        return SUCCESS
      case 'pg_track_table':
      case 'track_table':
        return this.trackTable(a, rv)
      case 'pg_untrack_table':
      case 'untrack_table':
        return this.untrackTable(a, rv)
      case 'pg_create_event_trigger':
      case 'create_event_trigger':
        return this.createEventTrigger(a, rv)
      case 'pg_delete_event_trigger':
      case 'delete_event_trigger': {
        const p = parseWith(deleteTriggerArgs, a)
        await this.change(rv, (d) => {
          const found = findTrigger(d.metadata, p.source, p.name)
          if (!found) throw notExists(`event trigger "${p.name}" does not exist`)
          found.table.event_triggers = found.table.event_triggers!.filter((t) => t.name !== p.name)
          if (found.table.event_triggers.length === 0) delete found.table.event_triggers
        })
        return SUCCESS
      }
      case 'pg_redeliver_event':
      case 'redeliver_event':
        return this.redeliver(a)
      case 'pg_invoke_event_trigger':
      case 'invoke_event_trigger':
        return this.invoke(a, rc)
      case 'pg_get_event_logs':
        return this.eventLogs(a)
      case 'pg_get_event_invocation_logs':
        return this.invocationLogs(a)
      case 'pg_get_event_by_id':
        return this.eventById(a)
      case 'create_cron_trigger':
        return this.createCron(a, rv)
      case 'delete_cron_trigger': {
        const p = parseWith(deleteCronArgs, a)
        await this.change(rv, (d) => {
          const inMeta = (d.metadata.cron_triggers ?? []).some((c) => c.name === p.name)
          const hidden = d.hiddenCrons.some((c) => c.name === p.name)
          if (!inMeta && !hidden) throw notExists(`cron trigger with name: ${p.name} does not exist`)
          d.metadata.cron_triggers = (d.metadata.cron_triggers ?? []).filter((c) => c.name !== p.name)
          if (d.metadata.cron_triggers.length === 0) delete d.metadata.cron_triggers
          d.hiddenCrons = d.hiddenCrons.filter((c) => c.name !== p.name)
        })
        return SUCCESS
      }
      case 'get_cron_triggers':
        return {
          cron_triggers: allCrons(this.state)
            .sort((x, y) => (x.name < y.name ? -1 : 1))
            .map(cronWithDefaults),
        }
      case 'create_scheduled_event':
        return this.createScheduledEvent(a)
      case 'get_scheduled_events':
        return this.getScheduledEvents(a)
      case 'delete_scheduled_event':
        return this.deleteScheduledEvent(a)
      case 'get_event_invocations':
      case 'get_scheduled_event_invocations':
        return this.scheduledInvocations(a)
      case 'run_sql':
      case 'pg_run_sql':
        return this.runSql(a, rc)
      default:
        throw new ApiError(400, 'parse-failed', `unknown metadata command "${type}"`, '$')
    }
  }

  // ------------------------------------------------------------------------------------------

  private async replaceMetadata(a: JsonObject, rv: number | undefined) {
    const isV2 = 'metadata' in a && typeof a.metadata === 'object' && a.metadata !== null && !('sources' in a)
    const raw = isV2 ? a.metadata : a
    const base = isV2 ? '$.args.metadata' : '$.args'
    const allowInconsistent = isV2 ? a.allow_inconsistent_metadata === true : false
    checkDuplicateTriggerNames(emptyMetadata(), raw)
    const metadata = normalizeMetadata(raw, base)
    const { inconsistent } = await this.change(
      rv,
      (d) => {
        d.metadata = metadata
        // non-metadata crons survive a replace; a metadata cron of the same name wins
        const names = new Set((metadata.cron_triggers ?? []).map((c) => c.name))
        d.hiddenCrons = d.hiddenCrons.filter((c) => !names.has(c.name))
        // a cron listed in the new metadata with include_in_metadata:false is still a non-exported cron
        const listed = metadata.cron_triggers ?? []
        const hidden = listed.filter((c) => !c.include_in_metadata)
        if (hidden.length > 0) {
          metadata.cron_triggers = listed.filter((c) => c.include_in_metadata)
          d.hiddenCrons.push(...hidden)
        }
      },
      { allowInconsistent: true, strict: !allowInconsistent },
    )
    if (!isV2) return SUCCESS
    return { is_consistent: inconsistent.length === 0, inconsistent_objects: inconsistent }
  }

  private async trackTable(a: JsonObject, rv: number | undefined) {
    // legacy track_table takes {schema, name} at the top level
    const input = 'table' in a ? a : { ...a, table: { schema: a.schema ?? 'public', name: a.name } }
    const p = parseWith(trackArgs, input)
    const table: QualifiedTable = { name: p.table.name, schema: p.table.schema }
    await this.change(rv, async (d, tx) => {
      const source = getSource(d.metadata, p.source)
      if (findTable(source, table))
        throw new ApiError(
          400,
          'already-tracked',
          `view/table already tracked: "${showTable(table)}"`,
          '$.args',
        )
      const { rows } = await tx.query(
        `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r','v','m','f','p')`,
        [table.schema, table.name],
      )
      if (rows.length === 0) throw notExists(`no such table/view exists in source: "${showTable(table)}"`)
      const entry: JsonObject = { table }
      if (p.is_enum !== undefined) entry.is_enum = p.is_enum
      if (p.configuration && Object.keys(p.configuration).length > 0) entry.configuration = p.configuration
      source.tables.push(orderKeys(entry, TABLE_KEY_ORDER) as any)
      sortTables(source.tables)
    })
    return SUCCESS
  }

  private async untrackTable(a: JsonObject, rv: number | undefined) {
    const input = 'table' in a ? a : { ...a, table: { schema: a.schema ?? 'public', name: a.name } }
    const p = parseWith(untrackArgs, input)
    const table: QualifiedTable = { name: p.table.name, schema: p.table.schema }
    await this.change(rv, (d) => {
      const source = getSource(d.metadata, p.source)
      const entry = findTable(source, table)
      if (!entry)
        throw new ApiError(
          400,
          'already-untracked',
          `view/table already untracked: "${showTable(table)}"`,
          '$.args',
        )
      const deps = (entry.event_triggers ?? []).map(
        (t) => `event-trigger ${showTable(table)}.${t.name} in source "${p.source}"`,
      )
      if (deps.length > 0 && !p.cascade)
        throw new ApiError(
          400,
          'dependency-error',
          `cannot drop due to the following dependent objects: ${deps.join(', ')}`,
          '$.args',
        )
      source.tables = source.tables.filter((t) => t !== entry)
    })
    return SUCCESS
  }

  private async createEventTrigger(a: JsonObject, rv: number | undefined) {
    // `transform` is the older name of request_transform
    if (a.transform !== undefined) {
      checkTransform(a.transform, '$.args.transform')
      const { transform, ...rest } = a
      a = a.request_transform === undefined ? { ...rest, request_transform: transform } : rest
    }
    if (a.request_transform !== undefined) checkTransform(a.request_transform, '$.args.request_transform')
    const p = parseWith(createEventTriggerArgs, a)
    const def = triggerFromArgs(p)
    const table: QualifiedTable = { name: p.table.name, schema: p.table.schema }
    await this.change(
      rv,
      (d) => {
        const source = getSource(d.metadata, p.source)
        const existing = findTrigger(d.metadata, p.source, p.name)
        if (p.replace) {
          if (!existing) throw notExists(`event trigger "${p.name}" does not exist`)
          if (existing.table.table.schema !== table.schema || existing.table.table.name !== table.name)
            throw new ApiError(
              400,
              'bad-request',
              `cannot replace event trigger "${p.name}" on table "${showTable(existing.table.table)}" with one on table "${showTable(table)}"`,
              '$.args',
            )
        } else if (existing) {
          throw alreadyExists(`Event trigger with name "${p.name}" already exists`)
        }
        const entry = findTable(source, table)
        if (!entry) throw notExists(`table "${showTable(table)}" does not exist`)
        const list = (entry.event_triggers ?? []).filter((t) => t.name !== p.name)
        list.push(def)
        entry.event_triggers = sortTriggers(list)
        const ordered = orderKeys(entry, TABLE_KEY_ORDER)
        Object.assign(entry, ordered)
      },
      { object: `event_trigger ${p.name} in table ${showTable(table)} in source ${p.source}` },
    )
    return SUCCESS
  }

  private async redeliver(a: JsonObject) {
    const p = parseWith(redeliverArgs, a)
    getSource(this.state.metadata, p.source)
    const { rows } = await this.db.query<{ recent: boolean }>(
      `SELECT (locked IS NOT NULL AND locked > now() - interval '30 minutes') AS recent FROM hdb_catalog.event_log WHERE id = $1`,
      [p.event_id],
    )
    const row = rows[0]
    if (!row) throw notExists('event not found')
    if (row.recent) throw new ApiError(400, 'busy', 'event is already being processed', '$.args')
    await this.db.query(
      // Hasura's markForDelivery: next_retry_at is left as it is
      `UPDATE hdb_catalog.event_log SET delivered = 'f', error = 'f', tries = 0 WHERE id = $1`,
      [p.event_id],
    )
    this.hooks.wakeDelivery()
    return SUCCESS
  }

  private async invoke(a: JsonObject, rc: RequestCtx) {
    const p = parseWith(invokeArgs, a)
    getSource(this.state.metadata, p.source)
    const found = findTrigger(this.state.metadata, p.source, p.name)
    if (!found) throw notExists(`event trigger "${p.name}" does not exist`)
    if (!found.trigger.definition.enable_manual)
      throw notSupported('manual mode is not enabled for event trigger')
    const id = await this.db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('hasura.user', $1, true)`, [JSON.stringify(rc.session)])
      const { rows } = await tx.query<{ id: string }>(
        `SELECT hdb_catalog.insert_event_log($1, $2, $3, 'MANUAL', json_build_object('old', NULL, 'new', $4::json)) AS id`,
        [found.table.table.schema, found.table.table.name, p.name, JSON.stringify(p.payload ?? null)],
      )
      return rows[0]!.id
    })
    this.hooks.wakeDelivery()
    return { event_id: id }
  }

  private async eventLogs(a: JsonObject) {
    const p = parseWith(eventLogsArgs, a)
    getSource(this.state.metadata, p.source)
    if (!(await hasEventLog(this.db))) return []
    const where =
      p.status === 'pending'
        ? `AND delivered = false AND error = false AND archived = false`
        : p.status === 'processed'
          ? `AND (delivered = true OR error = true) AND archived = false`
          : ''
    const { rows } = await this.db.query(
      `SELECT ${EVENT_COLS} FROM hdb_catalog.event_log WHERE trigger_name = $1 ${where}
        ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`,
      [p.name, p.limit, p.offset],
    )
    return rows.map(eventRow)
  }

  private async invocationLogs(a: JsonObject) {
    const p = parseWith(invocationLogsArgs, a)
    getSource(this.state.metadata, p.source)
    if (!(await hasEventLog(this.db))) return []
    const { rows } = await this.db.query(
      `SELECT ${INVOCATION_COLS} FROM hdb_catalog.event_invocation_logs WHERE trigger_name = $1
        ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`,
      [p.name, p.limit, p.offset],
    )
    return rows.map(invocationRow)
  }

  private async eventById(a: JsonObject) {
    const p = parseWith(eventByIdArgs, a)
    getSource(this.state.metadata, p.source)
    const { rows } = await this.db.query(`SELECT ${EVENT_COLS} FROM hdb_catalog.event_log WHERE id = $1`, [
      p.event_id,
    ])
    if (!rows[0]) throw notExists(`event id "${p.event_id}" does not exist`)
    const inv = await this.db.query(
      `SELECT ${INVOCATION_COLS} FROM hdb_catalog.event_invocation_logs WHERE event_id = $1
        ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`,
      [p.event_id, p.invocation_log_limit, p.invocation_log_offset],
    )
    return { event: eventRow(rows[0]), invocations: inv.rows.map(invocationRow) }
  }

  private async createCron(a: JsonObject, rv: number | undefined) {
    const p = parseWith(createCronTriggerArgs, a)
    const valid = validCronSchedule(p.schedule)
    if (!valid) {
      const e = parseFailed(`invalid cron expression: ${JSON.stringify(p.schedule)}`, '$.args.schedule')
      e.fromArgs = true
      throw e
    }
    const { replace: _r, ...rest } = a
    const cron = normalizeCron(rest)
    await this.change(rv, (d) => {
      const exists = allCrons(d).some((c) => c.name === cron.name)
      if (exists && !p.replace) throw alreadyExists(`cron trigger with name: ${cron.name} already exists`)
      if (!exists && p.replace) throw notExists(`cron trigger with name: ${cron.name} does not exist`)
      d.metadata.cron_triggers = (d.metadata.cron_triggers ?? []).filter((c) => c.name !== cron.name)
      d.hiddenCrons = d.hiddenCrons.filter((c) => c.name !== cron.name)
      if (cron.include_in_metadata) {
        d.metadata.cron_triggers.push(cron)
        d.metadata.cron_triggers.sort((x, y) => (x.name < y.name ? -1 : 1))
      } else d.hiddenCrons.push(cron)
      if (d.metadata.cron_triggers.length === 0) delete d.metadata.cron_triggers
    })
    return SUCCESS
  }

  private async createScheduledEvent(a: JsonObject) {
    const p = parseWith(scheduledEventArgs, a)
    const at = new Date(p.schedule_at)
    if (Number.isNaN(at.getTime())) throw parseFailed('could not parse timestamp', '$.args.schedule_at')
    const { rows } = await this.db.query<{ id: string }>(
      `INSERT INTO hdb_catalog.hdb_scheduled_events
         (webhook_conf, scheduled_time, payload, retry_conf, header_conf, comment, request_transform, response_transform)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        JSON.stringify(p.webhook),
        at.toISOString(),
        JSON.stringify(p.payload ?? null),
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
    this.hooks.onMetadataChange()
    return { event_id: rows[0]!.id }
  }

  private async getScheduledEvents(a: JsonObject) {
    const p = parseWith(getScheduledEventsArgs, a)
    const statusFilter = p.status.length > 0 ? `AND status = ANY($2)` : `AND $2::text[] IS NOT NULL`
    const limit = p.limit !== undefined ? `LIMIT ${p.limit}` : ''
    const count = async (table: string, extra: string, params: unknown[]) =>
      p.get_rows_count
        ? {
            count: (
              await this.db.query(
                `SELECT count(*)::int AS n FROM hdb_catalog.${table} WHERE ${extra}`,
                params,
              )
            ).rows[0].n,
          }
        : {}
    if (p.type === 'cron') {
      const where = `($1::text IS NULL OR trigger_name = $1) ${statusFilter}`
      const params = [p.trigger_name ?? null, p.status]
      const { rows } = await this.db.query(
        `SELECT id, trigger_name, scheduled_time, status, tries, created_at, next_retry_at
           FROM hdb_catalog.hdb_cron_events WHERE ${where}
          ORDER BY scheduled_time ASC, id ${limit} OFFSET ${p.offset}`,
        params,
      )
      const events = rows.map((r) => ({ ...r, ...timesOf(r) }))
      return { events, ...(await count('hdb_cron_events', where, params)) }
    }
    const where = `$1::text IS NULL ${statusFilter}`
    const params = [null, p.status]
    const { rows } = await this.db.query(
      `SELECT id, webhook_conf, scheduled_time, retry_conf, payload, header_conf, status, tries, created_at,
              next_retry_at, comment, request_transform, response_transform
         FROM hdb_catalog.hdb_scheduled_events WHERE ${where}
        ORDER BY scheduled_time ASC, id ${limit} OFFSET ${p.offset}`,
      params,
    )
    const events = rows.map((r) => ({ ...r, ...timesOf(r) }))
    return { events, ...(await count('hdb_scheduled_events', where, params)) }
  }

  private async deleteScheduledEvent(a: JsonObject) {
    const p = parseWith(z.object({ type: z.enum(['one_off', 'cron']), event_id: z.string() }).loose(), a)
    const table = p.type === 'cron' ? 'hdb_cron_events' : 'hdb_scheduled_events'
    const { rows } = await this.db.query(`DELETE FROM hdb_catalog.${table} WHERE id = $1 RETURNING id`, [
      p.event_id,
    ])
    if (rows.length === 0) throw notExists(`event id "${p.event_id}" does not exist`)
    return SUCCESS
  }

  private async scheduledInvocations(a: JsonObject) {
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
    const { rows } = await this.db.query(
      `SELECT l.id, l.event_id, l.status, l.request, l.response, l.created_at
         FROM hdb_catalog.${log} l JOIN hdb_catalog.${ev} e ON e.id = l.event_id
        WHERE ($1::text IS NULL OR l.event_id = $1) AND ${byTrigger}
        ORDER BY l.created_at DESC ${p.limit !== undefined ? `LIMIT ${p.limit}` : ''} OFFSET ${p.offset}`,
      [p.event_id ?? null, p.type === 'cron' ? (p.trigger_name ?? null) : null],
    )
    const j = (v: unknown) => v
    return {
      invocations: rows.map((r) => ({ ...r, request: j(r.request), response: j(r.response), ...timesOf(r) })),
    }
  }

  async runSql(a: JsonObject, rc: RequestCtx) {
    const p = parseWith(runSqlArgs, a)
    getSource(this.state.metadata, p.source)
    const schemaChange = p.check_metadata_consistency ?? (!p.read_only && DDL_RE.test(p.sql))
    let oids = new Map<string, number>()
    let columns = new Map<string, string>()
    const exec = async () => {
      try {
        return await this.db.runScript(p.sql, {
          readOnly: p.read_only,
          before: async (tx) => {
            if (schemaChange) {
              oids = await tableOids(tx, this.state.metadata)
              columns = await columnNames(tx, [...oids.values()])
            }
          },
          inTx: async (tx) => {
            if (!schemaChange) return
            // Hasura follows a tracked table that the SQL renamed (same oid, new name)
            const renamed = await followRenames(tx, this.state.metadata, oids, columns)
            if (renamed) this.pendingState = { ...structuredClone(this.state), metadata: renamed }
            // Hasura rebuilds its schema cache after DDL: metadata on dropped tables or columns is a
            // dependency error unless cascade removes it.
            const base = this.pendingState ?? this.state
            const { inconsistent, consistentTriggers } = await checkConsistency(tx, base.metadata)
            const before = new Set(this.lastInconsistent)
            const fresh = inconsistent.filter((o) => !before.has(o.name))
            if (fresh.length > 0) {
              // a dropped table leaves the metadata with everything on it; anything else that now
              // points at nothing (a dropped column) needs cascade
              const dependents = fresh.filter((o) => o.type !== 'table')
              if (dependents.length > 0 && !p.cascade)
                throw new ApiError(
                  400,
                  'dependency-error',
                  `cannot drop due to the following dependent objects: ${dependents.map(depName).join(', ')}`,
                  '$',
                )
              const draft = structuredClone(base)
              for (const o of fresh) dropObject(draft.metadata, o)
              const again = await checkConsistency(tx, draft.metadata)
              await reconcileTriggers(tx, again.consistentTriggers)
              const kept = new Set(allTriggerNames(draft.metadata))
              const gone = allTriggerNames(this.state.metadata).filter((n) => !kept.has(n))
              if (gone.length > 0)
                await tx.query(
                  'UPDATE hdb_catalog.event_log SET archived = true WHERE trigger_name = ANY($1)',
                  [gone],
                )
              draft.resourceVersion = this.state.resourceVersion + 1
              await saveState(tx, draft)
              this.pendingState = draft
              return
            }
            await reconcileTriggers(tx, consistentTriggers)
            if (this.pendingState) {
              this.pendingState.resourceVersion = this.state.resourceVersion + 1
              await saveState(tx, this.pendingState)
            }
          },
          ...(schemaChange ? { session: rc.session } : {}),
        })
      } catch (err) {
        if (err instanceof ApiError) throw err
        throw postgresError(err)
      }
    }
    const r = schemaChange ? await this.serial(exec) : await exec()
    if (this.pendingState) {
      this.state = this.pendingState
      this.pendingState = undefined
      this.hooks.onMetadataChange()
    }
    if (schemaChange) this.lastInconsistent = (await this.inconsistentObjects()).map((o) => o.name)
    this.hooks.wakeDelivery()
    if (r.fields.length === 0) return { result_type: 'CommandOk', result: null }
    return {
      result_type: 'TuplesOk',
      result: [r.fields, ...r.rows.map((row) => row.map((v) => (v === null ? 'NULL' : v)))],
    }
  }
  private pendingState: StoredState | undefined
  lastInconsistent: string[] = []
}

async function hasEventLog(tx: Queryable): Promise<boolean> {
  const { rows } = await tx.query(`SELECT to_regclass('hdb_catalog.event_log') IS NOT NULL AS ok`)
  return rows[0]?.ok === true
}

async function dropEventCatalog(tx: Queryable): Promise<void> {
  const { rows } = await tx.query<{ name: string }>(
    `SELECT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'hdb_catalog' AND p.proname LIKE 'notify\\_hasura\\_%'`,
  )
  let sql = ''
  for (const r of rows)
    sql += `DROP FUNCTION IF EXISTS hdb_catalog."${r.name.replace(/"/g, '""')}"() CASCADE;\n`
  sql += `DROP TABLE IF EXISTS hdb_catalog.event_invocation_logs;
DROP TABLE IF EXISTS hdb_catalog.event_log;
DROP FUNCTION IF EXISTS hdb_catalog.insert_event_log(text, text, text, text, json);
`
  await tx.exec(sql)
}

function timesOf(r: JsonObject) {
  const iso = (v: unknown) =>
    v instanceof Date ? utcJson(v) : v == null ? v : utcJson(new Date(String(v).replace(' ', 'T')))
  const o: JsonObject = {}
  for (const k of ['scheduled_time', 'created_at', 'next_retry_at']) if (k in r) o[k] = iso(r[k])
  return o
}

/** Hasura's reportSchemaObj: `event-trigger users.on_insert in source "default"`. */
function depName(o: InconsistentObject): string {
  const m = /^event_trigger (.+) in table (.+) in source (.+)$/.exec(o.name)
  return m ? `event-trigger ${m[2]}.${m[1]} in source "${m[3]}"` : o.name
}

/** The oid of every tracked table, keyed by schema.name. */
async function tableOids(tx: Queryable, meta: Metadata): Promise<Map<string, number>> {
  const tables = meta.sources
    .filter((s) => s.kind === 'postgres')
    .flatMap((s) => s.tables.map((t) => t.table))
  if (tables.length === 0) return new Map()
  const { rows } = await tx.query<{ k: string; oid: number }>(
    `SELECT n.nspname || '.' || c.relname AS k, c.oid::int AS oid FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE (n.nspname, c.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [tables.map((t) => t.schema), tables.map((t) => t.name)],
  )
  return new Map(rows.map((r) => [r.k, r.oid]))
}

/** Column names by `oid:attnum`, to see renames. */
async function columnNames(tx: Queryable, oids: number[]): Promise<Map<string, string>> {
  if (oids.length === 0) return new Map()
  const { rows } = await tx.query<{ k: string; name: string }>(
    `SELECT attrelid::int || ':' || attnum AS k, attname AS name FROM pg_attribute
      WHERE attrelid = ANY($1::oid[]) AND attnum > 0 AND NOT attisdropped`,
    [oids],
  )
  return new Map(rows.map((r) => [r.k, r.name]))
}

/**
 * Metadata with renamed tables and columns under their new names (Hasura follows renames made by
 * run_sql), or undefined when nothing was renamed.
 */
async function followRenames(
  tx: Queryable,
  meta: Metadata,
  before: Map<string, number>,
  beforeCols: Map<string, string>,
): Promise<Metadata | undefined> {
  if (before.size === 0) return undefined
  const afterCols = await columnNames(tx, [...before.values()])
  // old name → new name, per table oid
  const colRenames = new Map<number, Map<string, string>>()
  for (const [k, oldName] of beforeCols) {
    const newName = afterCols.get(k)
    if (newName === undefined || newName === oldName) continue
    const oid = Number(k.split(':')[0])
    const m = colRenames.get(oid) ?? new Map<string, string>()
    m.set(oldName, newName)
    colRenames.set(oid, m)
  }
  const oids = [...before.values()]
  const { rows } = await tx.query<{ oid: number; schema: string; name: string }>(
    `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ANY($1::oid[])`,
    [oids],
  )
  const now = new Map(rows.map((r) => [r.oid, { schema: r.schema, name: r.name }]))
  let changed = false
  const next = structuredClone(meta)
  for (const s of next.sources) {
    if (s.kind !== 'postgres') continue
    for (const t of s.tables) {
      const oid = before.get(`${t.table.schema}.${t.table.name}`)
      const renames = oid === undefined ? undefined : colRenames.get(oid)
      if (renames)
        for (const et of t.event_triggers ?? [])
          for (const op of ['insert', 'update', 'delete'] as const) {
            const spec = et.definition[op]
            if (!spec) continue
            if (Array.isArray(spec.columns)) spec.columns = spec.columns.map((c) => renames.get(c) ?? c)
            if (Array.isArray(spec.payload)) spec.payload = spec.payload.map((c) => renames.get(c) ?? c)
            changed = true
          }
      const cur = oid === undefined ? undefined : now.get(oid)
      if (!cur || (cur.schema === t.table.schema && cur.name === t.table.name)) continue
      t.table = { name: cur.name, schema: cur.schema }
      changed = true
    }
    if (changed) sortTables(s.tables)
  }
  return changed ? next : undefined
}

export function allCrons(s: StoredState): CronTriggerDef[] {
  return [...(s.metadata.cron_triggers ?? []), ...s.hiddenCrons]
}

function allTriggerNames(meta: Metadata): string[] {
  const out: string[] = []
  for (const s of meta.sources)
    for (const t of s.tables) for (const et of t.event_triggers ?? []) out.push(et.name)
  return out
}

/** Removes an inconsistent object (drop_inconsistent_metadata, run_sql cascade). */
function dropObject(meta: Metadata, o: InconsistentObject) {
  for (const s of meta.sources) {
    if (o.type === 'table') {
      const def = o.definition as QualifiedTable
      if (o.name.endsWith(` in source ${s.name}`))
        s.tables = s.tables.filter((t) => !(t.table.schema === def.schema && t.table.name === def.name))
    } else if (o.type === 'event_trigger') {
      const def = o.definition as { configuration: { name: string } }
      if (!o.name.endsWith(` in source ${s.name}`)) continue
      for (const t of s.tables) {
        if (!t.event_triggers) continue
        t.event_triggers = t.event_triggers.filter((et) => et.name !== def.configuration.name)
        if (t.event_triggers.length === 0) delete t.event_triggers
      }
    }
  }
}
