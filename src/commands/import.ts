import { existsSync, readFileSync } from 'node:fs'
import { createTwoFilesPatch } from 'diff'
import type { Context } from '../context.js'
import { ExitCode, UserError } from '../errors.js'
import { type ImportOptions, planImport } from '../import/plan.js'
import { printJson } from '../output/json.js'
import { colors } from '../output/report.js'
import { plural, relPath } from '../output/text.js'
import { writeFilesAtomic } from '../write-files.js'

export interface ImportCommandOptions extends ImportOptions {
  dryRun?: boolean
}

const KIND = { event_trigger: 'event trigger', cron_trigger: 'cron trigger' } as const

export async function importCommand(options: ImportCommandOptions, ctx: Context): Promise<number> {
  const plan = await planImport(ctx, options)
  const c = colors(ctx)
  const rel = (p: string) => relPath(ctx.cwd, p)
  const write = !options.dryRun && plan.changes.size > 0
  if (write) writeFilesAtomic(plan.changes)

  if (options.json) {
    printJson(ctx, {
      from: plan.from,
      origin: plan.origin,
      config: rel(plan.configFile),
      created: plan.created,
      dry_run: options.dryRun === true,
      written: write ? [...plan.changes.keys()].sort().map(rel) : [],
      imported: plan.imported.map((e) => ({
        kind: e.kind,
        name: e.name,
        ...(e.source !== undefined ? { source: e.source } : {}),
        ...(e.table !== undefined ? { table: e.table } : {}),
        from: e.where,
      })),
      skipped: plan.skipped,
      refused: plan.refused,
      env_needed: plan.secrets.map((s) => ({ kind: s.kind, name: s.name, header: s.header, env: s.env })),
    })
  } else {
    if (options.dryRun) {
      for (const [path, text] of [...plan.changes].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const before = existsSync(path) ? readFileSync(path, 'utf8') : ''
        const patch = createTwoFilesPatch(`a/${rel(path)}`, `b/${rel(path)}`, before, text, '', '', {
          context: 3,
        })
        ctx.stdout.write(`${patch.split('\n').slice(1).join('\n')}\n`)
      }
    }
    for (const e of plan.imported) {
      ctx.stdout.write(
        `${c.green('+')} ${KIND[e.kind]} ${e.name}${e.table ? ` on ${e.table.schema}.${e.table.name}` : ''} ${c.dim(`(${e.where})`)}\n`,
      )
    }
    for (const s of plan.skipped) ctx.stdout.write(`${c.dim(`= ${KIND[s.kind]} ${s.name}: ${s.reason}`)}\n`)
    for (const r of plan.refused) {
      ctx.stderr.write(`${c.yellow('not imported')} ${KIND[r.kind]} ${r.name}: ${r.reason}\n`)
    }
    for (const s of plan.secrets) {
      ctx.stderr.write(
        `${c.yellow('warning')} ${KIND[s.kind]} ${s.name}: header "${s.header}" had a literal secret value; the config now reads it from ${s.env}: set ${s.env} where Hasura runs (the value was not written anywhere)\n`,
      )
    }
    const n = plan.imported.length
    const summary =
      n === 0
        ? `nothing to import from ${plan.origin}`
        : `${options.dryRun ? 'would import' : 'imported'} ${plural(n, 'entry', 'entries')} from ${plan.origin} into ${rel(plan.configFile)}${plan.created ? ' (created)' : ''}`
    ctx.stdout.write(`${summary}${options.dryRun && n > 0 ? ' (dry run: nothing written)' : ''}\n`)
    if (write) {
      for (const path of [...plan.changes.keys()].sort())
        ctx.stdout.write(`${c.green('wrote')} ${rel(path)}\n`)
      ctx.stdout.write(
        `next: nself-hooks ${plan.from === 'files' ? 'generate --check (the metadata files stay as they are)' : 'sync --dry-run (the server stays as it is)'}\n`,
      )
    }
  }
  if (plan.imported.length === 0 && plan.skipped.length === 0 && plan.refused.length > 0) {
    throw new UserError(
      `none of the requested triggers and crons could be imported (${plural(plan.refused.length, 'refusal')})`,
      { hint: 'the reasons are above; those stay as they are, unmanaged by the config; nothing was written' },
    )
  }
  return ExitCode.ok
}
