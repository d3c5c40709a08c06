import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { type LoadedProject, loadProject } from '../config/load.js'
import type { Context, GlobalOptions } from '../context.js'
import { ExitCode, UserError } from '../errors.js'
import { connectHasura, type HasuraClient } from '../hasura/client.js'
import { HasuraConflictError, HasuraError } from '../hasura/errors.js'
import { changeJson, describe, renderChanges, summaryLine } from '../metadata/changes-text.js'
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
import type { HasuraCronTrigger } from '../metadata/emit.js'
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
  loadSynced,
  planAgainstServer,
  readServer,
  readSynced,
  type ServerState,
  serverOwnership,
  syncedPath,
  warnAboutSynced,
} from '../metadata/server-state.js'
import { unmanagedJson, unmanagedLine, unmanagedOf } from '../metadata/unmanaged.js'
import { colors, printWarnings } from '../output/report.js'
import { writeFilesAtomic } from '../write-files.js'

export interface SyncOptions extends GlobalOptions {
  dryRun?: boolean
  yes?: boolean
  /** false with --no-generate */
  generate?: boolean
  exitCode?: boolean
  rollback?: boolean
  /** take over hand-made triggers and crons whose names the config uses */
  adopt?: boolean
  /** apply a plan that deletes every managed trigger and cron when the config declares none */
  allowDeleteAll?: boolean
}

/** Re-read and re-plan this many times when the metadata changes between our read and our write. */
export const CONFLICT_RETRIES = 3

/** Names on the server whose definition is not what the config wants (present under that name). */
function differingOnServer(
  desired: DesiredTriggers,
  onServer: ReturnType<typeof actualFromServer>,
): { eventTriggers: Set<string>; cronTriggers: Set<string> } {
  const everything: Ownership = { eventTriggers: () => true, cronTriggers: () => true }
  const updates = diffTriggers(desired, onServer, everything).filter((ch) => ch.action === 'update')
  return {
    eventTriggers: new Set(
      updates.filter((ch) => ch.kind === 'event_trigger').map((ch) => `${ch.source}\u0000${ch.name}`),
    ),
    cronTriggers: new Set(updates.filter((ch) => ch.kind === 'cron_trigger').map((ch) => ch.name)),
  }
}

// ---- what sync last applied ----------------------------------------------------------------------

/** Records what sync now manages on `endpoint`; false when the record already said so. */
function writeSynced(root: string, endpoint: string, desired: DesiredTriggers): boolean {
  const { state, problem } = loadSynced(root)
  const entry = {
    eventTriggers: desired.eventTriggers.map((d) => ({ source: d.source, name: d.trigger.name })),
    cronTriggers: desired.cronTriggers.map((c) => c.name),
  }
  if (problem === undefined && deepEqual(state.endpoints[endpoint], entry)) return false
  state.endpoints[endpoint] = entry
  ensureStateDir(root)
  writeFilesAtomic(new Map([[syncedPath(root), `${JSON.stringify(state, null, 2)}\n`]]))
  return true
}

function ensureStateDir(root: string): void {
  mkdirSync(join(root, '.nself-hooks'), { recursive: true })
  const ignore = join(root, '.nself-hooks', '.gitignore')
  if (!existsSync(ignore)) writeFileSync(ignore, '*\n')
}

// ---- backups -------------------------------------------------------------------------------------

const BACKUP_NAME = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z\.json$/

export function backupDir(root: string): string {
  return join(root, '.nself-hooks', 'backups')
}

interface Backup {
  format_version: 1
  endpoint: string
  saved_at: string
  resource_version: number
  metadata: Record<string, unknown>
  /** crons kept out of metadata at the time (replace_metadata leaves those alone) */
  crons_not_in_metadata: HasuraCronTrigger[]
}

function writeBackup(
  root: string,
  endpoint: string,
  state: ServerState,
  redact: (s: string) => string,
): string {
  ensureStateDir(root)
  const dir = backupDir(root)
  mkdirSync(dir, { recursive: true })
  const now = new Date()
  let file = join(dir, `${now.toISOString().replace(/[:.]/g, '-')}.json`)
  for (let i = 1; existsSync(file); i++) {
    file = join(dir, `${new Date(now.getTime() + i).toISOString().replace(/[:.]/g, '-')}.json`)
  }
  const backup: Backup = {
    format_version: 1,
    endpoint,
    saved_at: now.toISOString(),
    resource_version: state.resourceVersion,
    metadata: state.metadata,
    crons_not_in_metadata: state.crons.filter((c) => c.include_in_metadata === false),
  }
  // the admin secret is never written anywhere, not even if a metadata value happens to hold it
  const tmp = `${file}.tmp`
  writeFileSync(tmp, `${redact(JSON.stringify(backup, null, 2))}\n`, { mode: 0o600 })
  renameSync(tmp, file)
  return file
}

/** Backups of this project, newest first. */
export function listBackups(root: string): string[] {
  const dir = backupDir(root)
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((n) => BACKUP_NAME.test(n))
    .sort()
    .reverse()
    .map((n) => join(dir, n))
}

/** Keeps the newest KEEP_BACKUPS backups: each holds a whole metadata export. */
const KEEP_BACKUPS = 20

function pruneBackups(root: string): void {
  for (const old of listBackups(root).slice(KEEP_BACKUPS)) rmSync(old, { force: true })
}

function readBackup(file: string): Backup | undefined {
  try {
    const b = JSON.parse(readFileSync(file, 'utf8')) as Backup
    return b.format_version === 1 && typeof b.metadata === 'object' && typeof b.endpoint === 'string'
      ? b
      : undefined
  } catch {
    return undefined
  }
}

// ---- the command ---------------------------------------------------------------------------------

export async function sync(options: SyncOptions, ctx: Context): Promise<number> {
  const project = await loadProject(ctx, options)
  printWarnings(ctx, project.warnings)
  if (options.rollback) return rollback(project, options, ctx)
  warnAboutSynced(ctx, project.model.root)

  const c = colors(ctx)
  const json = options.json === true
  const out = (s: string) => {
    if (!json) ctx.stdout.write(s.endsWith('\n') ? s : `${s}\n`)
  }
  const rel = (p: string) => relative(ctx.cwd, p) || p
  const { model } = project

  // ownership: what the record said before generate rewrote it, too (a trigger just removed from
  // the config is still ours to delete on the server)
  const managedBefore = readManaged(model.root)
  // The files are planned now (a bad metadata directory stops sync before the server is touched)
  // but written only once the server took the plan, or needs none: a refused sync leaves no trace.
  const { planGenerate, writeGenerated } = await import('./generate.js')
  const filePlan =
    options.generate !== false ? planGenerate(project, { adopt: options.adopt ?? false }) : undefined
  const generated = filePlan ? [...filePlan.changes.keys()] : []
  const writeFiles = () => {
    if (options.dryRun) return
    if (filePlan) {
      for (const line of writeGenerated(filePlan, ctx)) out(line)
      return
    }
    // --no-generate leaves the metadata files alone, but the record of what is managed must
    // still follow the config, or the next sync would not know its own triggers
    const record = renderManaged(nextManaged(model, managedBefore, managedBefore.tables))
    const file = managedPath(model.root)
    if (!existsSync(file) || readFileSync(file, 'utf8') !== record) {
      writeFilesAtomic(new Map([[file, record]]))
      out(`${c.green('wrote')} ${rel(file)}`)
    }
  }
  const desired = desiredFromModel(model, { crons: 'all' })
  const client = connectHasura(project, ctx)
  const endpoint = client.endpoint
  const owned = serverOwnership(model, [managedBefore, filePlan?.managed ?? managedBefore], endpoint)
  let confirmed: Change[] | undefined
  for (let attempt = 0; ; attempt++) {
    const state = await readServer(client)
    // objects on the server exactly as the config defines them and not yet recorded as ours: what
    // a sync that died after applying and before recording left (adopted without asking)
    let alreadyThere: string[] = []
    if (!options.adopt) {
      // a name the config uses, on the server, never managed or synced by nself-hooks: made by hand
      const synced = readSynced(model.root).endpoints[endpoint]
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
      const differ = differingOnServer(desired, onServer)
      const found = takeovers(model, [managedBefore, known], {
        eventTriggers: present.eventTriggers.filter((e) =>
          differ.eventTriggers.has(`${e.source}\u0000${e.name}`),
        ),
        cronTriggers: present.cronTriggers.filter((x) => differ.cronTriggers.has(x.name)),
      })
      if (found.length > 0) throw takeoverError(found, 'sync')
      alreadyThere = takeovers(model, [managedBefore, known], present)
    }
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
    const counts = summarize(changes)
    // pure and cheap: computed with the plan, so a dry run shows the tables it would track too
    const merged = changes.length > 0 ? mergeMetadata(state.metadata, desired, owned) : undefined
    const tracked = merged?.trackedTables ?? []

    const unmanaged = unmanagedOf(actualFromServer(state.metadata, state.crons), owned)
    const samePlan = confirmed !== undefined && deepEqual(confirmed, changes)
    if (!samePlan) {
      out(
        attempt === 0
          ? `Plan for ${endpoint} (resource_version ${state.resourceVersion}):`
          : `Re-planned after a concurrent change (resource_version ${state.resourceVersion}):`,
      )
      if (changes.length === 0) {
        out(
          `  no changes: the server matches the config (${model.triggers.length} event trigger${model.triggers.length === 1 ? '' : 's'}, ${model.crons.length} cron trigger${model.crons.length === 1 ? '' : 's'})`,
        )
      } else {
        out(renderChanges(changes, c))
        for (const t of tracked) {
          out(
            `  ${c.green(`+ track table ${t.table.schema}.${t.table.name}`)} ${c.dim('(untracked; a trigger targets it)')}`,
          )
        }
        out(
          `Plan: ${summaryLine(changes, { create: 'to create', update: 'to update', delete: 'to delete' })}.`,
        )
      }
      const line = unmanagedLine(unmanaged, 'server')
      if (line) out(c.dim(`  ${line}`))
    }

    const report = (extra: Record<string, unknown>) => {
      if (json) {
        ctx.stdout.write(
          `${JSON.stringify(
            {
              format_version: 1,
              endpoint,
              resource_version: state.resourceVersion,
              generated: generated.map(rel),
              changes: changes.map((ch) => changeJson(ch, 'server')),
              summary: counts,
              tracked_tables: tracked.map((t) => ({ source: t.source, ...t.table })),
              unmanaged: unmanagedJson(unmanaged),
              ...extra,
            },
            null,
            2,
          )}\n`,
        )
      }
    }
    const done = (code: number) => (options.exitCode && changes.length > 0 ? ExitCode.drift : code)

    if (removesAll && !options.allowDeleteAll && removesAll.server.length + removesAll.files.length > 0) {
      if (options.dryRun) {
        ctx.stderr.write(
          `${c.yellow('warning')} the config declares no trigger: this plan deletes every managed one, which needs --allow-delete-all\n`,
        )
      } else if (removesAll.server.length > 0) {
        throw deleteAllError(removesAll.server, `on ${endpoint}`, 'sync')
      } else {
        throw deleteAllError(removesAll.files, `in ${rel(model.hasura.metadataDir)}`, 'sync')
      }
    }
    if (alreadyThere.length > 0) {
      out(
        `${options.dryRun ? 'would adopt' : 'adopting'} ${alreadyThere.length === 1 ? 'a trigger' : `${alreadyThere.length} triggers`} already on the server exactly as the config defines ${alreadyThere.length === 1 ? 'it' : 'them'} (an earlier sync that did not finish recording?):\n${alreadyThere.map((f) => `  ${f}`).join('\n')}`,
      )
    }

    if (changes.length === 0) {
      writeFiles()
      // nothing to apply, but what was adopted is recorded (and a damaged record repaired)
      if (!options.dryRun && (alreadyThere.length > 0 || loadSynced(model.root).problem !== undefined))
        writeSynced(model.root, endpoint, desired)
      report({ applied: false })
      return ExitCode.ok
    }
    if (options.dryRun) {
      out(c.dim('dry run: nothing was changed'))
      report({ applied: false, dry_run: true })
      return done(ExitCode.ok)
    }

    if (!options.yes && !samePlan) {
      if (ctx.confirm && ctx.isTTY && !json) {
        const ok = await ctx.confirm(
          `Apply ${changes.length === 1 ? 'this change' : `these ${changes.length} changes`} to ${endpoint}?`,
        )
        if (!ok) {
          out('cancelled: nothing was changed')
          return ExitCode.error
        }
      } else if (counts.delete > 0) {
        throw new UserError(
          `the plan deletes ${counts.delete} trigger${counts.delete === 1 ? '' : 's'} and there is no terminal to confirm it: nothing was changed`,
          { hint: 'run `nself-hooks sync --yes` to apply it, or `--dry-run` to only see the plan' },
        )
      }
    }
    confirmed = changes

    const metadata = merged!.metadata
    const backup = writeBackup(model.root, endpoint, state, (s) => client.redact(s))
    try {
      await client.replaceMetadata(metadata, {
        resourceVersion: state.resourceVersion,
        allowInconsistent: false,
      })
    } catch (err) {
      rmSync(backup, { force: true })
      if (err instanceof HasuraConflictError && attempt < CONFLICT_RETRIES) {
        out(c.yellow(`the metadata changed on the server meanwhile; re-reading (attempt ${attempt + 2})`))
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
    if (hiddenDeletes.length > 0) {
      for (const ch of hiddenDeletes) await client.deleteCronTrigger(ch.name)
    }

    writeFiles()
    writeSynced(model.root, endpoint, desired)
    pruneBackups(model.root)
    out(`saved the previous metadata to ${rel(backup)} (restore it with nself-hooks sync --rollback)`)
    const after = await verify(client, desired, owned, project)
    out(
      `${c.green('applied')}: ${summaryLine(changes, { create: 'created', update: 'updated', delete: 'deleted' })} (resource_version ${state.resourceVersion} → ${after.resourceVersion})`,
    )
    for (const w of after.warnings) ctx.stderr.write(`${c.yellow('warning')} ${w}\n`)
    report({ applied: true, backup: rel(backup), resource_version_after: after.resourceVersion })
    return done(ExitCode.ok)
  }
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
function refusal(err: unknown): unknown {
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

// ---- rollback ------------------------------------------------------------------------------------

async function rollback(project: LoadedProject, options: SyncOptions, ctx: Context): Promise<number> {
  const c = colors(ctx)
  const { model } = project
  const rel = (p: string) => relative(ctx.cwd, p) || p
  const client = connectHasura(project, ctx)
  // only a backup of this endpoint: restoring staging's metadata into production would be a disaster
  const all = listBackups(model.root)
  const file = all.find((f) => readBackup(f)?.endpoint === client.endpoint)
  if (!file) {
    const others = [...new Set(all.map((f) => readBackup(f)?.endpoint).filter((e) => e !== undefined))]
    throw new UserError(`no backup of ${client.endpoint} in ${rel(backupDir(model.root))}`, {
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
  const changes = diffTriggers(desired, current, everything)
  const out = (s: string) => {
    if (!options.json) ctx.stdout.write(s.endsWith('\n') ? s : `${s}\n`)
  }
  out(
    `Rollback of ${client.endpoint} (resource_version ${state.resourceVersion}) to ${rel(file)} (saved ${backup.saved_at}, resource_version ${backup.resource_version}):`,
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
  const otherChanges =
    strip(backup.metadata as Record<string, unknown>) !== strip(state.metadata as Record<string, unknown>)
  out(changes.length > 0 ? renderChanges(changes, c) : '  no trigger changes')
  if (otherChanges) {
    out(
      c.yellow(
        '  other metadata differs too (tables, permissions, relationships, actions...) and goes back to the backup',
      ),
    )
  }
  if (options.dryRun) {
    out(c.dim('dry run: nothing was changed'))
    return ExitCode.ok
  }
  if (changes.length === 0 && !otherChanges) {
    out('the server already holds the backed-up metadata: nothing to restore')
    return ExitCode.ok
  }
  if (!options.yes) {
    if (ctx.confirm && ctx.isTTY && !options.json) {
      if (!(await ctx.confirm(`Restore this metadata on ${client.endpoint}?`))) {
        out('cancelled: nothing was changed')
        return ExitCode.error
      }
    } else {
      throw new UserError(
        'a rollback replaces the whole metadata on the server and there is no terminal to confirm it: nothing was changed',
        {
          hint: 'look at the plan with `nself-hooks sync --rollback --dry-run`, then run `nself-hooks sync --rollback --yes`',
        },
      )
    }
  }
  // What the rollback replaces is saved first, so the rollback itself can be undone.
  const undo = writeBackup(model.root, client.endpoint, state, (s) => client.redact(s))
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
  const after = await client.exportMetadata()
  if (options.json) {
    ctx.stdout.write(
      `${JSON.stringify(
        {
          format_version: 1,
          endpoint: client.endpoint,
          restored: rel(file),
          changes: changes.map((ch) => changeJson(ch, 'server')),
          resource_version: state.resourceVersion,
          resource_version_after: after.resource_version,
          replaced_saved_to: rel(undo),
        },
        null,
        2,
      )}\n`,
    )
  }
  out(
    `${c.green('restored')} ${rel(file)} (resource_version ${state.resourceVersion} → ${after.resource_version})`,
  )
  out(
    `saved the metadata it replaced to ${rel(undo)} (nself-hooks sync --rollback again undoes this rollback)`,
  )
  if (backup.crons_not_in_metadata.length > 0) {
    out(
      c.dim(
        `note: ${backup.crons_not_in_metadata.length} cron trigger(s) kept out of metadata are not part of a metadata restore`,
      ),
    )
  }
  return ExitCode.ok
}
