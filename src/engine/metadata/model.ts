/**
 * The metadata the engine stores, in Hasura v3 export form: the shapes it understands (everything
 * else is kept verbatim), the defaults, and helpers that walk and order the tree.
 */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json }
export type JsonObject = { [k: string]: unknown }

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

// ----- order and lookup

export const TABLE_KEY_ORDER = [
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

export function orderKeys<T extends JsonObject>(o: T, order: string[]): T {
  const out: JsonObject = {}
  for (const k of order) if (k in o) out[k] = o[k]
  for (const k of Object.keys(o)) if (!(k in out)) out[k] = o[k]
  return out as T
}

export const byName = (a: { name: string }, b: { name: string }) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0

/** The stored metadata in export order: tables and triggers sorted, empty optional parts left out. */
export function exportForm(meta: Metadata): Metadata {
  const m = structuredClone(meta) as JsonObject
  if (Array.isArray(m.cron_triggers)) {
    const crons = (m.cron_triggers as CronTriggerDef[]).filter((c) => c.include_in_metadata).sort(byName)
    if (crons.length === 0) delete m.cron_triggers
    else m.cron_triggers = crons
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
