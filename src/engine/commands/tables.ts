import * as z from 'zod'
import type { Core } from '../core.js'
import { ApiError, notExists } from '../errors.js'
import { qualifiedTable } from '../metadata/event-triggers.js'
import {
  type JsonObject,
  orderKeys,
  type QualifiedTable,
  sortTables,
  TABLE_KEY_ORDER,
  type TableEntry,
} from '../metadata/model.js'
import { parseWith } from '../metadata/parse.js'
import { findTable, getSource, showTable } from '../store.js'
import { type CommandCtx, SUCCESS } from './context.js'

// pg_track_table, pg_untrack_table (and the legacy names)

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

export async function trackTable(core: Core, a: JsonObject, cmd: CommandCtx) {
  // legacy track_table takes {schema, name} at the top level
  const input = 'table' in a ? a : { ...a, table: { schema: a.schema ?? 'public', name: a.name } }
  const p = parseWith(trackArgs, input)
  const table: QualifiedTable = { name: p.table.name, schema: p.table.schema }
  await core.change(cmd.resourceVersion, async (d, tx) => {
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
    source.tables.push(orderKeys(entry, TABLE_KEY_ORDER) as TableEntry)
    sortTables(source.tables)
  })
  return SUCCESS
}

export async function untrackTable(core: Core, a: JsonObject, cmd: CommandCtx) {
  const input = 'table' in a ? a : { ...a, table: { schema: a.schema ?? 'public', name: a.name } }
  const p = parseWith(untrackArgs, input)
  const table: QualifiedTable = { name: p.table.name, schema: p.table.schema }
  await core.change(cmd.resourceVersion, (d) => {
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
