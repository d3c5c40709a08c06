import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Engine, startEngine } from '../../src/engine/index.js'
import { freshDatabase } from '../helpers/pg.js'
import { config, testdir } from '../helpers/project.js'

export const SECRET = 'sync-test-admin-secret-9f3k'

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

/** A project pointing at `endpoint`; the admin secret in .env as nself keeps it. */
export function project(endpoint: string, body: string, env: Record<string, string> = {}): string {
  return testdir({
    'webhooks.config.ts': config(body.replace('ENDPOINT', endpoint)),
    '.env': Object.entries({ HASURA_GRAPHQL_ADMIN_SECRET: SECRET, ...env })
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
  })
}

/** metadata API calls straight to the server (as the console or another tool would) */
export function api(url: string, secret = SECRET) {
  const call = async (type: string, args: unknown = {}, extra: Record<string, unknown> = {}) => {
    const res = await fetch(`${url}/v1/metadata`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hasura-admin-secret': secret },
      body: JSON.stringify({ type, args, ...extra }),
    })
    const body = (await res.json()) as any
    if (res.status !== 200) throw new Error(`${type}: ${res.status} ${JSON.stringify(body)}`)
    return body
  }
  return {
    call,
    export: async () =>
      (await call('export_metadata', {}, { version: 2 })) as { resource_version: number; metadata: any },
    crons: async () => (await call('get_cron_triggers')).cron_triggers as any[],
    triggers: async () => {
      const { metadata } = (await call('export_metadata', {}, { version: 2 })) as { metadata: any }
      const out: Record<string, any> = {}
      for (const s of metadata.sources ?? [])
        for (const t of s.tables ?? [])
          for (const et of t.event_triggers ?? []) out[et.name] = { ...et, table: t.table }
      return out
    },
  }
}

/**
 * A proxy in front of the engine that counts requests per command, and may run a hook right
 * before forwarding a request (e.g. a concurrent metadata change before the first replace_metadata)
 * and one once the engine answered, before the answer goes back (e.g. killing the client).
 */
export async function startProxy(
  target: string,
  before?: (body: any, n: number) => Promise<void> | void,
  after?: (body: any, status: number) => Promise<void> | void,
): Promise<{ url: string; commands: string[]; close: () => Promise<void> }> {
  const commands: string[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const raw = Buffer.concat(chunks)
      let body: any
      try {
        body = JSON.parse(raw.toString('utf8'))
      } catch {}
      commands.push(String(body?.type ?? req.url))
      try {
        await before?.(body, commands.length)
        const r = await fetch(`${target}${req.url}`, {
          method: req.method ?? 'POST',
          headers: {
            'content-type': 'application/json',
            ...(req.headers['x-hasura-admin-secret']
              ? { 'x-hasura-admin-secret': String(req.headers['x-hasura-admin-secret']) }
              : {}),
          },
          body: raw.length > 0 ? raw : undefined,
        })
        const text = await r.text()
        await after?.(body, r.status)
        res.writeHead(r.status, { 'content-type': 'application/json' })
        res.end(text)
      } catch (err) {
        res.writeHead(502)
        res.end(String(err))
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    commands,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
