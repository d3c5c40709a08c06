import * as z from 'zod'
import {
  allTriggerNames,
  checkConsistency,
  dropObject,
  type InconsistentObject,
  reconcileTriggers,
} from '../consistency.js'
import type { Core } from '../core.js'
import type { Queryable } from '../db.js'
import { ApiError, postgresError } from '../errors.js'
import { type JsonObject, type Metadata, sortTables } from '../metadata/model.js'
import { parseWith } from '../metadata/parse.js'
import { getSource, type StoredState, saveState } from '../store.js'
import type { CommandCtx } from './context.js'

// run_sql: the SQL in one transaction; after DDL, Hasura's schema cache rebuild (renames followed,
// dropped objects a dependency error unless cascade).

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

export async function runSql(core: Core, a: JsonObject, cmd: CommandCtx) {
  const p = parseWith(runSqlArgs, a)
  // the state run_sql leaves behind (renames followed, cascaded drops), applied after the commit
  let pending: StoredState | undefined
  getSource(core.state.metadata, p.source)
  const schemaChange = p.check_metadata_consistency ?? (!p.read_only && DDL_RE.test(p.sql))
  let oids = new Map<string, number>()
  let columns = new Map<string, string>()
  const exec = async () => {
    try {
      return await core.db.runScript(p.sql, {
        readOnly: p.read_only,
        before: async (tx) => {
          if (schemaChange) {
            oids = await tableOids(tx, core.state.metadata)
            columns = await columnNames(tx, [...oids.values()])
          }
        },
        inTx: async (tx) => {
          if (!schemaChange) return
          // Hasura follows a tracked table that the SQL renamed (same oid, new name)
          const renamed = await followRenames(tx, core.state.metadata, oids, columns)
          if (renamed) pending = { ...structuredClone(core.state), metadata: renamed }
          // Hasura rebuilds its schema cache after DDL: metadata on dropped tables or columns is a
          // dependency error unless cascade removes it.
          const base = pending ?? core.state
          const { inconsistent, consistentTriggers } = await checkConsistency(tx, base.metadata, core.env)
          const before = new Set(core.lastInconsistent)
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
            const again = await checkConsistency(tx, draft.metadata, core.env)
            await reconcileTriggers(tx, again.consistentTriggers, { stringifyNumbers: core.stringifyNumbers })
            const kept = new Set(allTriggerNames(draft.metadata))
            const gone = allTriggerNames(core.state.metadata).filter((n) => !kept.has(n))
            if (gone.length > 0)
              await tx.query(
                'UPDATE hdb_catalog.event_log SET archived = true WHERE trigger_name = ANY($1)',
                [gone],
              )
            draft.resourceVersion = core.state.resourceVersion + 1
            await saveState(tx, draft)
            pending = draft
            return
          }
          await reconcileTriggers(tx, consistentTriggers, { stringifyNumbers: core.stringifyNumbers })
          if (pending) {
            pending.resourceVersion = core.state.resourceVersion + 1
            await saveState(tx, pending)
          }
        },
        ...(schemaChange ? { session: cmd.session } : {}),
      })
    } catch (err) {
      if (err instanceof ApiError) throw err
      throw postgresError(err)
    }
  }
  const r = schemaChange ? await core.serial(exec) : await exec()
  if (pending) {
    core.state = pending
    pending = undefined
    core.hooks.onMetadataChange()
  }
  if (schemaChange) core.lastInconsistent = (await core.inconsistentObjects()).map((o) => o.name)
  core.hooks.wakeDelivery()
  if (r.fields.length === 0) return { result_type: 'CommandOk', result: null }
  return {
    result_type: 'TuplesOk',
    result: [r.fields, ...r.rows.map((row) => row.map((v) => (v === null ? 'NULL' : v)))],
  }
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
