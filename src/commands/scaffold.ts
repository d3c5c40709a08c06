import type { Context, GlobalOptions } from '../context.js'
import { print } from '../context.js'
import { columnsFromHasura, columnsFromPostgres } from '../hasura/introspect.js'
import { printJson } from '../output/json.js'
import { colors, printWarnings } from '../output/report.js'
import { relPath } from '../output/text.js'
import { loadProject } from '../project.js'
import { COLUMNS_FILE } from '../scaffold/columns.js'
import { type ColumnSource, type ScaffoldResult, scaffoldService } from '../scaffold/service.js'
import type { FileResult } from '../scaffold/write.js'

export interface ScaffoldOptions extends GlobalOptions {
  handler?: string | undefined
  all?: boolean
  initService?: boolean
  force?: boolean
  dryRun?: boolean
  introspect?: boolean
  databaseUrl?: string
}

/** `nself-hooks scaffold`: typed handler code for the config's triggers, crons and external webhooks. */
export async function scaffold(options: ScaffoldOptions, ctx: Context): Promise<number> {
  const { model, env, warnings } = await loadProject(ctx, options)
  printWarnings(ctx, warnings)
  const { databaseUrl } = options
  const columns: ColumnSource | undefined =
    databaseUrl !== undefined
      ? { source: 'postgres', fetch: (tables) => columnsFromPostgres(databaseUrl, tables) }
      : options.introspect
        ? {
            source: 'hasura',
            fetch: (tables) =>
              columnsFromHasura(model.hasura.endpoint, env.values[model.hasura.adminSecretEnv], tables),
          }
        : undefined
  const result = await scaffoldService(model, { ...options, columns }, ctx.cwd)

  if (options.json) {
    printJson(ctx, {
      service: result.service,
      dry_run: result.dryRun,
      ...(result.columns ? { columns: result.columns } : {}),
      files: result.files,
      warnings: result.warnings,
    })
    return 0
  }
  report(ctx, result)
  for (const n of result.warnings) ctx.stderr.write(`${colors(ctx).yellow('warning')} ${n}\n`)
  return 0
}

function report(ctx: Context, result: ScaffoldResult): void {
  const dir = relPath(ctx.cwd, result.service.dir)
  const { files } = result
  const c = colors(ctx)
  const paint: Record<FileResult['action'], (s: string) => string> = {
    created: c.green,
    updated: c.cyan,
    unchanged: c.dim,
    kept: c.yellow,
    overwritten: c.magenta,
  }
  if (result.columns)
    print(ctx, `${paint[result.columns.action](result.columns.action.padEnd(11))} ${COLUMNS_FILE}`)
  for (const f of files) {
    const extra = f.backup ? ` (backup ${dir}/${f.backup})` : f.note ? ` (${f.note})` : ''
    print(
      ctx,
      `${paint[f.action](f.action.padEnd(11))} ${dir}/${f.path}${c.dim(f.kind === 'user' ? ' [yours]' : '')}${extra}`,
    )
  }
  const count = (a: FileResult['action']) => files.filter((f) => f.action === a).length
  const parts = (['created', 'updated', 'overwritten', 'kept', 'unchanged'] as const)
    .filter((a) => count(a) > 0)
    .map((a) => `${count(a)} ${a}`)
  print(ctx, `${result.dryRun ? 'dry run, nothing written: ' : ''}${parts.join(', ')}`)
}
