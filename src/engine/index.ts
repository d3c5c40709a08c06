/**
 * The embedded Hasura-compatible engine: Hasura v2's metadata API subset, its hdb_catalog tables and
 * per-trigger Postgres functions, the event delivery worker and cron scheduling, on an embedded
 * PGlite (default) or a real PostgreSQL. What it implements and every known difference from Hasura:
 * docs/hasura-compatibility.md. It imports nothing from the rest of nself-hooks.
 *
 * HTTP (node:http on 127.0.0.1): POST /v1/metadata, POST /v2/query (run_sql, bulk), POST /v1/query
 * (the legacy commands Hasura's own fixtures use), POST /v1/graphql (schema introspection only),
 * GET /healthz, GET /v1/version.
 *
 * Layout, top down:
 *   server.ts          HTTP in: limits, admin secret, endpoints, bulk
 *   commands/          one file per area (metadata, tables, event triggers, event logs, cron
 *                      triggers, scheduled events, run_sql); commands/index.ts maps names to them
 *   core.ts            the stored state and its changes: one transaction each, consistency checked
 *   consistency.ts     Hasura's consistency check; the trigger functions reconciled
 *   store.ts           hdb_metadata read and written
 *   metadata/          shapes (model.ts), parsing with Hasura's messages (parse.ts), event and
 *                      cron trigger args, whole documents (document.ts)
 *   delivery.ts, cron.ts   the event processor and the cron/scheduled event scheduler
 *   bookkeeping.ts     attempt outcomes written in batches
 *   attempt.ts, webhook.ts, transform.ts   one webhook call: build, transform, send, record
 *   db.ts, catalog.ts, trigger-sql.ts, graphql.ts, errors.ts, time.ts
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { EVENT_CHANNEL, installCatalog } from './catalog.js'
import { checkConsistency, reconcileTriggers } from './consistency.js'
import { Core } from './core.js'
import { CronScheduler } from './cron.js'
import { type Db, openPglite, openPostgres } from './db.js'
import { EventProcessor } from './delivery.js'
import { type DeliveryListener, type ForwardMap, forwarder } from './forward.js'
import { stringifyFromEnv } from './options.js'
import { createServer, type ServerLimits } from './server.js'
import { runSqlOnce } from './sql-once.js'
import { loadState } from './store.js'
import { closeAgents, createAgents } from './webhook.js'

export { EngineOptionError, STRINGIFY_ENV } from './options.js'

export interface EngineOptions {
  /** a real PostgreSQL; default: an embedded PGlite */
  databaseUrl?: string
  /** PGlite data directory; default: in memory */
  dataDir?: string
  /** 0 = a random free port; default 8080 */
  port?: number
  /** default 127.0.0.1 */
  host?: string
  adminSecret?: string
  /**
   * for value_from_env / {{ENV}} resolution; default process.env. HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES
   * in it is read once, at start, as Hasura reads it (options.ts)
   */
  env?: Record<string, string | undefined>
  /** int8, numeric, float8 and money in event rows as strings; default: from `env` */
  stringifyNumericTypes?: boolean
  /** fallback poll for new events, default 1000 (Hasura's 1 s) */
  pollIntervalMs?: number
  log?: (line: string) => void
  /** request body limit and HTTP server timeouts (DEFAULT_LIMITS in server.ts) */
  limits?: Partial<ServerLimits>
  /** answers requests outside the Hasura API first (true when it did): `dev` serves its console so */
  handle?: (req: IncomingMessage, res: ServerResponse) => boolean
  /**
   * delivery-time rewrite, origin in the metadata → origin to send to (forward.ts); what the engine
   * holds and exports stays as configured
   */
  forward?: ForwardMap
  /** told about every delivery attempt */
  listener?: DeliveryListener
  /** test-only: scales every retry interval and Retry-After (1 = real seconds); the rules stay Hasura's */
  timeScale?: number
}

export interface Engine {
  /** http://127.0.0.1:PORT */
  url: string
  adminSecret?: string
  stop(): Promise<void>
  /** the env value_from_env headers and {{ENV}} webhooks read from now on (no restart) */
  setEnv(env: Record<string, string | undefined>): void
  /**
   * Runs a SQL script unless a script with the same text already ran on this database (tracked by
   * its SHA-256 in sql-once.ts). 'ran' or 'skipped'.
   */
  runSqlOnce(name: string, sql: string): Promise<'ran' | 'skipped'>
  /** run SQL directly (tests); without params, several statements may be given (the last one's rows) */
  query(sql: string, params?: unknown[]): Promise<{ rows: any[] }>
}

export async function startEngine(opts: EngineOptions = {}): Promise<Engine> {
  const log = opts.log ?? (() => {})
  let currentEnv = opts.env ?? process.env
  // a setting Hasura would not start with stops the engine before it opens anything
  const stringifyNumbers = opts.stringifyNumericTypes ?? stringifyFromEnv(currentEnv)
  // the processors read env on every delivery: a getter lets setEnv swap it without a restart
  const envView = {
    get env() {
      return currentEnv
    },
  }
  const forward = forwarder(opts.forward)
  const db: Db = opts.databaseUrl ? await openPostgres(opts.databaseUrl) : await openPglite(opts.dataDir)
  const agents = createAgents()
  let processor: EventProcessor | undefined
  let cron: CronScheduler | undefined
  try {
    if (db.kind === 'postgres') {
      // several engines may start on one database: install the catalog one at a time
      await db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock(4711042)')
        await installCatalog(tx)
      })
    } else await installCatalog(db)
    const core = new Core(
      db,
      {
        onMetadataChange: () => {
          processor?.setMetadata(core.state.metadata)
          cron?.refresh()
        },
        wakeDelivery: () => processor?.wake(),
      },
      currentEnv,
      stringifyNumbers,
    )
    core.state = await loadState(db)
    // the database may have changed while no engine ran (or the stringify setting did): put the
    // trigger functions right
    const reconcile = () =>
      db.transaction(async (tx) => {
        const { consistentTriggers } = await checkConsistency(tx, core.state.metadata, core.env)
        await reconcileTriggers(tx, consistentTriggers, { stringifyNumbers })
      })
    await reconcile()
    core.lastInconsistent = (await core.inconsistentObjects()).map((o) => o.name)
    const timeScale = opts.timeScale ?? 1
    processor = new EventProcessor(db, {
      get env() {
        return envView.env
      },
      forward,
      listener: opts.listener,
      pollIntervalMs: opts.pollIntervalMs ?? 1000,
      timeScale,
      log,
      agents,
    })
    processor.setMetadata(core.state.metadata)
    await db.listen(EVENT_CHANNEL, () => processor?.wake())
    await processor.start()
    cron = new CronScheduler(db, () => core.state, {
      get env() {
        return envView.env
      },
      forward,
      listener: opts.listener,
      log,
      agents,
      timeScale,
      pollIntervalMs: opts.pollIntervalMs ?? 1000,
    })
    await cron.start()
    const server = createServer(core, {
      adminSecret: opts.adminSecret,
      log,
      ...(opts.limits ? { limits: opts.limits } : {}),
      handle: opts.handle,
    })
    const host = opts.host ?? '127.0.0.1'
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(opts.port ?? 8080, host, () => resolve())
    })
    const port = (server.address() as AddressInfo).port
    let stopping: Promise<void> | undefined
    const engine: Engine = {
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      stop: () => {
        stopping ??= (async () => {
          await new Promise<void>((resolve) => {
            server.close(() => resolve())
            server.closeAllConnections()
          })
          await cron?.stop()
          await processor?.stop()
          closeAgents(agents)
          await db.close()
        })()
        return stopping
      },
      setEnv: (env) => {
        currentEnv = env
        core.env = env
      },
      runSqlOnce: (name, sql) =>
        core.serial(async () => {
          const done = await runSqlOnce(db, name, sql)
          // the script may have changed a table's columns or their types: the rows follow, as after run_sql
          if (done === 'ran') await reconcile()
          return done
        }),
      query: (sql, params) => (params && params.length > 0 ? db.query(sql, params) : db.script(sql)),
    }
    if (opts.adminSecret !== undefined) engine.adminSecret = opts.adminSecret
    log(`engine listening on ${engine.url} (${db.kind})`)
    return engine
  } catch (err) {
    // e.g. the port is taken: stop what already runs, or its timers keep the process alive
    await cron?.stop().catch(() => {})
    await processor?.stop().catch(() => {})
    closeAgents(agents)
    await db.close().catch(() => {})
    throw err
  }
}
