import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { z } from 'zod'
import type { LoadedProject } from '../config/load.js'
import type { Context } from '../context.js'
import { colors } from '../output/report.js'
import {
  actualFromServer,
  type Change,
  type DesiredTriggers,
  desiredFromModel,
  diffTriggers,
  type Ownership,
} from './diff.js'
import type { HasuraCronTrigger } from './emit.js'
import { type Managed, ownedNames, readManaged } from './managed.js'
import { type Unmanaged, unmanagedOf } from './unmanaged.js'

/** The two reads of the metadata API client this needs (the client itself lives in src/hasura). */
export interface ServerReader {
  endpoint: string
  exportMetadata(): Promise<{ resource_version: number; metadata: Record<string, unknown> }>
  getCronTriggers(): Promise<unknown[]>
}

/** What a Hasura server holds of the triggers: its metadata export and every cron. */
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

function unionManaged(a: Managed, b: Managed): Managed {
  const key = (t: Managed['eventTriggers'][number]) => `${t.source}\u0000${t.name}`
  const et = new Map([...a.eventTriggers, ...b.eventTriggers].map((t) => [key(t), t]))
  return {
    ...a,
    ...b,
    eventTriggers: [...et.values()],
    cronTriggers: [...new Set([...a.cronTriggers, ...b.cronTriggers])],
  }
}

/**
 * The managed names sync last applied to each endpoint, kept beside the backups (git-ignored).
 * `generate` rewrites webhooks.managed.json to the config's names, so a trigger removed from the
 * config and generated away before a sync would otherwise be forgotten and left on the server.
 */
const syncedSchema = z.object({
  format_version: z.literal(1),
  endpoints: z.record(
    z.string(),
    z.object({
      eventTriggers: z.array(z.object({ source: z.string(), name: z.string() })),
      cronTriggers: z.array(z.string()),
    }),
  ),
})
type SyncedState = z.infer<typeof syncedSchema>

export const SYNCED_FILE = join('.nself-hooks', 'synced.json')

export function syncedPath(root: string): string {
  return join(root, SYNCED_FILE)
}

/** The record, or why it could not be read (then an empty one: it is a cache, rebuilt by sync). */
export function loadSynced(root: string): { state: SyncedState; problem?: string } {
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

export function readSynced(root: string): SyncedState {
  return loadSynced(root).state
}

/**
 * A damaged record is said, never silently read as empty: without it, sync does not know the
 * triggers it applied to each endpoint before (those the managed record no longer lists).
 */
export function warnAboutSynced(ctx: Context, root: string): void {
  const { problem } = loadSynced(root)
  if (problem === undefined) return
  const shown = relative(ctx.cwd, syncedPath(root)) || syncedPath(root)
  ctx.stderr.write(
    `${colors(ctx).yellow('warning')} ${shown} ${problem}: ignored. It records what sync applied to each endpoint; the next sync rewrites it. Until then a trigger removed from the config may be left on the server: check with \`nself-hooks diff --against server\`, or delete the file to silence this warning\n`,
  )
}

/**
 * Ownership for a server: the rule of docs/architecture.md "Ownership" (in the config, or in the managed record, read
 * before and after generate) plus what sync last applied to this endpoint.
 */
export function serverOwnership(
  model: LoadedProject['model'],
  managed: Managed[],
  endpoint: string,
): Ownership {
  const base = ownedNames(model, managed.reduce(unionManaged))
  const synced = readSynced(model.root).endpoints[endpoint]
  const et = new Set((synced?.eventTriggers ?? []).map((t) => `${t.source}\u0000${t.name}`))
  const ct = new Set(synced?.cronTriggers ?? [])
  return {
    eventTriggers: (source, name) => base.eventTriggers(source, name) || et.has(`${source}\u0000${name}`),
    cronTriggers: (name) => base.cronTriggers(name) || ct.has(name),
  }
}

/** `diff --against server`: the config's managed triggers and crons against what the server holds. */
export async function driftAgainstServer(
  project: LoadedProject,
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
