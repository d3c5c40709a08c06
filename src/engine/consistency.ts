import { Cron } from 'croner'
import type { Queryable } from './db.js'
import { cronEnvProblem, type Env, triggerEnvProblem } from './env-check.js'
import type { EventTriggerDef, Metadata, QualifiedTable } from './metadata/model.js'
import { showTable } from './store.js'
import { dropFunctionSql, type TableColumn, triggerSql } from './trigger-sql.js'

// Hasura's metadata consistency: which objects point at tables and columns that exist, and the
// Postgres trigger functions of the consistent event triggers.

export interface InconsistentObject {
  type: string
  name: string
  definition: unknown
  reason: string
}

/** A table's columns in order, with their type names (the trigger functions build rows from them). */
interface TableColumns {
  names: Set<string>
  list: TableColumn[]
}
type ColumnMap = Map<string, TableColumns>

async function loadColumns(q: Queryable, tables: QualifiedTable[]): Promise<ColumnMap> {
  const map: ColumnMap = new Map()
  if (tables.length === 0) return map
  const { rows } = await q.query<{ s: string; t: string; c: string | null; ty: string | null }>(
    `SELECT n.nspname AS s, c.relname AS t, a.attname AS c, ty.typname AS ty
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_type ty ON ty.oid = a.atttypid
      WHERE c.relkind IN ('r','v','m','f','p')
        AND (n.nspname, c.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))
      ORDER BY n.nspname, c.relname, a.attnum`,
    [tables.map((t) => t.schema), tables.map((t) => t.name)],
  )
  for (const r of rows) {
    const k = `${r.s}.${r.t}`
    const cols = map.get(k) ?? { names: new Set<string>(), list: [] }
    map.set(k, cols)
    if (r.c) {
      cols.names.add(r.c)
      cols.list.push({ name: r.c, type: r.ty ?? '' })
    }
  }
  return map
}

/** A consistent event trigger, its table and that table's columns (in order, with type names). */
export interface WantedTrigger {
  table: QualifiedTable
  def: EventTriggerDef
  columns: TableColumn[]
}

const PG_KINDS = new Set(['postgres', 'citus', 'cockroach'])

/** Hasura's consistency check against the real tables and columns. */
export async function checkConsistency(
  q: Queryable,
  meta: Metadata,
  /** the env names resolve against; without it, env names are not checked */
  env?: Env,
): Promise<{
  inconsistent: InconsistentObject[]
  consistentTriggers: WantedTrigger[]
}> {
  const tables: QualifiedTable[] = []
  for (const s of meta.sources) if (PG_KINDS.has(s.kind)) for (const t of s.tables) tables.push(t.table)
  const cols = await loadColumns(q, tables)
  const inconsistent: InconsistentObject[] = []
  const consistentTriggers: WantedTrigger[] = []
  const pgNames = new Map<string, string>()
  for (const s of meta.sources) {
    if (!PG_KINDS.has(s.kind)) continue
    for (const t of s.tables) {
      const have = cols.get(`${t.table.schema}.${t.table.name}`)
      if (!have) {
        inconsistent.push({
          type: 'table',
          name: `table ${showTable(t.table)} in source ${s.name}`,
          definition: t.table,
          reason: `Inconsistent object: no such table/view exists in source: "${showTable(t.table)}"`,
        })
        continue
      }
      for (const et of t.event_triggers ?? []) {
        const reason = triggerProblem(et, have.names, t.table)
        const clash = pgNames.get(et.name)
        const envReason = reason || clash || !env ? undefined : triggerEnvProblem(et, env)
        if (envReason) {
          // inconsistent, but its table and columns are fine: the Postgres trigger keeps capturing
          // and the events wait (pending) until the env name resolves
          inconsistent.push({
            type: 'event_trigger',
            name: `event_trigger ${et.name} in table ${showTable(t.table)} in source ${s.name}`,
            definition: { table: t.table, configuration: et },
            reason: `Inconsistent object: ${envReason}`,
          })
          pgNames.set(et.name, `source ${s.name}`)
          consistentTriggers.push({ table: t.table, def: et, columns: have.list })
          continue
        }
        if (reason || clash) {
          inconsistent.push({
            type: 'event_trigger',
            name: `event_trigger ${et.name} in table ${showTable(t.table)} in source ${s.name}`,
            // Hasura's mkEventTriggerMetadataObject: {table, configuration}
            definition: { table: t.table, configuration: et },
            reason: `Inconsistent object: ${reason ?? `event trigger "${et.name}" already exists in ${clash}`}`,
          })
          continue
        }
        pgNames.set(et.name, `source ${s.name}`)
        consistentTriggers.push({ table: t.table, def: et, columns: have.list })
      }
    }
  }
  for (const c of meta.cron_triggers ?? []) {
    const problem = !validCronSchedule(c.schedule)
      ? `invalid cron expression: ${JSON.stringify(c.schedule)}`
      : env
        ? cronEnvProblem(c, env)
        : undefined
    if (problem === undefined) continue
    inconsistent.push({
      type: 'cron_trigger',
      name: `cron_trigger ${c.name}`,
      definition: c,
      reason: `Inconsistent object: ${problem}`,
    })
  }
  return { inconsistent, consistentTriggers }
}

/** Hasura takes 5-field cron expressions, in UTC. */
export function validCronSchedule(schedule: string): boolean {
  if (typeof schedule !== 'string' || schedule.trim().split(/\s+/).length !== 5) return false
  try {
    new Cron(schedule, { timezone: 'UTC', paused: true }).stop()
    return true
  } catch {
    return false
  }
}

function triggerProblem(et: EventTriggerDef, have: Set<string>, table: QualifiedTable): string | undefined {
  for (const op of ['insert', 'update', 'delete'] as const) {
    const spec = et.definition[op]
    if (!spec) continue
    for (const list of [spec.columns, spec.payload]) {
      if (!Array.isArray(list)) continue
      for (const c of list)
        if (!have.has(c))
          return `in table "${showTable(table)}": in event trigger "${et.name}": column "${c}" does not exist`
    }
  }
  return undefined
}

/**
 * Brings the Postgres trigger functions in line with the consistent triggers: creates missing or
 * changed ones, drops those no longer wanted. One transaction, batched statements. Two things keep
 * a large replace_metadata cheap for Postgres: `DROP TRIGGER IF EXISTS` only for a trigger name
 * that exists (for a new one it is a no-op that still locks the table and sends a notice), and
 * `check_function_bodies` off while the generated functions are created (as pg_dump restores
 * them; the bodies come from one template with quoted names), restored before returning.
 */
export async function reconcileTriggers(
  q: Queryable,
  wanted: WantedTrigger[],
  opts: { recreate?: boolean; stringifyNumbers: boolean },
) {
  const { rows } = await q.query<{ name: string; comment: string | null }>(
    `SELECT p.proname AS name, obj_description(p.oid, 'pg_proc') AS comment
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'hdb_catalog' AND p.proname LIKE 'notify\\_hasura\\_%'`,
  )
  const existing = new Map(rows.map((r) => [r.name, r.comment ?? '']))
  // a trigger whose table lost it (dropped and re-created table) must be re-created too
  const { rows: live } = await q.query<{ name: string }>(
    `SELECT t.tgname AS name FROM pg_trigger t WHERE t.tgname LIKE 'notify\\_hasura\\_%' AND NOT t.tgisinternal`,
  )
  const liveSet = new Set(live.map((r) => r.name))
  const keep = new Set<string>()
  let script = ''
  let pending = 0
  let checksWere: string | undefined
  const flush = async () => {
    if (!script) return
    if (checksWere === undefined) {
      const { rows } = await q.query<{ was: string }>(
        `SELECT current_setting('check_function_bodies') AS was, set_config('check_function_bodies', 'off', true)`,
      )
      checksWere = rows[0]?.was ?? 'on'
    }
    await q.exec(script)
    script = ''
    pending = 0
  }
  for (const w of wanted) {
    for (const t of triggerSql(w.def, w.table, {
      columns: w.columns,
      stringifyNumbers: opts.stringifyNumbers,
    })) {
      keep.add(t.name)
      if (!opts.recreate && existing.get(t.name) === `nself-hooks:${t.hash}` && liveSet.has(t.name)) continue
      script += liveSet.has(t.name) ? t.dropTrigger + t.sql : t.sql
      if (++pending >= 200) await flush()
    }
  }
  for (const name of existing.keys()) {
    if (keep.has(name)) continue
    script += dropFunctionSql(name)
    if (++pending >= 200) await flush()
  }
  await flush()
  if (checksWere !== undefined)
    await q.query(`SELECT set_config('check_function_bodies', $1, true)`, [checksWere])
}

export function allTriggerNames(meta: Metadata): string[] {
  const out: string[] = []
  for (const s of meta.sources)
    for (const t of s.tables) for (const et of t.event_triggers ?? []) out.push(et.name)
  return out
}

/** Removes an inconsistent object (drop_inconsistent_metadata, run_sql cascade). */
export function dropObject(meta: Metadata, o: InconsistentObject) {
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
