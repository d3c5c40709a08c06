import { rmSync } from 'node:fs'
import type { Context } from '../context.js'
import { UserError } from '../errors.js'
import { connectHasura } from '../hasura/client.js'
import { HasuraConflictError } from '../hasura/errors.js'
import {
  actualFromServer,
  type Change,
  type DesiredTriggers,
  diffTriggers,
  type Ownership,
} from '../metadata/diff.js'
import type { HasuraCronTrigger } from '../metadata/emit.js'
import { entryPresentIn, readServer, syncedEntry, writeSynced } from '../metadata/server-state.js'
import { relPath } from '../output/text.js'
import type { LoadedProject } from '../project.js'
import { refusal } from './apply.js'
import { backupDir, listBackups, readBackup, writeBackup } from './backups.js'

/** `sync --rollback` as a stage: put the newest backup of this endpoint back on the server. */

export interface RollbackPlan {
  endpoint: string
  /** the backup restored */
  file: string
  savedAt: string
  resourceVersion: number
  backupResourceVersion: number
  changes: Change[]
  /** more than triggers goes back (tables, permissions, relationships, actions...) */
  otherChanges: boolean
}

export interface RollbackResult extends RollbackPlan {
  /** nothing: the server already holds the backup */
  outcome: 'dry_run' | 'nothing' | 'cancelled' | 'restored'
  resourceVersionAfter?: number
  /** the backup of the metadata the rollback replaced (a second rollback restores it) */
  replacedSavedTo?: string
  /** crons kept out of metadata in the backup: not part of a metadata restore */
  cronsNotInMetadata: number
}

export interface RollbackHooks {
  onPlan?: (plan: RollbackPlan) => void
  /** asked before the metadata is replaced (unless `yes`); without it, a rollback is refused */
  confirm?: (plan: RollbackPlan) => Promise<boolean>
}

export async function rollbackSync(
  project: LoadedProject,
  options: { dryRun?: boolean; yes?: boolean },
  ctx: Pick<Context, 'verbose' | 'stderr' | 'cwd'>,
  hooks: RollbackHooks = {},
): Promise<RollbackResult> {
  const { model } = project
  const client = connectHasura(project, ctx)
  // only a backup of this endpoint: restoring staging's metadata into production would be a disaster
  const all = listBackups(model.root)
  const file = all.find((f) => readBackup(f)?.endpoint === client.endpoint)
  if (!file) {
    const others = [...new Set(all.map((f) => readBackup(f)?.endpoint).filter((e) => e !== undefined))]
    throw new UserError(`no backup of ${client.endpoint} in ${relPath(ctx.cwd, backupDir(model.root))}`, {
      hint:
        others.length > 0
          ? `there are backups of ${others.join(', ')}; pass --endpoint to restore one of those servers`
          : 'nself-hooks sync saves one before each change it applies; there is nothing to restore yet',
    })
  }
  const backup = readBackup(file)!
  const state = await readServer(client)
  const everything: Ownership = { eventTriggers: () => true, cronTriggers: () => true }
  const restored = actualFromServer(backup.metadata, [
    ...((backup.metadata.cron_triggers as HasuraCronTrigger[] | undefined) ?? []),
  ])
  const desired: DesiredTriggers = {
    eventTriggers: restored.eventTriggers.map((e) => ({
      source: e.source,
      table: typeof e.table === 'string' ? { schema: 'public', name: e.table } : e.table,
      trigger: e.trigger,
    })),
    cronTriggers: restored.cronTriggers.map((x) => x.cron),
  }
  const current = actualFromServer(
    state.metadata,
    state.crons.filter((x) => x.include_in_metadata !== false),
  )
  // A rollback restores the whole metadata: say when more than triggers would change back.
  const strip = (m: Record<string, unknown>) =>
    JSON.stringify({
      ...m,
      cron_triggers: undefined,
      sources: ((m.sources as Record<string, unknown>[] | undefined) ?? []).map((src) => ({
        ...src,
        tables: ((src.tables as Record<string, unknown>[] | undefined) ?? []).map((t) => ({
          ...t,
          event_triggers: undefined,
        })),
      })),
    })
  const plan: RollbackPlan = {
    endpoint: client.endpoint,
    file,
    savedAt: backup.saved_at,
    resourceVersion: state.resourceVersion,
    backupResourceVersion: backup.resource_version,
    changes: diffTriggers(desired, current, everything),
    otherChanges: strip(backup.metadata) !== strip(state.metadata),
  }
  hooks.onPlan?.(plan)
  const result = (outcome: RollbackResult['outcome'], extra: Partial<RollbackResult> = {}) => ({
    ...plan,
    outcome,
    cronsNotInMetadata: backup.crons_not_in_metadata.length,
    ...extra,
  })
  if (options.dryRun) return result('dry_run')
  if (plan.changes.length === 0 && !plan.otherChanges) return result('nothing')
  if (!options.yes) {
    if (!hooks.confirm) {
      throw new UserError(
        'a rollback replaces the whole metadata on the server and there is no terminal to confirm it: nothing was changed',
        {
          hint: 'look at the plan with `nself-hooks sync --rollback --dry-run`, then run `nself-hooks sync --rollback --yes`',
        },
      )
    }
    if (!(await hooks.confirm(plan))) return result('cancelled')
  }
  // What the rollback replaces is saved first, so the rollback itself can be undone.
  const syncedNow = syncedEntry(model.root, client.endpoint)
  const undo = writeBackup(model.root, client.endpoint, state, syncedNow, (s) => client.redact(s))
  try {
    await client.replaceMetadata(backup.metadata, { resourceVersion: state.resourceVersion })
  } catch (err) {
    rmSync(undo, { force: true })
    if (err instanceof HasuraConflictError) {
      throw new UserError('the metadata changed on the server during the rollback: nothing was changed', {
        hint: 'run nself-hooks sync --rollback again',
        cause: err,
      })
    }
    throw refusal(err)
  }
  // The record of what sync applied here goes back with the metadata: what it said when the
  // backup was taken (a backup older than that record: what it says now), less what the
  // restored metadata does not hold.
  const before = backup.synced === undefined ? syncedNow : (backup.synced ?? undefined)
  writeSynced(model.root, client.endpoint, before && entryPresentIn(before, backup.metadata))
  const after = await client.exportMetadata()
  return result('restored', { resourceVersionAfter: after.resource_version, replacedSavedTo: undo })
}
