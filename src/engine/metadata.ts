import { z } from 'zod'
import { ApiError, parseFailed } from './errors.js'
import { headerProblem } from './webhook.js'

// Shapes of Hasura v3 metadata that the engine understands. Everything else is kept verbatim.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json }
export type JsonObject = { [k: string]: any }

export interface QualifiedTable {
  schema: string
  name: string
}

export type Columns = '*' | string[]
export interface OpSpec {
  columns: Columns
  payload?: Columns
}
export type HeaderConf = { name: string; value: string } | { name: string; value_from_env: string }

export interface RetryConf {
  interval_sec: number
  num_retries: number
  timeout_sec?: number
}

/** An event trigger in export form (a table's `event_triggers[]` entry). */
export interface EventTriggerDef {
  name: string
  definition: { enable_manual: boolean; insert?: OpSpec; update?: OpSpec; delete?: OpSpec }
  retry_conf: RetryConf
  webhook?: string
  webhook_from_env?: string
  headers?: HeaderConf[]
  request_transform?: JsonObject
  response_transform?: JsonObject
  cleanup_config?: JsonObject
  trigger_on_replication?: boolean
  [k: string]: unknown
}

export interface CronRetryConf {
  num_retries: number
  retry_interval_seconds: number
  timeout_seconds: number
  tolerance_seconds: number
}

export interface CronTriggerDef {
  name: string
  webhook: string
  schedule: string
  include_in_metadata: boolean
  payload?: Json
  retry_conf?: Partial<CronRetryConf>
  headers?: HeaderConf[]
  comment?: string
  request_transform?: JsonObject
  response_transform?: JsonObject
  [k: string]: unknown
}

export interface TableEntry {
  table: QualifiedTable
  event_triggers?: EventTriggerDef[]
  [k: string]: unknown
}

export interface SourceEntry {
  name: string
  kind: string
  tables: TableEntry[]
  configuration?: JsonObject
  [k: string]: unknown
}

export interface Metadata {
  version: 3
  sources: SourceEntry[]
  cron_triggers?: CronTriggerDef[]
  [k: string]: unknown
}

export const DEFAULT_RETRY_CONF: Required<RetryConf> = { num_retries: 0, interval_sec: 10, timeout_sec: 60 }
export const DEFAULT_CRON_RETRY_CONF: CronRetryConf = {
  num_retries: 0,
  retry_interval_seconds: 10,
  timeout_seconds: 60,
  tolerance_seconds: 21600,
}
export const TRIGGER_NAME_RE = /^[A-Za-z]+[A-Za-z0-9_-]*$/
export const MAX_TRIGGER_NAME = 42

export function defaultSource(): SourceEntry {
  return {
    name: 'default',
    kind: 'postgres',
    tables: [],
    configuration: {
      connection_info: {
        database_url: { from_env: 'HASURA_GRAPHQL_DATABASE_URL' },
        isolation_level: 'read-committed',
        pool_settings: { connection_lifetime: 600, idle_timeout: 180, max_connections: 50, retries: 1 },
        use_prepared_statements: true,
      },
    },
  }
}

export function emptyMetadata(): Metadata {
  return { version: 3, sources: [defaultSource()] }
}

export const tableKey = (t: QualifiedTable) => `${t.schema}.${t.name}`
export const sameTable = (a: QualifiedTable, b: QualifiedTable) => a.schema === b.schema && a.name === b.name

// ---------------------------------------------------------------------------------------------
// Parsing with Hasura's messages. zod checks shapes; the messages are aeson's, so a client that
// matches on them sees what Hasura would say.

function describe(v: unknown): string {
  if (v === null) return 'Null'
  if (Array.isArray(v)) return 'Array'
  switch (typeof v) {
    case 'string':
      return 'String'
    case 'number':
      return 'Number'
    case 'boolean':
      return 'Boolean'
    default:
      return 'Object'
  }
}

function jsonPath(base: string, path: readonly PropertyKey[]): string {
  let p = base
  for (const k of path)
    p +=
      typeof k === 'number'
        ? `[${k}]`
        : /^[A-Za-z_][A-Za-z0-9_]*$/.test(String(k))
          ? `.${String(k)}`
          : `['${String(k)}']`
  return p
}

/** zod result → ApiError(parse-failed) with aeson-like message and path. */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown, base = '$.args'): T {
  try {
    return parseOrThrow(schema, input, base)
  } catch (err) {
    if (err instanceof ApiError) err.fromArgs = true
    throw err
  }
}

/** Hasura's checks on a request transform (legacy `transform` too). */
export function checkTransform(t: unknown, path: string): void {
  if (typeof t !== 'object' || t === null) return
  const o = t as JsonObject
  const fail = (msg: string, p: string) => {
    const e = parseFailed(msg, p)
    e.fromArgs = true
    throw e
  }
  if (
    o.content_type !== undefined &&
    !['application/json', 'application/x-www-form-urlencoded'].includes(o.content_type)
  )
    fail('Invalid ContentType', `${path}.content_type`)
  const remove = o.request_headers?.remove_headers
  if (Array.isArray(remove))
    remove.forEach((h: unknown, i: number) => {
      if (typeof h === 'string' && h.toLowerCase() === 'content-type')
        fail(`Restricted Header: ${h}`, `${path}.request_headers.remove_headers[${i}]`)
    })
}

function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, base: string): T {
  const r = schema.safeParse(input)
  if (r.success) return r.data
  const issue = r.error.issues[0]!
  const path = issue.path
  if (issue.code === 'custom') {
    throw parseFailed(issue.message, jsonPath(base, path))
  }
  // locate the offending value
  let parent: any = input
  for (const k of path.slice(0, -1)) parent = parent?.[k as any]
  const last = path[path.length - 1]
  const value = last === undefined ? input : parent?.[last as any]
  if (value === undefined && last !== undefined && typeof last === 'string') {
    throw parseFailed(`key "${last}" not found`, jsonPath(base, path.slice(0, -1)))
  }
  if (issue.code === 'invalid_type' || issue.code === 'invalid_union') {
    const expected = issue.code === 'invalid_type' ? issue.expected : 'value'
    const exp =
      expected === 'string'
        ? 'parsing Text failed, expected String'
        : expected === 'number' || expected === 'int'
          ? 'parsing Int failed, expected Number'
          : expected === 'boolean'
            ? 'parsing Bool failed, expected Boolean'
            : expected === 'array'
              ? 'parsing [] failed, expected Array'
              : expected === 'object'
                ? 'parsing object failed, expected Object'
                : 'parsing failed'
    throw parseFailed(`${exp}, but encountered ${describe(value)}`, jsonPath(base, path))
  }
  throw parseFailed(issue.message, jsonPath(base, path))
}

const qualifiedTable = z.union([
  z.string().transform((name) => ({ schema: 'public', name })),
  z.object({ schema: z.string().default('public'), name: z.string() }).loose(),
])

const columns = z.union([z.literal('*'), z.array(z.string())])
const opSpec = z.object({ columns, payload: columns.nullish() }).loose()

/** Hasura's checkEmptyCols, run on the whole create args (so it fails at `$.args`). */
function emptyColumns(specs: (z.output<typeof opSpec> | null | undefined)[]): string | undefined {
  for (const spec of specs) {
    if (!spec) continue
    if (Array.isArray(spec.columns) && spec.columns.length === 0) return 'found empty column specification'
    if (Array.isArray(spec.payload) && spec.payload.length === 0) return 'found empty payload specification'
  }
  return undefined
}

const int = z.number().int()
const retryConf = z.object({ num_retries: int, interval_sec: int, timeout_sec: int.optional() }).loose()
/**
 * Hasura takes any text as a header name or value (HeaderConf in Hasura's RQL/Types/Headers.hs) and
 * fails at delivery; the engine refuses at creation what can never be sent (docs/hasura-compatibility.md).
 */
const headerName = z.string().superRefine((name, ctx) => {
  const problem = headerProblem(name)
  if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [] })
})
const headerConf = z
  .union([
    z.object({ name: headerName, value: z.string() }).loose(),
    z.object({ name: headerName, value_from_env: z.string() }).loose(),
  ])
  .superRefine((h, ctx) => {
    const value = (h as { value?: unknown }).value
    const problem = typeof value === 'string' ? headerProblem(h.name, value) : undefined
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['value'] })
  })

const triggerName = z.string().superRefine((name, ctx) => {
  if (!TRIGGER_NAME_RE.test(name))
    ctx.addIssue({
      code: 'custom',
      message: 'only alphanumeric and underscore and hyphens allowed for name',
      path: [],
    })
  else if (name.length > MAX_TRIGGER_NAME)
    ctx.addIssue({ code: 'custom', message: 'event trigger name can be at most 42 characters', path: [] })
})

export const createEventTriggerArgs = z
  .object({
    name: z.string(),
    source: z.string().default('default'),
    table: qualifiedTable,
    insert: opSpec.nullish(),
    update: opSpec.nullish(),
    delete: opSpec.nullish(),
    enable_manual: z.boolean().default(false),
    retry_conf: retryConf.nullish(),
    webhook: z.string().nullish(),
    webhook_from_env: z.string().nullish(),
    headers: z.array(headerConf).nullish(),
    replace: z.boolean().default(false),
    request_transform: z.record(z.string(), z.unknown()).nullish(),
    response_transform: z.record(z.string(), z.unknown()).nullish(),
    cleanup_config: z.record(z.string(), z.unknown()).nullish(),
    trigger_on_replication: z.boolean().optional(),
  })
  .loose()
  .superRefine((v, ctx) => {
    // Hasura checks these in this order, failing at $.args
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message, path: [] })
    if (!TRIGGER_NAME_RE.test(v.name))
      return fail('only alphanumeric and underscore and hyphens allowed for name')
    if (v.name.length > MAX_TRIGGER_NAME) return fail('event trigger name can be at most 42 characters')
    if (!v.insert && !v.update && !v.delete && !v.enable_manual)
      return fail('atleast one amongst insert/update/delete/enable_manual spec must be provided')
    if (v.webhook != null && v.webhook_from_env != null)
      return fail('only one of webhook or webhook_from_env should be given')
    if (v.webhook == null && v.webhook_from_env == null)
      return fail('must provide webhook or webhook_from_env')
    const empty = emptyColumns([v.insert, v.update, v.delete])
    if (empty) return fail(empty)
  })
export type CreateEventTriggerArgs = z.output<typeof createEventTriggerArgs>

function orderOp(op: { columns: Columns; payload?: Columns | null | undefined }): OpSpec {
  const o: OpSpec = { columns: op.columns }
  if (op.payload !== undefined && op.payload !== null) o.payload = op.payload
  return o
}

/** Create args → the metadata entry, keys in Hasura's export order. */
export function triggerFromArgs(a: CreateEventTriggerArgs): EventTriggerDef {
  const def: EventTriggerDef['definition'] = { enable_manual: a.enable_manual }
  if (a.insert) def.insert = orderOp(a.insert)
  if (a.update) def.update = orderOp(a.update)
  if (a.delete) def.delete = orderOp(a.delete)
  const t: EventTriggerDef = {
    name: a.name,
    definition: def,
    retry_conf: orderRetry(a.retry_conf ?? DEFAULT_RETRY_CONF),
  }
  if (a.webhook != null) t.webhook = a.webhook
  else if (a.webhook_from_env != null) t.webhook_from_env = a.webhook_from_env
  if (a.headers && a.headers.length > 0) t.headers = a.headers as HeaderConf[]
  if (a.request_transform) t.request_transform = a.request_transform
  if (a.response_transform) t.response_transform = a.response_transform
  if (a.cleanup_config) t.cleanup_config = a.cleanup_config
  if (a.trigger_on_replication !== undefined) t.trigger_on_replication = a.trigger_on_replication
  return t
}

function orderRetry(r: RetryConf): RetryConf {
  const o: RetryConf = { interval_sec: r.interval_sec, num_retries: r.num_retries }
  if (r.timeout_sec !== undefined && r.timeout_sec !== null) o.timeout_sec = r.timeout_sec
  return o
}

/** An event trigger entry from replace_metadata, checked like Hasura does and put in export order. */
const triggerEntry = z
  .object({
    name: triggerName,
    definition: z
      .object({
        enable_manual: z.boolean().default(false),
        insert: opSpec.nullish(),
        update: opSpec.nullish(),
        delete: opSpec.nullish(),
      })
      .loose(),
    retry_conf: retryConf,
    webhook: z.string().nullish(),
    webhook_from_env: z.string().nullish(),
    headers: z.array(headerConf).nullish(),
  })
  .loose()
  .superRefine((v, ctx) => {
    if (v.webhook != null && v.webhook_from_env != null)
      ctx.addIssue({
        code: 'custom',
        message: 'only one of webhook or webhook_from_env should be given',
        path: [],
      })
    if (v.webhook == null && v.webhook_from_env == null)
      ctx.addIssue({ code: 'custom', message: 'must provide webhook or webhook_from_env', path: [] })
    const empty = emptyColumns([v.definition.insert, v.definition.update, v.definition.delete])
    if (empty) ctx.addIssue({ code: 'custom', message: empty, path: [] })
  })

export function normalizeTriggerEntry(raw: unknown, path: string): EventTriggerDef {
  const v = parseWith(triggerEntry, raw, path)
  const rest: Record<string, unknown> = { ...(raw as JsonObject) }
  for (const k of ['name', 'definition', 'retry_conf', 'webhook', 'webhook_from_env', 'headers'])
    delete rest[k]
  const def: EventTriggerDef['definition'] = { enable_manual: v.definition.enable_manual }
  if (v.definition.insert) def.insert = orderOp(v.definition.insert)
  if (v.definition.update) def.update = orderOp(v.definition.update)
  if (v.definition.delete) def.delete = orderOp(v.definition.delete)
  const t: EventTriggerDef = { name: v.name, definition: def, retry_conf: orderRetry(v.retry_conf) }
  if (v.webhook != null) t.webhook = v.webhook
  else if (v.webhook_from_env != null) t.webhook_from_env = v.webhook_from_env
  if (v.headers && v.headers.length > 0) t.headers = v.headers as HeaderConf[]
  if (rest.request_transform !== undefined && rest.request_transform !== null)
    checkTransform(rest.request_transform, `${path}.request_transform`)
  for (const k of ['request_transform', 'response_transform', 'cleanup_config', 'trigger_on_replication']) {
    if (rest[k] !== undefined && rest[k] !== null) t[k] = rest[k]
    delete rest[k]
  }
  return Object.assign(t, rest)
}

// ----- cron triggers

const cronRetryConf = z
  .object({
    num_retries: int.optional(),
    retry_interval_seconds: int.optional(),
    timeout_seconds: int.optional(),
    tolerance_seconds: int.optional(),
  })
  .loose()

export const createCronTriggerArgs = z
  .object({
    name: z.string(),
    webhook: z.string(),
    schedule: z.string(),
    payload: z.unknown().optional(),
    headers: z.array(headerConf).nullish(),
    retry_conf: cronRetryConf.nullish(),
    include_in_metadata: z.boolean(),
    comment: z.string().nullish(),
    replace: z.boolean().default(false),
    request_transform: z.record(z.string(), z.unknown()).nullish(),
    response_transform: z.record(z.string(), z.unknown()).nullish(),
  })
  .loose()

const cronEntry = createCronTriggerArgs.omit({ replace: true })

export function cronRetry(c: CronTriggerDef): CronRetryConf {
  return { ...DEFAULT_CRON_RETRY_CONF, ...stripNulls(c.retry_conf ?? {}) }
}

function stripNulls<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>
}

/** A cron trigger in Hasura's export order; retry_conf left out when it equals the defaults. */
export function normalizeCron(raw: unknown, path = '$.args'): CronTriggerDef {
  const v = parseWith(cronEntry, raw, path)
  const c: CronTriggerDef = {
    name: v.name,
    webhook: v.webhook,
    schedule: v.schedule,
    include_in_metadata: v.include_in_metadata,
  }
  if (v.payload !== undefined && v.payload !== null) c.payload = v.payload as Json
  const retry = { ...DEFAULT_CRON_RETRY_CONF, ...stripNulls(v.retry_conf ?? {}) }
  const isDefault = (Object.keys(DEFAULT_CRON_RETRY_CONF) as (keyof CronRetryConf)[]).every(
    (k) => retry[k] === DEFAULT_CRON_RETRY_CONF[k],
  )
  if (!isDefault) c.retry_conf = retry
  if (v.headers && v.headers.length > 0) c.headers = v.headers as HeaderConf[]
  if (v.comment != null) c.comment = v.comment
  if (v.request_transform) c.request_transform = v.request_transform
  if (v.response_transform) c.response_transform = v.response_transform
  // keys this engine does not know stay as they are
  const known = new Set([...Object.keys(c), 'payload', 'retry_conf', 'headers', 'comment', 'replace'])
  for (const [k, val] of Object.entries(raw as JsonObject)) if (!known.has(k) && val !== undefined) c[k] = val
  return c
}

/** get_cron_triggers form: defaults filled in. */
export function cronWithDefaults(c: CronTriggerDef): JsonObject {
  const o: JsonObject = {
    name: c.name,
    webhook: c.webhook,
    schedule: c.schedule,
    payload: c.payload ?? null,
    retry_conf: cronRetry(c),
    headers: c.headers ?? [],
    include_in_metadata: c.include_in_metadata,
    comment: c.comment ?? null,
  }
  if (c.request_transform) o.request_transform = c.request_transform
  if (c.response_transform) o.response_transform = c.response_transform
  return o
}

// ----- whole metadata

const TABLE_KEY_ORDER = [
  'table',
  'is_enum',
  'configuration',
  'object_relationships',
  'array_relationships',
  'computed_fields',
  'remote_relationships',
  'insert_permissions',
  'select_permissions',
  'update_permissions',
  'delete_permissions',
  'event_triggers',
]

function orderKeys<T extends JsonObject>(o: T, order: string[]): T {
  const out: JsonObject = {}
  for (const k of order) if (k in o) out[k] = o[k]
  for (const k of Object.keys(o)) if (!(k in out)) out[k] = o[k]
  return out as T
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

/**
 * replace_metadata input → stored metadata. Accepts v3 (and v2: top-level tables become the default
 * source). Event triggers are validated and put in export form; unknown keys stay as they are.
 */
export function normalizeMetadata(input: unknown, base = '$.args'): Metadata {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw parseFailed(`parsing Metadata failed, expected Object, but encountered ${describe(input)}`, base)
  const raw = structuredClone(input) as JsonObject
  const version = raw.version ?? 1
  let sources: JsonObject[]
  const rest: JsonObject = { ...raw }
  delete rest.version
  delete rest.sources
  delete rest.tables
  delete rest.functions
  if (version === 3) {
    if (raw.sources !== undefined && !Array.isArray(raw.sources))
      throw parseFailed(
        `parsing [] failed, expected Array, but encountered ${describe(raw.sources)}`,
        `${base}.sources`,
      )
    sources = (raw.sources ?? []) as JsonObject[]
  } else if (version === 1 || version === 2) {
    const src: JsonObject = defaultSource()
    src.tables = raw.tables ?? []
    if (raw.functions) src.functions = raw.functions
    sources = [src]
  } else {
    throw parseFailed(`unexpected metadata version: ${JSON.stringify(version)}`, `${base}.version`)
  }
  const outSources: SourceEntry[] = sources.map((s, si) => {
    const sp = `${base}.sources[${si}]`
    if (typeof s !== 'object' || s === null) throw parseFailed('expecting an object for source', sp)
    if (typeof s.name !== 'string') throw parseFailed('key "name" not found', sp)
    const kind = typeof s.kind === 'string' ? s.kind : 'postgres'
    if (s.tables !== undefined && !Array.isArray(s.tables))
      throw parseFailed(
        `parsing [] failed, expected Array, but encountered ${describe(s.tables)}`,
        `${sp}.tables`,
      )
    const tables = ((s.tables ?? []) as JsonObject[]).map((t, ti) => {
      const tp = `${sp}.tables[${ti}]`
      if (typeof t !== 'object' || t === null || t.table === undefined)
        throw parseFailed('key "table" not found', tp)
      const entry: JsonObject = { ...t }
      if (kind === 'postgres' || kind === 'citus' || kind === 'cockroach') {
        const qt = parseWith(qualifiedTable, t.table, `${tp}.table`)
        entry.table = { name: qt.name, schema: qt.schema }
      }
      if (t.event_triggers !== undefined) {
        if (!Array.isArray(t.event_triggers))
          throw parseFailed(
            `parsing [] failed, expected Array, but encountered ${describe(t.event_triggers)}`,
            `${tp}.event_triggers`,
          )
        const seen = new Set<string>()
        entry.event_triggers = (t.event_triggers as unknown[])
          .map((et, ei) => normalizeTriggerEntry(et, `${tp}.event_triggers[${ei}]`))
          .filter((et) => {
            if (seen.has(et.name)) return false
            seen.add(et.name)
            return true
          })
          .sort(byName)
      }
      return orderKeys(entry, TABLE_KEY_ORDER) as TableEntry
    })
    const seenTables = new Map<string, number>()
    for (const t of tables) {
      const k = `${t.table.schema}.${t.table.name}`
      seenTables.set(k, (seenTables.get(k) ?? 0) + 1)
    }
    const dups = [...seenTables].filter(([, n]) => n > 1).map(([k]) => k.replace(/^public\./, ''))
    if (dups.length > 0)
      throw parseFailed(
        `multiple declarations exist for the following tables: ${dups.join(', ')}`,
        `${sp}.tables`,
      )
    tables.sort((a, b) => {
      const ka = [a.table.schema ?? '', a.table.name ?? '']
      const kb = [b.table.schema ?? '', b.table.name ?? '']
      return ka[0]! < kb[0]! ? -1 : ka[0]! > kb[0]! ? 1 : ka[1]! < kb[1]! ? -1 : ka[1]! > kb[1]! ? 1 : 0
    })
    const out: JsonObject = { ...s, name: s.name, kind, tables }
    return orderKeys(out, ['name', 'kind', 'tables', 'functions', 'configuration']) as SourceEntry
  })
  const meta: JsonObject = { version: 3, sources: outSources, ...rest }
  if (raw.cron_triggers !== undefined) {
    if (!Array.isArray(raw.cron_triggers))
      throw parseFailed(
        `parsing [] failed, expected Array, but encountered ${describe(raw.cron_triggers)}`,
        `${base}.cron_triggers`,
      )
    meta.cron_triggers = (raw.cron_triggers as unknown[])
      .map((c, i) => normalizeCron(c, `${base}.cron_triggers[${i}]`))
      .sort(byName)
  }
  return meta as Metadata
}

/** Hasura refuses the whole replace when one source holds the same trigger name twice. */
export function checkDuplicateTriggerNames(meta: Metadata, raw: unknown): void {
  const rawSources = ((raw as JsonObject)?.sources ?? []) as JsonObject[]
  for (const s of rawSources) {
    const seen = new Set<string>()
    for (const t of (s?.tables ?? []) as JsonObject[]) {
      for (const et of (t?.event_triggers ?? []) as JsonObject[]) {
        const n = et?.name
        if (typeof n !== 'string') continue
        if (seen.has(n))
          throw new ApiError(
            400,
            'not-supported',
            `Event trigger with duplicate names not allowed: "${n}"`,
            '$.args',
          )
        seen.add(n)
      }
    }
  }
  void meta
}

/** The stored metadata in export order: tables and triggers sorted, empty optional parts left out. */
export function exportForm(meta: Metadata): Metadata {
  const m = structuredClone(meta) as JsonObject
  if (Array.isArray(m.cron_triggers)) {
    m.cron_triggers = (m.cron_triggers as CronTriggerDef[]).filter((c) => c.include_in_metadata).sort(byName)
    if (m.cron_triggers.length === 0) delete m.cron_triggers
  }
  const order = [
    'version',
    'sources',
    'remote_schemas',
    'query_collections',
    'allowlist',
    'actions',
    'custom_types',
    'cron_triggers',
  ]
  return orderKeys(m, order) as Metadata
}

export function* allTriggers(
  meta: Metadata,
): Generator<{ source: SourceEntry; table: TableEntry; trigger: EventTriggerDef }> {
  for (const source of meta.sources) {
    if (source.kind !== 'postgres') continue
    for (const table of source.tables)
      for (const trigger of table.event_triggers ?? []) yield { source, table, trigger }
  }
}

export function findTrigger(meta: Metadata, source: string, name: string) {
  for (const t of allTriggers(meta)) if (t.source.name === source && t.trigger.name === name) return t
  return undefined
}

export function sortTriggers(list: EventTriggerDef[]): EventTriggerDef[] {
  return list.sort(byName)
}

export function sortTables(list: TableEntry[]): TableEntry[] {
  return list.sort((a, b) =>
    a.table.schema < b.table.schema
      ? -1
      : a.table.schema > b.table.schema
        ? 1
        : a.table.name < b.table.name
          ? -1
          : a.table.name > b.table.name
            ? 1
            : 0,
  )
}

export { headerConf, orderKeys, qualifiedTable, TABLE_KEY_ORDER }
