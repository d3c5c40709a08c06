// Longer than 400 lines on purpose: the sync stage end to end (plan, confirm, one strict write with
// conflict retries, verification, record and backup), each step using the state of the one before.
import { existsSync, readFileSync, rmSync } from 'node:fs'
import type { Context } from '../context.js'
import { UserError } from '../errors.js'
import { connectHasura, type HasuraClient } from '../hasura/client.js'
import { HasuraConflictError, HasuraError } from '../hasura/errors.js'
import { describe } from '../metadata/changes-text.js'
import {
  actualFromServer,
  type Change,
  type DesiredTriggers,
  deepEqual,
  desiredFromModel,
  diffTriggers,
  type Ownership,
  summarize,
} from '../metadata/diff.js'
import { planGenerate, type WrittenFile, writeGenerated } from '../metadata/generate.js'
import {
  deleteAllError,
  type Managed,
  managedPath,
  nextManaged,
  readManaged,
  renderManaged,
  takeoverError,
  takeovers,
} from '../metadata/managed.js'
import { mergeMetadata } from '../metadata/merge.js'
import {
  entryOf,
  planAgainstServer,
  readServer,
  type ServerState,
  type SyncedEntry,
  serverOwnership,
  serverToolTables,
  syncedEntry,
  syncedIsDamaged,
  tableKey,
  trackedTablesOf,
  writeSynced,
} from '../metadata/server-state.js'
import { type Unmanaged, unmanagedOf } from '../metadata/unmanaged.js'
import type { TableRef } from '../model/types.js'
import { relPath } from '../output/text.js'
import type { LoadedProject } from '../project.js'
import { writeFilesAtomic } from '../write-files.js'
import { pruneBackups, writeBackup } from './backups.js'

/**
 * `sync` as a stage: plan the managed triggers against the server, apply the plan with one
 * `replace_metadata` (retried when the metadata changed meanwhile), verify, record and back up.
 * Text and JSON are the command's; this reports what happens through `onEvent` and returns a
 * `SyncResult`.
 */

export interface SyncOptions {
  dryRun?: boolean
  yes?: boolean
  /** false: leave the metadata files alone (the managed record still follows the config) */
  generate?: boolean
  /** take over hand-made triggers and crons whose names the config uses */
  adopt?: boolean
  /** apply a plan that deletes every managed trigger and cron when the config declares none */
  allowDeleteAll?: boolean
}

/** Re-read and re-plan this many times when the metadata changes between our read and our write. */
const CONFLICT_RETRIES = 3

export interface TableTracking {
  source: string
  table: TableRef
}

export interface SyncPlan {
  endpoint: string
  resourceVersion: number
  changes: Change[]
  /** tables the new metadata tracks because a trigger targets them */
  trackedTables: TableTracking[]
  /** tables the tool tracked only for triggers that are gone: untracked again */
  untrackedTables: TableTracking[]
  /** triggers and crons on the server that the config does not manage (not drift) */
  unmanaged: Unmanaged
}

export type SyncEvent =
  /** a plan, the first one or a different one after a concurrent change (`attempt` > 0) */
  | { type: 'plan'; attempt: number; plan: SyncPlan }
  /** dry run of a plan that deletes every managed trigger, which needs --allow-delete-all */
  | { type: 'delete-all-warning' }
  /** triggers already on the server as the config defines them, recorded as managed */
  | { type: 'adopting'; found: string[]; dryRun: boolean }
  | { type: 'wrote'; files: WrittenFile[] }
  /** the metadata changed between read and write: read and plan again */
  | { type: 'retry'; attempt: number }
  /** the server's metadata was saved before it was replaced */
  | { type: 'backup'; file: string }

export interface SyncHooks {
  onEvent?: (event: SyncEvent) => void
  /** asked before a plan is applied (unless `yes`); without it, a plan that deletes is refused */
  confirm?: (changes: Change[], plan: SyncPlan) => Promise<boolean>
}

export interface SyncResult extends SyncPlan {
  /** in_sync: nothing to apply; dry_run: planned only; cancelled: the user said no */
  outcome: 'in_sync' | 'dry_run' | 'applied' | 'cancelled'
  /** metadata files generate planned (absolute paths), written unless a dry run */
  generated: string[]
  summary: { create: number; update: number; delete: number }
  /** the backup of the metadata replaced (applied) */
  backup?: string
  resourceVersionAfter?: number
  /** found when verifying: inconsistent objects not managed by nself-hooks */
  warnings: string[]
}

/** Something to apply: a trigger change or a table to untrack. */
export const pending = (p: SyncPlan): number => p.changes.length + p.untrackedTables.length

export async function applySync(
  project: LoadedProject,
  options: SyncOptions,
  ctx: Pick<Context, 'verbose' | 'stderr' | 'cwd'>,
  hooks: SyncHooks = {},
): Promise<SyncResult> {
  const emit = hooks.onEvent ?? (() => {})
  const { model } = project

  // ownership: what the record said before generate rewrote it, too (a trigger just removed from
  // the config is still ours to delete on the server)
  const managedBefore = readManaged(model.root)
  // The files are planned now (a bad metadata directory stops sync before the server is touched)
  // but written only once the server took the plan, or needs none: a refused sync leaves no trace.
  const filePlan =
    options.generate !== false ? planGenerate(model, { adopt: options.adopt ?? false }) : undefined
  const generated = filePlan ? [...filePlan.changes.keys()] : []
  const writeFiles = () => {
    if (options.dryRun) return
    if (filePlan) {
      const files = writeGenerated(filePlan)
      if (files.length > 0) emit({ type: 'wrote', files })
      return
    }
    // --no-generate leaves the metadata files alone, but the record of what is managed must
    // still follow the config, or the next sync would not know its own triggers
    const record = renderManaged(nextManaged(model, managedBefore, managedBefore.tables))
    const file = managedPath(model.root)
    if (!existsSync(file) || readFileSync(file, 'utf8') !== record) {
      writeFilesAtomic(new Map([[file, record]]))
      emit({ type: 'wrote', files: [{ path: file, removed: false }] })
    }
  }
  const desired = desiredFromModel(model, { crons: 'all' })
  const client = connectHasura(project, ctx)
  const endpoint = client.endpoint
  const managed = [managedBefore, filePlan?.managed ?? managedBefore]
  const owned = serverOwnership(model, managed, endpoint)
  const toolTables = serverToolTables(model.root, endpoint)
  let confirmed: SyncPlan | undefined
  for (let attempt = 0; ; attempt++) {
    const state = await readServer(client)
    const alreadyThere = options.adopt ? [] : checkTakeovers(project, managedBefore, desired, state, endpoint)
    const changes = planAgainstServer(desired, state, owned)
    const deletes = changes.filter((ch) => ch.action === 'delete')
    const removesAll =
      model.triggers.length === 0 && model.crons.length === 0
        ? {
            server: deletes.map(
              (ch) => `${ch.kind === 'cron_trigger' ? 'cron' : 'event'} trigger ${ch.name}`,
            ),
            files: filePlan?.removesAll ?? [],
          }
        : undefined
    // pure and cheap: computed with the plan, so a dry run shows the tables it would (un)track too
    const merged = mergeMetadata(state.metadata, desired, owned, toolTables)
    const plan: SyncPlan = {
      endpoint,
      resourceVersion: state.resourceVersion,
      changes,
      trackedTables: changes.length > 0 ? merged.trackedTables : [],
      untrackedTables: merged.untrackedTables,
      unmanaged: unmanagedOf(actualFromServer(state.metadata, state.crons), owned),
    }
    const samePlan =
      confirmed !== undefined &&
      deepEqual(
        { c: confirmed.changes, u: confirmed.untrackedTables },
        { c: plan.changes, u: plan.untrackedTables },
      )
    if (!samePlan) emit({ type: 'plan', attempt, plan })
    const result = (outcome: SyncResult['outcome'], extra: Partial<SyncResult> = {}): SyncResult => ({
      ...plan,
      outcome,
      generated,
      summary: summarize(changes),
      warnings: [],
      ...extra,
    })

    if (removesAll && !options.allowDeleteAll && removesAll.server.length + removesAll.files.length > 0) {
      if (options.dryRun) emit({ type: 'delete-all-warning' })
      else if (removesAll.server.length > 0) throw deleteAllError(removesAll.server, `on ${endpoint}`, 'sync')
      else throw deleteAllError(removesAll.files, `in ${relPath(ctx.cwd, model.hasura.metadataDir)}`, 'sync')
    }
    if (alreadyThere.length > 0)
      emit({ type: 'adopting', found: alreadyThere, dryRun: options.dryRun === true })

    if (pending(plan) === 0) {
      writeFiles()
      // nothing to apply, but what was adopted is recorded (and a damaged record repaired)
      if (!options.dryRun && (alreadyThere.length > 0 || syncedIsDamaged(model.root)))
        writeSynced(model.root, endpoint, entryOf(desired, nextTables(model.root, endpoint, merged)))
      return result('in_sync')
    }
    if (options.dryRun) return result('dry_run')

    if (!options.yes && !samePlan) {
      if (hooks.confirm) {
        if (!(await hooks.confirm(changes, plan))) return result('cancelled')
      } else if (deletes.length > 0) {
        throw new UserError(
          `the plan deletes ${deletes.length} trigger${deletes.length === 1 ? '' : 's'} and there is no terminal to confirm it: nothing was changed`,
          { hint: 'run `nself-hooks sync --yes` to apply it, or `--dry-run` to only see the plan' },
        )
      }
    }
    confirmed = plan

    const backup = writeBackup(model.root, endpoint, state, syncedEntry(model.root, endpoint), (s) =>
      client.redact(s),
    )
    try {
      await client.replaceMetadata(merged.metadata, {
        resourceVersion: state.resourceVersion,
        allowInconsistent: false,
      })
    } catch (err) {
      rmSync(backup, { force: true })
      if (err instanceof HasuraConflictError && attempt < CONFLICT_RETRIES) {
        emit({ type: 'retry', attempt: attempt + 2 })
        continue
      }
      if (err instanceof HasuraConflictError) {
        throw new UserError(
          `the metadata on ${endpoint} kept changing during sync (${CONFLICT_RETRIES + 1} attempts): nothing was changed`,
          { hint: 'wait until whoever is changing it is done, then run nself-hooks sync again', cause: err },
        )
      }
      throw refusal(err)
    }

    // crons kept out of metadata survive replace_metadata: delete those one by one (rare; `bulk` is
    // not in every server nself-hooks talks to)
    const hiddenDeletes = changes.filter(
      (ch) =>
        ch.kind === 'cron_trigger' &&
        ch.action === 'delete' &&
        state.crons.some((x) => x.name === ch.name && x.include_in_metadata === false),
    )
    for (const ch of hiddenDeletes) await client.deleteCronTrigger(ch.name)

    writeFiles()
    writeSynced(model.root, endpoint, entryOf(desired, nextTables(model.root, endpoint, merged)))
    pruneBackups(model.root)
    emit({ type: 'backup', file: backup })
    const after = await verify(client, desired, owned, project)
    return result('applied', {
      backup,
      resourceVersionAfter: after.resourceVersion,
      warnings: after.warnings,
    })
  }
}

/**
 * The tables sync tracked on this server for its triggers, after a merge: those recorded before
 * and those just tracked, less those just untracked.
 */
function nextTables(
  root: string,
  endpoint: string,
  merged: ReturnType<typeof mergeMetadata>,
): NonNullable<SyncedEntry['tables']> {
  const gone = new Set(merged.untrackedTables.map((t) => tableKey(t.source, t.table)))
  const onServer = trackedTablesOf(merged.metadata)
  const all = new Map<string, { source: string; schema: string; name: string }>()
  for (const t of syncedEntry(root, endpoint)?.tables ?? []) all.set(tableKey(t.source, t), t)
  for (const t of merged.trackedTables)
    all.set(tableKey(t.source, t.table), { source: t.source, schema: t.table.schema, name: t.table.name })
  return [...all]
    .filter(([k]) => !gone.has(k) && onServer.has(k))
    .map(([, t]) => t)
    .sort((a, b) => tableKey(a.source, a).localeCompare(tableKey(b.source, b)))
}

/**
 * A name the config uses, on the server, never managed or synced by nself-hooks, defined otherwise:
 * made by hand, refused without --adopt. Returned: those on the server exactly as the config
 * defines them and not yet recorded as ours (what a sync that died after applying and before
 * recording left), adopted without asking.
 */
function checkTakeovers(
  project: LoadedProject,
  managedBefore: Managed,
  desired: DesiredTriggers,
  state: ServerState,
  endpoint: string,
): string[] {
  const { model } = project
  const synced = syncedEntry(model.root, endpoint)
  const known: Managed = {
    version: 1,
    eventTriggers: (synced?.eventTriggers ?? []).map((t) => ({ ...t, table: { schema: '', name: '' } })),
    cronTriggers: synced?.cronTriggers ?? [],
  }
  const onServer = actualFromServer(state.metadata, state.crons)
  const present = {
    eventTriggers: onServer.eventTriggers.map((e) => ({
      source: e.source,
      name: e.trigger.name,
      where: `on ${endpoint}, table ${typeof e.table === 'string' ? e.table : `${e.table.schema}.${e.table.name}`}`,
    })),
    cronTriggers: onServer.cronTriggers.map((x) => ({ name: x.cron.name, where: `on ${endpoint}` })),
  }
  // names on the server whose definition is not what the config wants
  const everything: Ownership = { eventTriggers: () => true, cronTriggers: () => true }
  const updates = diffTriggers(desired, onServer, everything).filter((ch) => ch.action === 'update')
  const differEt = new Set(
    updates.filter((ch) => ch.kind === 'event_trigger').map((ch) => `${ch.source}\u0000${ch.name}`),
  )
  const differCt = new Set(updates.filter((ch) => ch.kind === 'cron_trigger').map((ch) => ch.name))
  const found = takeovers(model, [managedBefore, known], {
    eventTriggers: present.eventTriggers.filter((e) => differEt.has(`${e.source}\u0000${e.name}`)),
    cronTriggers: present.cronTriggers.filter((x) => differCt.has(x.name)),
  })
  if (found.length > 0) throw takeoverError(found, 'sync')
  return takeovers(model, [managedBefore, known], present)
}

/** After a write: the server is consistent where we touched it and holds exactly what was planned. */
async function verify(
  client: HasuraClient,
  desired: DesiredTriggers,
  owned: Ownership,
  project: LoadedProject,
): Promise<{ resourceVersion: number; warnings: string[] }> {
  const warnings: string[] = []
  const inconsistent = await client.getInconsistentMetadata()
  if (!inconsistent.is_consistent) {
    const ours = inconsistent.inconsistent_objects.filter((o) =>
      project.model.triggers.some(
        (t) => t.name === o.name || JSON.stringify(o.definition ?? '').includes(t.name),
      ),
    )
    const lines = inconsistent.inconsistent_objects.map((o) => {
      const name = o.name ?? ''
      return `  ${name.startsWith(`${o.type} `) ? name : `${o.type} ${name}`}: ${o.reason ?? 'inconsistent'}`
    })
    if (ours.length > 0) {
      throw new UserError(`the server reports inconsistent metadata after sync:\n${lines.join('\n')}`, {
        hint: 'fix the cause (e.g. a missing table or column), then run nself-hooks sync again; nself-hooks sync --rollback restores the previous metadata',
      })
    }
    warnings.push(
      `the server has ${inconsistent.inconsistent_objects.length} inconsistent object(s) not managed by nself-hooks:\n${lines.join('\n')}`,
    )
  }
  const state = await readServer(client)
  const left = planAgainstServer(desired, state, owned)
  if (left.length > 0) {
    throw new UserError(
      `the server accepted the metadata but does not hold what was planned:\n${left.map((ch) => `  ${ch.action} ${describe(ch)}`).join('\n')}`,
      {
        hint: 'run nself-hooks diff --against server to see the difference; this may be a bug in the server or in nself-hooks',
      },
    )
  }
  return { resourceVersion: state.resourceVersion, warnings }
}

/** Hasura refused the new metadata: say why, object by object; the server is unchanged. */
export function refusal(err: unknown): unknown {
  if (!(err instanceof HasuraError)) return err
  const objects = Array.isArray(err.internal) ? (err.internal as Record<string, unknown>[]) : []
  const reasons = objects.map((o) => {
    const def = o.definition as Record<string, unknown> | undefined
    const name = String(o.name ?? def?.name ?? '')
    const type = String(o.type ?? 'object')
    // Hasura names some objects with their type already ("table users in source default")
    const what = name.startsWith(`${type} `) ? name : `${type} ${name}`
    return `  ${what}: ${String(o.reason ?? 'inconsistent')}`
  })
  return new UserError(
    `Hasura refused the new metadata: ${err.message.replace(/^Hasura refused replace_metadata: /, '')}${reasons.length > 0 ? `\n${reasons.join('\n')}` : ''}`,
    {
      hint: 'nothing was changed on the server; fix the config (or create the missing table or column) and run nself-hooks sync again',
      cause: err,
    },
  )
}
