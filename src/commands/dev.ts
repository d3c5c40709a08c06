import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { dirname, resolve } from 'node:path'
import { loadEnv } from '../config/env.js'
import { findConfigFile } from '../config/load.js'
import { type Context, print, printErr } from '../context.js'
import { type ForwardRule, forwardRules } from '../dev/forward-map.js'
import { liveJson, liveLine } from '../dev/live.js'
import { sqlFailure } from '../dev/sql-hint.js'
import { watchProject } from '../dev/watch.js'
import { UserError } from '../errors.js'
import { fileLine, renderChanges, summaryLine } from '../metadata/changes-text.js'
import { colors, printWarnings } from '../output/report.js'
import { loadProject } from '../project.js'
import { applySync } from '../sync/apply.js'
import { waitForStop } from '../until-stopped.js'

export interface DevOptions {
  /** default 8080; 0 = a free port (the command line checks the range) */
  port?: number
  host?: string
  /** keep the embedded database here (PGlite); default: in memory; not with databaseUrl */
  dataDir?: string
  envFile?: string[]
  /** use this PostgreSQL instead of the embedded PGlite */
  databaseUrl?: string
  /** SQL files run once the engine is up, before --sync (e.g. the schema the triggers need) */
  sql?: string[] | string
  /** apply the project's config (nself-hooks sync) once the engine is up */
  sync?: boolean
  verbose?: boolean
  /** `<service>=<url>` overrides (repeatable); false (--no-forward) delivers to the URLs as written */
  forward?: string[] | string | boolean
  /** no live delivery lines */
  quiet?: boolean
  /** live delivery lines as one JSON object per line (the rest goes to stderr) */
  json?: boolean
  /** regenerate and sync when the config or a .env layer changes; reload the engine's env */
  watch?: boolean
  /** stops the engine when aborted; without it, SIGINT / SIGTERM do */
  signal?: AbortSignal
  /** called once the engine listens (tests) */
  onReady?: (info: { url: string; adminSecret: string }) => void
  [k: string]: unknown
}

const SECRET_ENV = 'HASURA_GRAPHQL_ADMIN_SECRET'

/** `nself-hooks dev`: the embedded Hasura-compatible engine, until interrupted. */
export async function dev(options: DevOptions, outer: Context): Promise<number> {
  // with --json, stdout carries only the delivery lines; everything else goes to stderr
  const ctx: Context = options.json ? { ...outer, stdout: outer.stderr } : outer
  const port = options.port ?? 8080
  // The project's env layers, as Hasura would have them: the admin secret, and the names that
  // value_from_env headers and {{ENV}} webhooks read (WEBHOOK_SECRET, ...). The process env wins.
  const configFile = findConfigFile(ctx.cwd)
  const root = configFile ? dirname(configFile) : ctx.cwd
  const env = loadEnv(root, ctx.env, options.envFile ?? []).values
  // a missing --sql file is a typo: say so before starting anything
  for (const file of options.sql === undefined ? [] : [options.sql].flat()) {
    if (!existsSync(resolve(ctx.cwd, file))) {
      throw new UserError(`--sql ${file} does not exist`, {
        hint: 'check the path; it is relative to the working directory',
      })
    }
  }
  const rules = options.forward === false ? [] : await projectForwarding(options, ctx, env, configFile)
  const given = env[SECRET_ENV]
  const adminSecret = given || randomBytes(18).toString('base64url')
  const dataDir = options.dataDir ? resolve(ctx.cwd, options.dataDir) : undefined
  if (dataDir) mkdirSync(dataDir, { recursive: true })
  const c = colors(outer)
  const { EngineOptionError, STRINGIFY_ENV, startEngine } = await import('../engine/index.js')
  let engine: Awaited<ReturnType<typeof startEngine>>
  // the console under /console, once the engine is up and the project is loaded
  let consoleHandle: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined
  const handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    if (path !== '/console' && !path.startsWith('/console/')) return false
    if (!consoleHandle) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('the console is not served by this dev run (see its output)\n')
      return true
    }
    consoleHandle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
    return true
  }
  try {
    engine = await startEngine({
      handle,
      port,
      ...(options.host ? { host: options.host } : {}),
      ...(dataDir ? { dataDir } : {}),
      ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
      adminSecret,
      env,
      forward: new Map(rules.map((r) => [r.from, r.to])),
      ...(options.quiet
        ? {}
        : {
            listener: {
              attempt: (a) => print(outer, options.json ? liveJson(a) : liveLine(a, c)),
            },
          }),
      log: (line) => {
        if (options.verbose || ctx.verbose) printErr(ctx, `[engine] ${line}`)
      },
    })
  } catch (err) {
    // a setting from the env layers that Hasura would not start with either
    if (err instanceof EngineOptionError) throw new UserError(err.message, { hint: err.hint, cause: err })
    const e = err as NodeJS.ErrnoException
    if (e.code === 'EADDRINUSE')
      throw new UserError(`port ${port} is already in use`, {
        hint: 'pick another with --port, or --port 0 for a free one',
        cause: err,
      })
    if (options.databaseUrl)
      throw new UserError(`cannot use the database at --database-url: ${e.message}`, {
        hint: 'check that PostgreSQL runs and the URL (user, password, database) is right',
        cause: err,
      })
    throw err
  }
  const storage = options.databaseUrl
    ? 'PostgreSQL'
    : options.dataDir
      ? `PGlite in ${options.dataDir}`
      : 'PGlite in memory'
  print(ctx, `Hasura-compatible engine listening on ${engine.url} (${storage})`)
  print(ctx, `  metadata API: ${engine.url}/v1/metadata   run_sql: ${engine.url}/v2/query`)
  if (!given) {
    // a secret made up for this run only; a secret the user set is never printed
    print(ctx, 'No HASURA_GRAPHQL_ADMIN_SECRET was set; this run uses a generated one:')
    print(ctx, `  export ${SECRET_ENV}=${adminSecret}`)
  }
  print(ctx, `  export HASURA_GRAPHQL_ENDPOINT=${engine.url}`)
  if (options.forward === false)
    print(ctx, 'Forwarding is off (--no-forward): deliveries go to the URLs as written.')
  else if (rules.length > 0) {
    print(ctx, 'Forwarding deliveries (the metadata keeps the URLs as written):')
    for (const r of rules)
      print(ctx, `  ${r.from} → ${r.to}${r.service === r.from ? '' : `  (${r.service})`}`)
  }

  let code = 0
  let stopWatching: (() => void) | undefined
  try {
    for (const file of options.sql === undefined ? [] : [options.sql].flat()) {
      const path = resolve(ctx.cwd, file)
      let text: string
      try {
        text = readFileSync(path, 'utf8')
      } catch (err) {
        throw new UserError(`cannot read --sql ${file}: ${(err as Error).message}`, { cause: err })
      }
      let done: 'ran' | 'skipped'
      try {
        done = await engine.runSqlOnce(file, text)
      } catch (err) {
        throw sqlFailure(
          file,
          text,
          err,
          options.dataDir ?? (options.databaseUrl ? '--database-url' : undefined),
        )
      }
      print(
        ctx,
        done === 'ran'
          ? `ran ${file}`
          : `skipped ${file}: it ran on this database before (an edited file runs again)`,
      )
    }
    if (options.sync || options.watch) {
      try {
        code = await runSync(options, ctx, engine.url, adminSecret)
      } catch (err) {
        // the engine stays up: fix the config and run `nself-hooks sync` against it
        printErr(ctx, `warning: --sync failed: ${(err as Error).message}`)
        code = 1
      }
    }
    consoleHandle = await serveConsole(options, ctx, engine.url, adminSecret, configFile)
    if (options.watch) {
      const running = engine
      stopWatching = watchProject({
        root,
        configFile,
        envFiles: (options.envFile ?? []).map((f) => resolve(ctx.cwd, f)),
        onChange: async (changed) => {
          print(ctx, `${changed} changed: regenerating and syncing…`)
          const next = loadEnv(root, ctx.env, options.envFile ?? []).values
          // Hasura reads it at start only; so does the engine
          if (next[STRINGIFY_ENV] !== env[STRINGIFY_ENV])
            printErr(
              ctx,
              `note: ${STRINGIFY_ENV} changed; restart dev to apply it (read at start, as Hasura does)`,
            )
          running.setEnv(next)
          try {
            const r = await runSync(options, ctx, running.url, adminSecret)
            print(ctx, r === 0 ? 'synced; watching for changes' : 'sync did not apply; watching for changes')
          } catch (err) {
            printErr(ctx, `sync failed: ${(err as Error).message}`)
            const hint = (err as { hint?: string }).hint
            if (hint) printErr(ctx, `  hint: ${hint}`)
            printErr(ctx, 'still watching; fix it and save again')
          }
        },
      })
      print(ctx, `Watching ${configFile ? 'the config and ' : ''}the .env layers for changes.`)
    }
    options.onReady?.({ url: engine.url, adminSecret })
    print(ctx, 'Press Ctrl+C to stop.')
    await waitForStop(options.signal)
  } finally {
    stopWatching?.()
    print(ctx, 'stopping the engine…')
    await engine.stop()
  }
  return code
}

/** The forwarding rules: the project's services to 127.0.0.1, then the --forward overrides. */
async function projectForwarding(
  options: DevOptions,
  ctx: Context,
  env: Record<string, string | undefined>,
  configFile: string | undefined,
): Promise<ForwardRule[]> {
  let service: Parameters<typeof forwardRules>[0]['service']
  if (configFile) {
    try {
      service = (await loadProject(ctx, { envFile: options.envFile ?? [] })).model.service
    } catch (err) {
      printErr(
        ctx,
        `warning: the config's service is not forwarded: ${(err as Error).message.split('\n')[0]}`,
      )
    }
  }
  const overrides = Array.isArray(options.forward)
    ? options.forward
    : typeof options.forward === 'string'
      ? [options.forward]
      : []
  return forwardRules({ env, service, overrides })
}

/** --sync: apply the project's config (the sync stage, src/sync/apply.ts) to this engine. */
async function runSync(options: DevOptions, ctx: Context, url: string, adminSecret: string): Promise<number> {
  const syncCtx: Context = {
    ...ctx,
    env: { ...ctx.env, [SECRET_ENV]: adminSecret, HASURA_GRAPHQL_ENDPOINT: url },
  }
  print(ctx, 'applying the project config (nself-hooks sync)…')
  const project = await loadProject(syncCtx, {
    ...(typeof options.config === 'string' ? { config: options.config } : {}),
    envFile: options.envFile ?? [],
    endpoint: url,
  })
  printWarnings(ctx, project.warnings)
  const result = await applySync(project, { yes: true }, syncCtx, {
    onEvent: (e) => {
      if (e.type === 'plan' && e.plan.changes.length > 0)
        ctx.stdout.write(renderChanges(e.plan.changes, colors(ctx)))
      if (e.type === 'wrote') for (const f of e.files) print(ctx, fileLine(colors(ctx), ctx.cwd, f))
    },
  })
  print(
    ctx,
    result.outcome === 'applied'
      ? `applied: ${summaryLine(result.changes, { create: 'created', update: 'updated', delete: 'deleted' })} (resource_version ${result.resourceVersion} → ${result.resourceVersionAfter})`
      : 'no changes: the engine already holds the config',
  )
  for (const w of result.warnings) printErr(ctx, `warning: ${w}`)
  return 0
}

/** The console at /console, over this engine: only on a loopback address and with a project config. */
async function serveConsole(
  options: DevOptions,
  ctx: Context,
  url: string,
  adminSecret: string,
  configFile: string | undefined,
): Promise<((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined> {
  if (!/^http:\/\/(127\.0\.0\.1|localhost):/.test(url)) {
    print(ctx, '  console: not served when --host is not 127.0.0.1 or localhost')
    return undefined
  }
  if (!configFile) {
    print(ctx, '  console: not served without a webhooks.config.ts (nself-hooks init writes one)')
    return undefined
  }
  try {
    const { mountConsole } = await import('../console/index.js')
    const consoleCtx: Context = {
      ...ctx,
      env: { ...ctx.env, [SECRET_ENV]: adminSecret, HASURA_GRAPHQL_ENDPOINT: url },
    }
    const mounted = await mountConsole(
      { endpoint: url, ...(options.envFile ? { envFile: options.envFile } : {}) },
      consoleCtx,
      '/console',
    )
    print(ctx, '  console (open this URL; it carries the access token):')
    print(ctx, `${url}/console/?token=${mounted.token}`)
    return mounted.handle
  } catch (err) {
    printErr(ctx, `warning: the console is not served: ${(err as Error).message}`)
    return undefined
  }
}
