import { type Engine, type EngineOptions, startEngine } from '../../src/engine/index.js'
import { freshDatabase, postgresUnavailable } from './pg.js'
import { config, envFile, testdir } from './project.js'

/** The embedded engine on PGlite or PostgreSQL, its admin API as a script would call it, projects pointing at it. */

export const SECRET = 'test-admin-secret-9f3k'

/** The two storages the engine runs on; postgres is skipped (with its reason) when unreachable. */
export interface Backend {
  name: 'pglite' | 'postgres'
  skip: string | undefined
  /** options for a fresh database; cleanup drops it */
  fresh(): Promise<{ opts: EngineOptions; cleanup: () => Promise<void> }>
}

const pgReason = await postgresUnavailable()

export const backends: Backend[] = [
  { name: 'pglite', skip: undefined, fresh: async () => ({ opts: {}, cleanup: async () => {} }) },
  {
    name: 'postgres',
    skip: pgReason,
    fresh: async () => {
      const db = await freshDatabase()
      return { opts: { databaseUrl: db.url }, cleanup: db.drop }
    },
  },
]

/** A started engine on a fresh database of `backend`, its API client, and a stop that drops the database. */
export async function engineFor(backend: Backend, extra: EngineOptions = {}) {
  const { opts, cleanup } = await backend.fresh()
  const engine = await startEngine({ port: 0, adminSecret: SECRET, pollIntervalMs: 200, ...opts, ...extra })
  return {
    engine,
    api: client(engine),
    opts,
    stop: async () => {
      await engine.stop()
      await cleanup()
    },
  }
}

export interface EngineDb {
  engine: Engine
  stop: () => Promise<void>
}

/**
 * The env names the test configs use, set on the server as a real Hasura would need them (it
 * refuses triggers whose env names it cannot resolve).
 */
const SERVER_ENV = {
  WEBHOOK_SECRET: 'sync-test-webhook-secret-value',
  ORDER_WEBHOOK_BASE: 'http://hooks.local/webhooks',
}

/** The embedded engine on a fresh PostgreSQL database, with a few tables. */
export async function engineOnPostgres(tables = ['users', 'orders']): Promise<EngineDb> {
  const db = await freshDatabase()
  const engine = await startEngine({
    databaseUrl: db.url,
    port: 0,
    adminSecret: SECRET,
    pollIntervalMs: 200,
    env: { ...process.env, ...SERVER_ENV },
  })
  for (const t of tables) {
    await engine.query(`CREATE TABLE public.${t} (id serial primary key, email text, name text, status text)`)
  }
  return {
    engine,
    stop: async () => {
      await engine.stop()
      await db.drop()
    },
  }
}

/** A project whose config body has ENDPOINT replaced by `endpoint`; the admin secret in .env as nself keeps it. */
export function serverProject(endpoint: string, body: string, env: Record<string, string> = {}): string {
  return testdir({
    'webhooks.config.ts': config(body.replace('ENDPOINT', endpoint)),
    '.env': envFile({ HASURA_GRAPHQL_ADMIN_SECRET: SECRET, ...env }),
  })
}

export interface ApiResult {
  status: number
  body: any
}

/** A server's (the engine's or Hasura's) admin API called straight, as the console or another tool would. */
export function client(target: Engine | string, secret: string | undefined = SECRET) {
  const base = typeof target === 'string' ? target : target.url
  const post = async (
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResult> => {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(secret ? { 'X-Hasura-Admin-Secret': secret } : {}),
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = JSON.parse(text)
    } catch {}
    return { status: res.status, body: parsed }
  }
  /** metadata call that must succeed */
  const ok = async (type: string, args: unknown = {}, extra: Record<string, unknown> = {}) => {
    const r = await post('/v1/metadata', { type, args, ...extra })
    if (r.status !== 200) throw new Error(`${type} failed: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }
  const exported = async () =>
    (await ok('export_metadata', {}, { version: 2 })) as { resource_version: number; metadata: any }
  return {
    post,
    metadata: (type: string, args: unknown = {}, extra: Record<string, unknown> = {}) =>
      post('/v1/metadata', { type, args, ...extra }),
    ok,
    /** run_sql on the default source, which must succeed */
    sql: async (sql: string) => {
      const r = await post('/v2/query', { type: 'run_sql', args: { source: 'default', sql } })
      if (r.status !== 200) throw new Error(`run_sql failed: ${JSON.stringify(r.body)}`)
      return r.body
    },
    export: exported,
    crons: async () => (await ok('get_cron_triggers')).cron_triggers as any[],
    /** every event trigger by name, with its table */
    triggers: async () => {
      const { metadata } = await exported()
      const out: Record<string, any> = {}
      for (const s of metadata.sources ?? [])
        for (const t of s.tables ?? [])
          for (const et of t.event_triggers ?? []) out[et.name] = { ...et, table: t.table }
      return out
    },
  }
}
export type Client = ReturnType<typeof client>

let counter = 0
/** A unique lower-case name for a table or trigger in a shared engine. */
export const uniq = (prefix: string) => `${prefix}_${Date.now().toString(36)}${(counter++).toString(36)}`
