import * as z from 'zod'
import type { Core } from '../core.js'
import type { Queryable } from '../db.js'
import { ApiError, alreadyExists, notExists, notSupported } from '../errors.js'
import { createEventTriggerArgs, triggerFromArgs } from '../metadata/event-triggers.js'
import {
  type EventTriggerDef,
  findTrigger,
  type JsonObject,
  orderKeys,
  type QualifiedTable,
  sortTriggers,
  TABLE_KEY_ORDER,
} from '../metadata/model.js'
import { checkTransform, parseWith } from '../metadata/parse.js'
import { stringify } from '../raw-json.js'
import { findTable, getSource, showTable } from '../store.js'
import { type CommandCtx, SUCCESS } from './context.js'

// pg_create_event_trigger, pg_delete_event_trigger, pg_redeliver_event, pg_invoke_event_trigger

const deleteTriggerArgs = z.object({ source: z.string().default('default'), name: z.string() }).loose()
const redeliverArgs = z.object({ source: z.string().default('default'), event_id: z.string() }).loose()
const invokeArgs = z
  .object({ source: z.string().default('default'), name: z.string(), payload: z.unknown() })
  .loose()

export async function createEventTrigger(core: Core, a: JsonObject, cmd: CommandCtx) {
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
  await core.change(
    cmd.resourceVersion,
    async (d, tx) => {
      const source = getSource(d.metadata, p.source)
      // Hasura's resolveEventTriggerQuery: the table first (askTableCoreInfo), then the replace,
      // then the listened columns (assertCols)
      const entry = findTable(source, table)
      if (!entry) throw notExists(`table "${showTable(table)}" does not exist in source: ${p.source}`)
      const existing = findTrigger(d.metadata, p.source, p.name)
      if (p.replace) {
        if (!existing) throw notExists(`event trigger "${p.name}" does not exist`)
        if (existing.table.table.schema !== table.schema || existing.table.table.name !== table.name)
          throw notSupported('cannot replace table or schema for trigger')
      } else if (existing) {
        throw alreadyExists(`Event trigger with name "${p.name}" already exists`)
      }
      await assertListenedColumns(tx, table, def)
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

export async function deleteEventTrigger(core: Core, a: JsonObject, cmd: CommandCtx) {
  const p = parseWith(deleteTriggerArgs, a)
  await core.change(cmd.resourceVersion, (d) => {
    const found = findTrigger(d.metadata, p.source, p.name)
    if (!found) throw notExists(`event trigger "${p.name}" does not exist`)
    found.table.event_triggers = found.table.event_triggers!.filter((t) => t.name !== p.name)
    if (found.table.event_triggers.length === 0) delete found.table.event_triggers
  })
  return SUCCESS
}

export async function redeliver(core: Core, a: JsonObject) {
  const p = parseWith(redeliverArgs, a)
  getSource(core.state.metadata, p.source)
  const { rows } = await core.db.query<{ recent: boolean }>(
    `SELECT (locked IS NOT NULL AND locked > now() - interval '30 minutes') AS recent FROM hdb_catalog.event_log WHERE id = $1`,
    [p.event_id],
  )
  const row = rows[0]
  if (!row) throw notExists('event not found')
  if (row.recent) throw new ApiError(400, 'busy', 'event is already being processed', '$.args')
  await core.db.query(
    // Hasura's markForDelivery: next_retry_at is left as it is
    `UPDATE hdb_catalog.event_log SET delivered = 'f', error = 'f', tries = 0 WHERE id = $1`,
    [p.event_id],
  )
  core.hooks.wakeDelivery()
  return SUCCESS
}

export async function invoke(core: Core, a: JsonObject, cmd: CommandCtx) {
  const p = parseWith(invokeArgs, a)
  getSource(core.state.metadata, p.source)
  const found = findTrigger(core.state.metadata, p.source, p.name)
  if (!found) throw notExists(`event trigger "${p.name}" does not exist`)
  if (!found.trigger.definition.enable_manual)
    throw notSupported('manual mode is not enabled for event trigger')
  const id = await core.db.transaction(async (tx) => {
    // Hasura's insertManualEvent: setHeadersTx and setTraceContextInTx before insert_event_log
    await tx.query(`SELECT set_config('hasura.user', $1, true)`, [JSON.stringify(cmd.session)])
    if (cmd.traceContext)
      await tx.query(`SELECT set_config('hasura.tracecontext', $1, true)`, [JSON.stringify(cmd.traceContext)])
    const { rows } = await tx.query<{ id: string }>(
      `SELECT hdb_catalog.insert_event_log($1, $2, $3, 'MANUAL', json_build_object('old', NULL, 'new', $4::json)) AS id`,
      [found.table.table.schema, found.table.table.name, p.name, stringify(p.payload ?? null)],
    )
    return rows[0]!.id
  })
  core.hooks.wakeDelivery()
  return { event_id: id }
}

/**
 * Every listened column (`columns` of insert/update/delete) must exist: 400 `not-exists`
 * (`assertCols` in Hasura's `src-lib/Hasura/RQL/DDL/EventTrigger.hs`). A missing payload column
 * is a dependency of the trigger, found by the consistency check instead (invalid-configuration).
 */
async function assertListenedColumns(tx: Queryable, table: QualifiedTable, def: EventTriggerDef) {
  const listed = (['insert', 'update', 'delete'] as const).flatMap((op) => {
    const cols = def.definition[op]?.columns
    return Array.isArray(cols) ? cols : []
  })
  if (listed.length === 0) return
  const { rows } = await tx.query<{ c: string }>(
    `SELECT a.attname AS c FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped`,
    [table.schema, table.name],
  )
  const have = new Set(rows.map((r) => r.c))
  // a table that is gone is the consistency check's to report
  if (have.size === 0) return
  const missing = listed.find((c) => !have.has(c))
  if (missing !== undefined) throw notExists(`column "${missing}" does not exist`)
}
