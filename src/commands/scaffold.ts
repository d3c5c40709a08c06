import { existsSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import type { Context, GlobalOptions } from '../context.js'
import { print } from '../context.js'
import { UserError } from '../errors.js'
import { columnsFromHasura, columnsFromPostgres, type TableColumns, tableKey } from '../hasura/introspect.js'
import type { Model, TableRef } from '../model/types.js'
import { colors, printWarnings } from '../output/report.js'
import { loadProject } from '../project.js'
import { COLUMNS_FILE, columnsCachePath, readColumnsCache, renderColumnsCache } from '../scaffold/columns.js'
import { renderService, templateFor } from '../scaffold/render.js'
import { buildShape } from '../scaffold/shape.js'
import type { TemplateDef } from '../scaffold/templates.js'
import { type FileResult, type PendingWrite, planFiles, writeAll } from '../scaffold/write.js'

export interface ScaffoldOptions extends GlobalOptions {
  handler?: string
  all?: boolean
  initService?: boolean
  force?: boolean
  dryRun?: boolean
  introspect?: boolean
  databaseUrl?: string
}

/** Tables of the triggers the service handles, each once. */
/** Every table a trigger uses, handler or not: the cache also checks the config's columns. */
function triggerTables(model: Model): TableRef[] {
  const seen = new Map<string, TableRef>()
  for (const t of model.triggers) seen.set(tableKey(t.table), t.table)
  return [...seen.values()]
}

interface ColumnsLoad {
  columns: TableColumns
  /** what changed in webhooks.columns.json */
  cacheAction?: 'created' | 'updated' | 'unchanged'
  /** the cache file to write, together with the service files */
  cacheWrite?: PendingWrite
  warnings: string[]
}

async function loadColumns(
  model: Model,
  env: Record<string, string | undefined>,
  opts: ScaffoldOptions,
): Promise<ColumnsLoad> {
  const tables = triggerTables(model)
  const warnings: string[] = []
  if (opts.databaseUrl === undefined && !opts.introspect) {
    const cache = readColumnsCache(model.root)
    if (!cache && tables.length > 0) {
      warnings.push(
        `no ${COLUMNS_FILE} yet: rows are typed as open objects; run scaffold once with --introspect (Hasura) or --database-url (Postgres) and commit ${COLUMNS_FILE}`,
      )
    }
    return { columns: cache?.tables ?? {}, warnings }
  }
  const source = opts.databaseUrl !== undefined ? 'postgres' : 'hasura'
  const fetched =
    opts.databaseUrl !== undefined
      ? await columnsFromPostgres(opts.databaseUrl, tables)
      : await columnsFromHasura(model.hasura.endpoint, env[model.hasura.adminSecretEnv], tables)
  for (const t of tables) {
    if (!fetched[tableKey(t)]) {
      warnings.push(
        `table ${tableKey(t)} was not found through ${source === 'postgres' ? 'Postgres' : 'Hasura GraphQL'}; its rows are typed as open objects`,
      )
    }
  }
  const file = columnsCachePath(model.root)
  const text = renderColumnsCache({ source, tables: fetched })
  const before = existsSync(file) ? readFileSync(file, 'utf8') : undefined
  const cacheAction = before === undefined ? 'created' : before === text ? 'unchanged' : 'updated'
  const cacheWrite = cacheAction !== 'unchanged' ? { file, content: text } : undefined
  return { columns: fetched, cacheAction, ...(cacheWrite ? { cacheWrite } : {}), warnings }
}

/** Dependencies the generated code imports that the service's own manifest lacks. */
function missingDependencies(dir: string, template: TemplateDef): string[] {
  if (template.language === 'ts') {
    const file = join(dir, 'package.json')
    if (!existsSync(file)) return []
    try {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string> | undefined>
      const have = { ...pkg.dependencies, ...pkg.devDependencies }
      return template.requires.filter((d) => have[d] === undefined)
    } catch {
      return []
    }
  }
  const file = join(dir, 'requirements.txt')
  if (!existsSync(file)) return []
  const have = readFileSync(file, 'utf8')
    .split('\n')
    .map(
      (l) =>
        l
          .trim()
          .toLowerCase()
          .split(/[<>=!~[;\s]/)[0],
    )
  return template.requires.filter((d) => !have.includes(d))
}

/** URL-safe path segments: a route prefix is both an HTTP path and a route pattern of the framework. */
const PREFIX = /^(\/[A-Za-z0-9._~-]+)*$/

/** The service's own name and prefix, where they become a folder and route patterns. */
function checkService(model: Model): void {
  const service = model.service!
  const derived = resolve(model.root, 'services', service.name) === service.dir
  if (derived && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}$/.test(service.name)) {
    throw new UserError(
      `service name ${JSON.stringify(service.name)} cannot be a folder name (services/<name>)`,
      { hint: 'use letters, digits, _ . and - (at most 100), or set service.dir; nothing was written' },
    )
  }
  if (!PREFIX.test(service.routePrefix)) {
    throw new UserError(
      `service routePrefix ${JSON.stringify(service.routePrefix)} has characters a route cannot carry as written`,
      { hint: "use path segments of letters, digits and . _ ~ -, e.g. '/webhooks'; nothing was written" },
    )
  }
}

export async function scaffold(options: ScaffoldOptions, ctx: Context): Promise<number> {
  const { model, env, warnings } = await loadProject(ctx, options)
  printWarnings(ctx, warnings)
  if (!model.service) buildShape(model, {}) // throws the "no service" error with its hint
  const service = model.service!
  const template = templateFor(service.template)
  checkService(model)

  const routes = buildShape(model, {}).routes
  if (routes.length === 0) {
    throw new UserError('no trigger, cron or external webhook in the config has a handler', {
      hint: "give one a handler: triggers: { user_created: { table: 'users', on: { insert: true }, handler: 'user-created' } }",
    })
  }
  let selected: Set<string>
  if (options.all) selected = new Set(routes.map((r) => r.handler))
  else if (options.handler !== undefined) {
    const want = options.handler.replace(/^\/+|\/+$/g, '')
    const route =
      routes.find((r) => r.handler.replace(/^\/+|\/+$/g, '') === want) ?? routes.find((r) => r.name === want)
    if (!route) {
      throw new UserError(`no handler named ${options.handler} in the config`, {
        hint: `handlers: ${routes.map((r) => r.handler).join(', ')}; or use --all`,
      })
    }
    selected = new Set([route.handler])
  } else {
    throw new UserError('say which handler to scaffold', {
      hint: `nself-hooks scaffold <handler> (one of: ${routes.map((r) => r.handler).join(', ')}) or nself-hooks scaffold --all`,
    })
  }

  const loaded = await loadColumns(model, env.values, options)
  // which handler files already exist: their routes stay registered
  const probe = renderService(model, loaded.columns, {
    selected: new Set(),
    present: new Set(),
    initService: false,
  })
  const present = new Set([...probe.handlerFiles.values()].filter((p) => existsSync(join(service.dir, p))))
  const result = renderService(model, loaded.columns, {
    selected,
    present,
    initService: Boolean(options.initService),
  })
  // every path is checked before anything is written, then all files (and the column cache) go at once
  const plan = planFiles(service.dir, result.files, {
    force: Boolean(options.force),
    dryRun: Boolean(options.dryRun),
  })
  if (!options.dryRun) writeAll([...(loaded.cacheWrite ? [loaded.cacheWrite] : []), ...plan.writes])
  const written = plan.results

  const notes = [...loaded.warnings, ...result.warnings]
  const shownDir = relative(ctx.cwd, service.dir) || '.'
  const missingSkeleton = template.skeleton.filter(
    (f) => !existsSync(join(service.dir, f)) && !result.files.has(f),
  )
  if (missingSkeleton.length > 0 && !options.initService) {
    notes.push(
      `${shownDir} has no working ${template.name} skeleton (missing ${missingSkeleton.join(', ')}): run nself-hooks scaffold --init-service to write one`,
    )
  }
  const missingDeps = options.dryRun ? [] : missingDependencies(service.dir, template)
  if (missingDeps.length > 0) {
    notes.push(
      template.language === 'ts'
        ? `${shownDir}/package.json lacks ${missingDeps.join(', ')}: npm install ${missingDeps.join(' ')}`
        : `${shownDir}/requirements.txt lacks ${missingDeps.join(', ')}: add them`,
    )
  }

  if (options.json) {
    print(
      ctx,
      JSON.stringify(
        {
          service: { name: service.name, template: template.name, dir: service.dir },
          dryRun: Boolean(options.dryRun),
          columns: loaded.cacheAction ? { file: COLUMNS_FILE, action: loaded.cacheAction } : undefined,
          files: written,
          warnings: notes,
        },
        null,
        2,
      ),
    )
    return 0
  }
  report(ctx, shownDir, written, loaded.cacheAction, Boolean(options.dryRun))
  for (const n of notes) ctx.stderr.write(`${colors(ctx).yellow('warning')} ${n}\n`)
  return 0
}

function report(
  ctx: Context,
  dir: string,
  files: FileResult[],
  cacheAction: ColumnsLoad['cacheAction'],
  dryRun: boolean,
): void {
  const c = colors(ctx)
  const paint: Record<FileResult['action'], (s: string) => string> = {
    created: c.green,
    updated: c.cyan,
    unchanged: c.dim,
    kept: c.yellow,
    overwritten: c.magenta,
  }
  if (cacheAction) print(ctx, `${paint[cacheAction](cacheAction.padEnd(11))} ${COLUMNS_FILE}`)
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
  print(ctx, `${dryRun ? 'dry run, nothing written: ' : ''}${parts.join(', ')}`)
}
