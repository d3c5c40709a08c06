import { existsSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createJiti } from 'jiti'
import type { Context, GlobalOptions } from '../context.js'
import { ConfigError, type Issue, UserError } from '../errors.js'
import { checkKnownColumns } from '../model/known-columns.js'
import { resolveModel, unknownServiceIssue } from '../model/resolve.js'
import type { Model } from '../model/types.js'
import { COLUMNS_FILE, readColumnsCache } from '../scaffold/columns.js'
import { type LoadedEnv, loadEnv, parseCustomServices } from './env.js'
import { validateConfig } from './validate.js'

export const CONFIG_NAMES = [
  'webhooks.config.ts',
  'webhooks.config.mts',
  'webhooks.config.js',
  'webhooks.config.mjs',
]

export interface LoadedProject {
  model: Model
  env: LoadedEnv
  /** warnings from validation and resolution (printed by the command) */
  warnings: Issue[]
}

/** webhooks.config.ts from `start` upward; undefined when there is none. */
export function findConfigFile(start: string): string | undefined {
  let dir = resolve(start)
  for (;;) {
    for (const name of CONFIG_NAMES) {
      const file = join(dir, name)
      if (existsSync(file)) return file
    }
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/** The package's own entry, so `import { defineConfig } from 'nself-hooks'` works in any project. */
function selfEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  const candidates = [join(here, '..', 'index.js'), join(here, '..', 'index.ts')]
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!
}

export async function importConfig(file: string): Promise<unknown> {
  const jiti = createJiti(import.meta.url, {
    alias: { 'nself-hooks': selfEntry() },
    moduleCache: false,
    fsCache: false,
    interopDefault: true,
  })
  let mod: unknown
  try {
    mod = await jiti.import(file)
  } catch (err) {
    const e = err as Error
    const [what, where] = e.message
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
    // jiti puts the file:line:column of a syntax error on the message's second line
    // a runtime error (a name not defined...) has its place in the stack, in the config file itself
    const frame = (e.stack ?? '').split('\n').find((l) => l.includes(file) && /:\d+:\d+\)?\s*$/.test(l))
    const place = where && /:\d+:\d+$/.test(where) ? where : /(\S+:\d+:\d+)\)?\s*$/.exec(frame ?? '')?.[1]
    const at = place ? ` (at ${place.replace(/^\(/, '').replace(/^file:\/\//, '')})` : ''
    throw new UserError(`could not load ${file}: ${what ?? 'unknown error'}${at}`, {
      hint: 'fix that error; the file must `export default defineConfig({...})`',
      cause: err,
    })
  }
  const value =
    mod && typeof mod === 'object' && 'default' in mod ? (mod as { default: unknown }).default : mod
  if (value === undefined || value === null || typeof value !== 'object') {
    throw new UserError(`${file} has no default export`, {
      hint: 'end the file with `export default defineConfig({ ... })`',
    })
  }
  return value
}

export function configPath(ctx: Context, opts: GlobalOptions): string {
  if (opts.config !== undefined) {
    const file = isAbsolute(opts.config) ? opts.config : resolve(ctx.cwd, opts.config)
    if (!existsSync(file)) {
      throw new UserError(`config file ${opts.config} does not exist`, {
        hint: 'check the --config path, or run nself-hooks init to create one',
      })
    }
    return file
  }
  const found = findConfigFile(ctx.cwd)
  if (found === undefined) {
    throw new UserError(`no webhooks.config.ts found from ${ctx.cwd} upward`, {
      hint: 'run nself-hooks init to create one, or pass --config <file>',
    })
  }
  return found
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
