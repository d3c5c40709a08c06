import { existsSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { UserError } from '../errors.js'
import { tableKey } from '../model/columns.js'
import type { Model, TableRef } from '../model/types.js'
import {
  COLUMNS_FILE,
  type ColumnsCache,
  columnsCachePath,
  readColumnsCache,
  renderColumnsCache,
} from './columns.js'
import { renderService, templateFor } from './render.js'
import { buildShape } from './shape.js'
import type { TemplateDef } from './templates.js'
import { type FileResult, type PendingWrite, planFiles, writeAll } from './write.js'

/**
 * `scaffold` as a library call: pick the handlers, load the column types (the committed cache,
 * or a fresh read that refreshes it), render the service's files and write them all or none.
 */

type TableColumns = ColumnsCache['tables']

/** Where fresh column types come from (--introspect, --database-url); without one, the cache. */
export interface ColumnSource {
  source: ColumnsCache['source']
  /** the columns of these tables, keyed `schema.table`; a table it does not find is left out */
  fetch: (tables: TableRef[]) => Promise<TableColumns>
}

export interface ScaffoldRequest {
  /** one handler (its name, or a trigger, cron or external name); ignored with `all` */
  handler?: string | undefined
  all?: boolean | undefined
  initService?: boolean | undefined
  force?: boolean | undefined
  dryRun?: boolean | undefined
  columns?: ColumnSource | undefined
}

export interface ScaffoldResult {
  service: { name: string; template: string; dir: string }
  dryRun: boolean
  /** what happened to webhooks.config.ts's column cache, when it was refreshed */
  columns?: { file: string; action: 'created' | 'updated' | 'unchanged' }
  files: FileResult[]
  warnings: string[]
}

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

async function loadColumns(model: Model, from: ColumnSource | undefined): Promise<ColumnsLoad> {
  const tables = triggerTables(model)
  const warnings: string[] = []
  if (!from) {
    const cache = readColumnsCache(model.root)
    if (!cache && tables.length > 0) {
      warnings.push(
        `no ${COLUMNS_FILE} yet: rows are typed as open objects; run scaffold once with --introspect (Hasura) or --database-url (Postgres) and commit ${COLUMNS_FILE}`,
      )
    }
    return { columns: cache?.tables ?? {}, warnings }
  }
  const fetched = await from.fetch(tables)
  for (const t of tables) {
    if (!fetched[tableKey(t)]) {
      warnings.push(
        `table ${tableKey(t)} was not found through ${from.source === 'postgres' ? 'Postgres' : 'Hasura GraphQL'}; its rows are typed as open objects`,
      )
    }
  }
  const file = columnsCachePath(model.root)
  const text = renderColumnsCache({ source: from.source, tables: fetched })
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

/** The handlers to write: one by name, or all of them. */
function selectHandlers(model: Model, request: ScaffoldRequest): Set<string> {
  const routes = buildShape(model, {}).routes
  if (routes.length === 0) {
    throw new UserError('no trigger, cron or external webhook in the config has a handler', {
      hint: "give one a handler: triggers: { user_created: { table: 'users', on: { insert: true }, handler: 'user-created' } }",
    })
  }
  if (request.all) return new Set(routes.map((r) => r.handler))
  if (request.handler === undefined) {
    throw new UserError('say which handler to scaffold', {
      hint: `nself-hooks scaffold <handler> (one of: ${routes.map((r) => r.handler).join(', ')}) or nself-hooks scaffold --all`,
    })
  }
  const want = request.handler.replace(/^\/+|\/+$/g, '')
  const route =
    routes.find((r) => r.handler.replace(/^\/+|\/+$/g, '') === want) ?? routes.find((r) => r.name === want)
  if (!route) {
    throw new UserError(`no handler named ${request.handler} in the config`, {
      hint: `handlers: ${routes.map((r) => r.handler).join(', ')}; or use --all`,
    })
  }
  return new Set([route.handler])
}

/**
 * Writes the selected handlers (and the generated files around them) into the model's service.
 * Every path is checked before anything is written; then all files and the column cache go at
 * once. `cwd` only shapes the paths named in warnings.
 */
export async function scaffoldService(
  model: Model,
  request: ScaffoldRequest,
  cwd: string,
): Promise<ScaffoldResult> {
  if (!model.service) buildShape(model, {}) // throws the "no service" error with its hint
  const service = model.service!
  const template = templateFor(service.template)
  checkService(model)
  const selected = selectHandlers(model, request)
  const dryRun = Boolean(request.dryRun)

  const loaded = await loadColumns(model, request.columns)
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
    initService: Boolean(request.initService),
  })
  const plan = planFiles(service.dir, result.files, { force: Boolean(request.force), dryRun })
  if (!dryRun) writeAll([...(loaded.cacheWrite ? [loaded.cacheWrite] : []), ...plan.writes])

  const warnings = [...loaded.warnings, ...result.warnings]
  const shownDir = relative(cwd, service.dir) || '.'
  const missingSkeleton = template.skeleton.filter(
    (f) => !existsSync(join(service.dir, f)) && !result.files.has(f),
  )
  if (missingSkeleton.length > 0 && !request.initService) {
    warnings.push(
      `${shownDir} has no working ${template.name} skeleton (missing ${missingSkeleton.join(', ')}): run nself-hooks scaffold --init-service to write one`,
    )
  }
  const missingDeps = dryRun ? [] : missingDependencies(service.dir, template)
  if (missingDeps.length > 0) {
    warnings.push(
      template.language === 'ts'
        ? `${shownDir}/package.json lacks ${missingDeps.join(', ')}: npm install ${missingDeps.join(' ')}`
        : `${shownDir}/requirements.txt lacks ${missingDeps.join(', ')}: add them`,
    )
  }
  return {
    service: { name: service.name, template: template.name, dir: service.dir },
    dryRun,
    ...(loaded.cacheAction ? { columns: { file: COLUMNS_FILE, action: loaded.cacheAction } } : {}),
    files: plan.results,
    warnings,
  }
}
