import { UserError } from '../errors.js'
import type { TableRef } from '../model/types.js'
import { type DesiredTriggers, type Ownership, tableRef } from './diff.js'
import type { HasuraCronTrigger, HasuraEventTrigger } from './emit.js'

/**
 * The metadata `sync` sends: the server's export with every managed event and cron trigger replaced
 * by the desired ones. Pure. Everything unmanaged (console-made triggers, permissions, actions,
 * other sources) is carried over as it was.
 */

export interface MergeResult {
  metadata: Record<string, unknown>
  /** tables the new metadata tracks because a trigger targets them (they were untracked) */
  trackedTables: { source: string; table: TableRef }[]
  /**
   * tables the new metadata no longer tracks: the tool tracked them only for its triggers, and
   * none is left on them (nor anything else: permissions, relationships, configuration)
   */
  untrackedTables: { source: string; table: TableRef }[]
}

/** Which tables nself-hooks tracked only for its triggers (on this server or in the files). */
export type ToolTables = (source: string, table: TableRef) => boolean

interface TableEntry {
  table: unknown
  event_triggers?: HasuraEventTrigger[]
  [k: string]: unknown
}
interface SourceEntry {
  name: string
  tables?: TableEntry[]
  [k: string]: unknown
}

const sameTable = (a: TableRef, b: TableRef) => a.schema === b.schema && a.name === b.name
const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

export function mergeMetadata(
  server: Record<string, unknown>,
  desired: DesiredTriggers,
  owned: Ownership,
  toolTables: ToolTables = () => false,
): MergeResult {
  const metadata = structuredClone(server) as Record<string, unknown>
  const sources = ((metadata.sources as SourceEntry[] | undefined) ?? []).map((s) => s)
  const trackedTables: MergeResult['trackedTables'] = []
  const untrackedTables: MergeResult['untrackedTables'] = []

  const missing = [...new Set(desired.eventTriggers.map((d) => d.source))].filter(
    (s) => !sources.some((src) => src.name === s),
  )
  if (missing.length > 0) {
    throw new UserError(
      `the server has no database source ${missing.map((s) => `"${s}"`).join(', ')} for the configured triggers`,
      {
        hint: `sources on the server: ${sources.map((s) => s.name).join(', ') || 'none'}; add the database in Hasura, or set hasura.source (or the trigger's source)`,
      },
    )
  }

  for (const source of sources) {
    const tables = source.tables ?? []
    // drop every managed trigger of this source, wherever it sits now
    for (const t of tables) {
      if (!t.event_triggers) continue
      const kept = t.event_triggers.filter((et) => !owned.eventTriggers(source.name, et.name))
      if (kept.length !== t.event_triggers.length) {
        if (kept.length > 0) t.event_triggers = kept
        else delete t.event_triggers
      }
    }
    // then put the desired ones on their tables, tracking a table that is not tracked yet
    for (const d of desired.eventTriggers.filter((x) => x.source === source.name)) {
      let entry = tables.find((t) => sameTable(tableRef(t.table), d.table))
      if (!entry) {
        entry = { table: { name: d.table.name, schema: d.table.schema } }
        tables.push(entry)
        trackedTables.push({ source: source.name, table: d.table })
      }
      entry.event_triggers = [...(entry.event_triggers ?? []), structuredClone(d.trigger)].sort(byName)
    }
    // a table tracked only for managed triggers that are all gone is untracked again, as
    // `generate` untracks it in the files (docs/architecture.md, "Ownership")
    const kept = tables.filter((t) => {
      const ref = tableRef(t.table)
      const bare = Object.keys(t).every((k) => k === 'table')
      if (!bare || !toolTables(source.name, ref)) return true
      untrackedTables.push({ source: source.name, table: ref })
      return false
    })
    if (source.tables !== undefined || kept.length > 0) source.tables = kept
  }

  // crons: export_metadata lists only include_in_metadata ones; a desired cron kept out of metadata is
  // listed with include_in_metadata: false (Hasura keeps it out of later exports)
  const crons = ((metadata.cron_triggers as HasuraCronTrigger[] | undefined) ?? []).filter(
    (c) => !owned.cronTriggers(c.name),
  )
  crons.push(...desired.cronTriggers.map((c) => structuredClone(c)))
  if (crons.length > 0) metadata.cron_triggers = crons.sort(byName)
  else delete metadata.cron_triggers

  return { metadata, trackedTables, untrackedTables }
}
