import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as z from 'zod'
import type { Model, TableRef } from '../model/types.js'
import { relPath } from '../output/text.js'
import { writeFilesAtomic } from '../write-files.js'
import {
  type ActualSide,
  actualFromServer,
  type Change,
  type DesiredTriggers,
  deepEqual,
  desiredFromModel,
  diffTriggers,
  type Ownership,
} from './diff.js'
import type { HasuraCronTrigger } from './emit.js'
import { type Managed, ownedNames, readManaged } from './managed.js'
import type { ToolTables } from './merge.js'
import { type Unmanaged, unmanagedOf } from './unmanaged.js'

/**
 * A server's side of the pipeline, shared by `sync`, `diff` and the console: what a server holds,
 * ownership on it, and the record of what sync applied to each endpoint.
 */

/** The two reads of the metadata API client this needs (the client itself lives in src/hasura). */
export interface ServerReader {
  endpoint: string
  exportMetadata(): Promise<{ resource_version: number; metadata: Record<string, unknown> }>
  getCronTriggers(): Promise<unknown[]>
}

/** What `sync` reads of a server before it plans. */
export interface ServerState {
  resourceVersion: number
  metadata: Record<string, unknown>
  /** every cron, those kept out of metadata included (get_cron_triggers) */
  crons: HasuraCronTrigger[]
}

/** Two reads, whatever the number of triggers: export_metadata v2 and get_cron_triggers. */
export async function readServer(client: Omit<ServerReader, 'endpoint'>): Promise<ServerState> {
  const exported = await client.exportMetadata()
  const crons = (await client.getCronTriggers()) as HasuraCronTrigger[]
  return { resourceVersion: exported.resource_version, metadata: exported.metadata, crons }
}

export function planAgainstServer(desired: DesiredTriggers, state: ServerState, owned: Ownership): Change[] {
  return diffTriggers(desired, actualFromServer(state.metadata, state.crons), owned)
}

const etKey = (source: string, name: string) => `${source}\u0000${name}`
export const tableKey = (source: string, t: TableRef) => `${source}\u0000${t.schema}\u0000${t.name}`

function unionManaged(a: Managed, b: Managed): Managed {
  const key = (t: Managed['eventTriggers'][number]) => etKey(t.source, t.name)
  const et = new Map([...a.eventTriggers, ...b.eventTriggers].map((t) => [key(t), t]))
  const tables = new Map([...(a.tables ?? []), ...(b.tables ?? [])].map((t) => [tableKey(t.source, t), t]))
  return {
    ...a,
    ...b,
    eventTriggers: [...et.values()],
    cronTriggers: [...new Set([...a.cronTriggers, ...b.cronTriggers])],
    tables: [...tables.values()],
  }
}

// ---- what sync last applied ----------------------------------------------------------------------

const tableSchema = z.object({ source: z.string(), schema: z.string(), name: z.string() })

/**
 * The managed names sync last applied to each endpoint, kept beside the backups (git-ignored).
 * `generate` rewrites webhooks.managed.json to the config's names, so a trigger removed from the
 * config and generated away before a sync would otherwise be forgotten and left on the server.
 * `tables`: the tables nself-hooks tracked on that server only for its triggers.
 */
const entrySchema = z.object({
  eventTriggers: z.array(z.object({ source: z.string(), name: z.string() })),
  cronTriggers: z.array(z.string()),
  tables: z.array(tableSchema).optional(),
})
const syncedSchema = z.object({
  format_version: z.literal(1),
  endpoints: z.record(z.string(), entrySchema),
})
type SyncedState = z.infer<typeof syncedSchema>
export type SyncedEntry = z.infer<typeof entrySchema>

const SYNCED_FILE = join('.nself-hooks', 'synced.json')

function syncedPath(root: string): string {
  return join(root, SYNCED_FILE)
}

/** The record, or why it could not be read (then an empty one: it is a cache, rebuilt by sync). */
function loadSynced(root: string): { state: SyncedState; problem?: string } {
  const empty: SyncedState = { format_version: 1, endpoints: {} }
  let text: string
  try {
    text = readFileSync(syncedPath(root), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: empty }
    return { state: empty, problem: `cannot be read (${(err as Error).message})` }
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    return { state: empty, problem: `is not valid JSON (${(err as Error).message})` }
  }
  const parsed = syncedSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const at = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : ''
    return { state: empty, problem: `has an unexpected shape (${issue?.message ?? 'invalid'}${at})` }
  }
  return { state: parsed.data }
}

/** What sync last applied to `endpoint` (undefined: nothing, or the record is unreadable). */
export function syncedEntry(root: string, endpoint: string): SyncedEntry | undefined {
  return loadSynced(root).state.endpoints[endpoint]
}

export function syncedIsDamaged(root: string): boolean {
  return loadSynced(root).problem !== undefined
}

/**
 * A damaged record is said, never silently read as empty: without it, sync does not know the
 * triggers it applied to each endpoint before (those the managed record no longer lists).
 */
export function syncedWarning(cwd: string, root: string): string | undefined {
  const { problem } = loadSynced(root)
  if (problem === undefined) return undefined
  return `${relPath(cwd, syncedPath(root))} ${problem}: ignored. It records what sync applied to each endpoint; the next sync rewrites it. Until then a trigger removed from the config may be left on the server: check with \`nself-hooks diff --against server\`, or delete the file to silence this warning`
}

/** The record's entry for what the server now holds of `desired`, and the tables tracked for it. */
export function entryOf(desired: DesiredTriggers, tables: SyncedEntry['tables'] = []): SyncedEntry {
  return {
    eventTriggers: desired.eventTriggers.map((d) => ({ source: d.source, name: d.trigger.name })),
    cronTriggers: desired.cronTriggers.map((c) => c.name),
    ...(tables.length > 0 ? { tables } : {}),
  }
}

/** Records what sync now manages on `endpoint` (undefined: nothing); false when the record already said so. */
export function writeSynced(root: string, endpoint: string, entry: SyncedEntry | undefined): boolean {
  const { state, problem } = loadSynced(root)
  if (problem === undefined && deepEqual(state.endpoints[endpoint], entry)) return false
  if (entry === undefined) delete state.endpoints[endpoint]
  else state.endpoints[endpoint] = entry
  ensureStateDir(root)
  writeFilesAtomic(new Map([[syncedPath(root), `${JSON.stringify(state, null, 2)}\n`]]))
  return true
}

/** Keeps only what `actual` (a server's metadata) still holds: the record of a rolled-back server. */
export function entryPresentIn(entry: SyncedEntry, metadata: Record<string, unknown>): SyncedEntry {
  const actual: ActualSide = actualFromServer(metadata, [
    ...((metadata.cron_triggers as HasuraCronTrigger[] | undefined) ?? []),
  ])
  const et = new Set(actual.eventTriggers.map((e) => etKey(e.source, e.trigger.name)))
  const ct = new Set(actual.cronTriggers.map((x) => x.cron.name))
  const tracked = trackedTablesOf(metadata)
  const tables = (entry.tables ?? []).filter((t) => tracked.has(tableKey(t.source, t)))
  return {
    eventTriggers: entry.eventTriggers.filter((t) => et.has(etKey(t.source, t.name))),
    cronTriggers: entry.cronTriggers.filter((n) => ct.has(n)),
    ...(tables.length > 0 ? { tables } : {}),
  }
}

/** source\0schema\0name of every table a metadata export tracks. */
export function trackedTablesOf(metadata: Record<string, unknown>): Set<string> {
  const out = new Set<string>()
  for (const src of (metadata.sources as { name?: unknown; tables?: { table?: unknown }[] }[]) ?? []) {
    for (const t of src.tables ?? []) {
      const ref =
        typeof t.table === 'string'
          ? { schema: 'public', name: t.table }
          : ((t.table ?? {}) as { schema?: string; name?: string })
      out.add(tableKey(String(src.name), { schema: ref.schema ?? 'public', name: ref.name ?? '' }))
    }
  }
  return out
}

export function ensureStateDir(root: string): void {
  mkdirSync(join(root, '.nself-hooks'), { recursive: true })
  const ignore = join(root, '.nself-hooks', '.gitignore')
  if (!existsSync(ignore)) writeFilesAtomic(new Map([[ignore, '*\n']]))
}

/**
 * Ownership for a server: the rule of docs/architecture.md "Ownership" (in the config, or in the
 * managed record, read before and after generate) plus what sync last applied to this endpoint.
 */
export function serverOwnership(model: Model, managed: Managed[], endpoint: string): Ownership {
  const base = ownedNames(model, managed.reduce(unionManaged))
  const synced = syncedEntry(model.root, endpoint)
  const et = new Set((synced?.eventTriggers ?? []).map((t) => etKey(t.source, t.name)))
  const ct = new Set(synced?.cronTriggers ?? [])
  return {
    eventTriggers: (source, name) => base.eventTriggers(source, name) || et.has(etKey(source, name)),
    cronTriggers: (name) => base.cronTriggers(name) || ct.has(name),
  }
}

/**
 * The tables sync tracked on this server for its triggers (as recorded): one with no trigger left
 * is untracked again. A table the server tracked before (someone else's) is never untracked.
 */
export function serverToolTables(root: string, endpoint: string): ToolTables {
  const keys = new Set((syncedEntry(root, endpoint)?.tables ?? []).map((t) => tableKey(t.source, t)))
  return (source, table) => keys.has(tableKey(source, table))
}

/** `diff --against server` in short: the managed triggers and crons against what the server holds. */
export async function driftAgainstServer(
  project: { model: Model },
  client: ServerReader,
): Promise<{ changes: Change[]; unmanaged: Unmanaged }> {
  const { model } = project
  const state = await readServer(client)
  const owned = serverOwnership(model, [readManaged(model.root)], client.endpoint)
  return {
    changes: planAgainstServer(desiredFromModel(model, { crons: 'all' }), state, owned),
    unmanaged: unmanagedOf(actualFromServer(state.metadata, state.crons), owned),
  }
}
