import type { Context, GlobalOptions } from '../context.js'
import { ExitCode } from '../errors.js'
import { changeJson, fileLine, renderChanges, summaryLine } from '../metadata/changes-text.js'
import { syncedWarning } from '../metadata/server-state.js'
import { unmanagedJson, unmanagedLine } from '../metadata/unmanaged.js'
import { printJson } from '../output/json.js'
import { colors, printWarnings } from '../output/report.js'
import { plural, relPath } from '../output/text.js'
import { loadProject } from '../project.js'
import { applySync, pending, type SyncOptions as StageOptions, type SyncEvent } from '../sync/apply.js'
import { type RollbackPlan, rollbackSync } from '../sync/rollback.js'

export interface SyncOptions extends GlobalOptions, StageOptions {
  exitCode?: boolean
  rollback?: boolean
}

export async function sync(options: SyncOptions, ctx: Context): Promise<number> {
  const project = await loadProject(ctx, options)
  printWarnings(ctx, project.warnings)
  if (options.rollback) return rollback(options, ctx, project)
  const c = colors(ctx)
  const warning = syncedWarning(ctx.cwd, project.model.root)
  if (warning) ctx.stderr.write(`${c.yellow('warning')} ${warning}\n`)

  const json = options.json === true
  const out = (s: string) => {
    if (!json) ctx.stdout.write(s.endsWith('\n') ? s : `${s}\n`)
  }
  const rel = (p: string) => relPath(ctx.cwd, p)
  const { model } = project
  const render = (e: SyncEvent) => {
    switch (e.type) {
      case 'plan': {
        const { plan } = e
        out(
          e.attempt === 0
            ? `Plan for ${plan.endpoint} (resource_version ${plan.resourceVersion}):`
            : `Re-planned after a concurrent change (resource_version ${plan.resourceVersion}):`,
        )
        const unmanaged = unmanagedLine(plan.unmanaged, 'server')
        if (pending(plan) === 0) {
          out(
            `  no changes: the server matches the config (${plural(model.triggers.length, 'event trigger')}, ${plural(model.crons.length, 'cron trigger')})`,
          )
          if (unmanaged) out(c.dim(`  ${unmanaged}`))
          return
        }
        if (plan.changes.length > 0) out(renderChanges(plan.changes, c))
        for (const t of plan.trackedTables) {
          out(
            `  ${c.green(`+ track table ${t.table.schema}.${t.table.name}`)} ${c.dim('(untracked; a trigger targets it)')}`,
          )
        }
        for (const t of plan.untrackedTables) {
          out(
            `  ${c.red(`- untrack table ${t.table.schema}.${t.table.name}`)} ${c.dim('(tracked by nself-hooks for triggers that are gone)')}`,
          )
        }
        // the table lines above say what else the plan does; the summary counts triggers
        out(
          `Plan: ${summaryLine(plan.changes, { create: 'to create', update: 'to update', delete: 'to delete' })}.`,
        )
        if (unmanaged) out(c.dim(`  ${unmanaged}`))
        return
      }
      case 'delete-all-warning':
        ctx.stderr.write(
          `${c.yellow('warning')} the config declares no trigger: this plan deletes every managed one, which needs --allow-delete-all\n`,
        )
        return
      case 'adopting': {
        const n = e.found.length
        out(
          `${e.dryRun ? 'would adopt' : 'adopting'} ${n === 1 ? 'a trigger' : `${n} triggers`} already on the server exactly as the config defines ${n === 1 ? 'it' : 'them'} (an earlier sync that did not finish recording?):\n${e.found.map((f) => `  ${f}`).join('\n')}`,
        )
        return
      }
      case 'wrote':
        for (const f of e.files) out(fileLine(c, ctx.cwd, f))
        return
      case 'retry':
        out(c.yellow(`the metadata changed on the server meanwhile; re-reading (attempt ${e.attempt})`))
        return
      case 'backup':
        out(`saved the previous metadata to ${rel(e.file)} (restore it with nself-hooks sync --rollback)`)
    }
  }
  const confirm = ctx.confirm
  const result = await applySync(project, options, ctx, {
    onEvent: render,
    ...(confirm && ctx.isTTY && !json
      ? {
          confirm: (_changes, plan) =>
            confirm(
              `Apply ${pending(plan) === 1 ? 'this change' : `these ${pending(plan)} changes`} to ${plan.endpoint}?`,
            ),
        }
      : {}),
  })
  if (result.outcome === 'cancelled') {
    out('cancelled: nothing was changed')
    return ExitCode.error
  }
  if (result.outcome === 'dry_run') out(c.dim('dry run: nothing was changed'))
  if (result.outcome === 'applied') {
    out(
      `${c.green('applied')}: ${summaryLine(result.changes, { create: 'created', update: 'updated', delete: 'deleted' })}${result.untrackedTables.length > 0 ? ` and ${plural(result.untrackedTables.length, 'table')} untracked` : ''} (resource_version ${result.resourceVersion} → ${result.resourceVersionAfter})`,
    )
    for (const w of result.warnings) ctx.stderr.write(`${c.yellow('warning')} ${w}\n`)
  }
  if (json) {
    const table = (t: { source: string; table: { schema: string; name: string } }) => ({
      source: t.source,
      ...t.table,
    })
    printJson(ctx, {
      endpoint: result.endpoint,
      resource_version: result.resourceVersion,
      generated: result.generated.map(rel),
      changes: result.changes.map((ch) => changeJson(ch, 'server')),
      summary: result.summary,
      tracked_tables: result.trackedTables.map(table),
      unmanaged: unmanagedJson(result.unmanaged),
      untracked_tables: result.untrackedTables.map(table),
      applied: result.outcome === 'applied',
      ...(result.outcome === 'dry_run' ? { dry_run: true } : {}),
      ...(result.outcome === 'applied'
        ? { backup: rel(result.backup!), resource_version_after: result.resourceVersionAfter }
        : {}),
    })
  }
  if (result.outcome === 'in_sync') return ExitCode.ok
  return options.exitCode && pending(result) > 0 ? ExitCode.drift : ExitCode.ok
}

async function rollback(
  options: SyncOptions,
  ctx: Context,
  project: Awaited<ReturnType<typeof loadProject>>,
): Promise<number> {
  const c = colors(ctx)
  const rel = (p: string) => relPath(ctx.cwd, p)
  const out = (s: string) => {
    if (!options.json) ctx.stdout.write(s.endsWith('\n') ? s : `${s}\n`)
  }
  const showPlan = (plan: RollbackPlan) => {
    out(
      `Rollback of ${plan.endpoint} (resource_version ${plan.resourceVersion}) to ${rel(plan.file)} (saved ${plan.savedAt}, resource_version ${plan.backupResourceVersion}):`,
    )
    out(plan.changes.length > 0 ? renderChanges(plan.changes, c) : '  no trigger changes')
    if (plan.otherChanges) {
      out(
        c.yellow(
          '  other metadata differs too (tables, permissions, relationships, actions...) and goes back to the backup',
        ),
      )
    }
  }
  const confirm = ctx.confirm
  const result = await rollbackSync(project, options, ctx, {
    onPlan: showPlan,
    ...(confirm && ctx.isTTY && !options.json
      ? { confirm: (plan: RollbackPlan) => confirm(`Restore this metadata on ${plan.endpoint}?`) }
      : {}),
  })
  switch (result.outcome) {
    case 'dry_run':
      out(c.dim('dry run: nothing was changed'))
      return ExitCode.ok
    case 'nothing':
      out('the server already holds the backed-up metadata: nothing to restore')
      return ExitCode.ok
    case 'cancelled':
      out('cancelled: nothing was changed')
      return ExitCode.error
    case 'restored':
      break
  }
  if (options.json) {
    printJson(ctx, {
      endpoint: result.endpoint,
      restored: rel(result.file),
      changes: result.changes.map((ch) => changeJson(ch, 'server')),
      resource_version: result.resourceVersion,
      resource_version_after: result.resourceVersionAfter,
      replaced_saved_to: rel(result.replacedSavedTo!),
    })
  }
  out(
    `${c.green('restored')} ${rel(result.file)} (resource_version ${result.resourceVersion} → ${result.resourceVersionAfter})`,
  )
  out(
    `saved the metadata it replaced to ${rel(result.replacedSavedTo!)} (nself-hooks sync --rollback again undoes this rollback)`,
  )
  if (result.cronsNotInMetadata > 0) {
    out(
      c.dim(
        `note: ${result.cronsNotInMetadata} cron trigger(s) kept out of metadata are not part of a metadata restore`,
      ),
    )
  }
  return ExitCode.ok
}
