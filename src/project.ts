import { dirname, relative } from 'node:path'
import { type LoadedEnv, loadEnv, parseCustomServices } from './config/env.js'
import { configPath, importConfig } from './config/load.js'
import { validateConfig } from './config/validate.js'
import type { Context, GlobalOptions } from './context.js'
import { ConfigError, type Issue } from './errors.js'
import { checkKnownColumns } from './model/known-columns.js'
import { resolveModel, unknownServiceIssue } from './model/resolve.js'
import type { Model } from './model/types.js'
import { COLUMNS_FILE, readColumnsCache } from './scaffold/columns.js'

/**
 * Loading a project: the config file (src/config), the `.env` layers, the model it resolves to
 * and the column cache checked against it. What every stage after it starts from
 * (docs/architecture.md, "Folders").
 */
export interface LoadedProject {
  model: Model
  env: LoadedEnv
  /** warnings from validation and resolution (printed by the command) */
  warnings: Issue[]
}

/** config file → env → validate → model; throws ConfigError with every problem at once. */
export async function loadProject(ctx: Context, opts: GlobalOptions): Promise<LoadedProject> {
  const file = configPath(ctx, opts)
  const root = dirname(file)
  const env = loadEnv(root, ctx.env, opts.envFile ?? [])
  const raw = await importConfig(file)
  const shown = relative(ctx.cwd, file) || file
  const validated = validateConfig(raw)
  if (!validated.ok) {
    // the service is resolved against .env only after validation: check it here too, so every problem shows at once
    const service = (raw as { service?: unknown }).service
    const services = parseCustomServices(env.values)
    const extra =
      typeof service === 'string' && !services.some((s) => s.name === service)
        ? [unknownServiceIssue(service, services)]
        : []
    throw new ConfigError(shown, [...validated.issues, ...extra])
  }
  const resolved = resolveModel({
    config: validated.config,
    configFile: file,
    env: env.values,
    services: parseCustomServices(env.values),
  })
  if (!resolved.ok) throw new ConfigError(shown, [...validated.issues, ...resolved.issues])
  const model = resolved.model
  if (opts.endpoint !== undefined) model.hasura.endpoint = opts.endpoint.replace(/\/+$/, '')
  const columns = readColumnsCache(root)
  const columnIssues = columns ? checkKnownColumns(model, columns.tables, COLUMNS_FILE) : []
  if (columnIssues.some((i) => i.severity === 'error')) {
    throw new ConfigError(shown, [...validated.issues, ...resolved.issues, ...columnIssues])
  }
  return {
    model,
    env,
    warnings: [...validated.issues, ...resolved.issues, ...columnIssues, ...envWarnings(model, env.values)],
  }
}

/** Hasura resolves env names on its side: say when one is not visible here, never fail for it. */
function envWarnings(model: Model, env: Record<string, string | undefined>): Issue[] {
  const uses = new Map<string, Set<string>>()
  const use = (name: string, path: string) => uses.set(name, (uses.get(name) ?? new Set()).add(path))
  const templates = (s: string) =>
    [...s.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]!)
  for (const t of model.triggers) {
    if ('fromEnv' in t.webhook) use(t.webhook.fromEnv, `triggers.${t.name}.webhookFromEnv`)
    else for (const n of templates(t.webhook.url)) use(n, `triggers.${t.name}.webhook`)
    for (const h of t.headers) if ('value_from_env' in h) use(h.value_from_env, `triggers.${t.name}.headers`)
  }
  for (const c of model.crons) {
    for (const n of templates(c.webhook)) use(n, `crons.${c.name}.webhook`)
    for (const h of c.headers) if ('value_from_env' in h) use(h.value_from_env, `crons.${c.name}.headers`)
  }
  return [...uses]
    .filter(([name]) => env[name] === undefined)
    .map(([name, paths]) => {
      const list = [...paths]
      const where =
        list.length > 3 ? `${list.slice(0, 3).join(', ')} and ${list.length - 3} more` : list.join(', ')
      return {
        path: list[0]!,
        severity: 'warning' as const,
        message: `${name} is not set locally (used by ${where}); Hasura must have it in its environment`,
      }
    })
}
