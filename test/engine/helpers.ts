import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Engine, type EngineOptions, startEngine } from '../../src/engine/index.js'
import { freshDatabase, postgresUnavailable } from '../helpers/pg.js'

export const SECRET = 'test-secret'

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

export interface Recorded {
  path: string
  headers: http.IncomingHttpHeaders
  /** header names and values in the order they came, alternating */
  rawHeaders: string[]
  body: any
  /** the body as sent, before JSON.parse (which rounds big numbers) */
  raw: string
  at: number
}

export type Reply = { status?: number; headers?: Record<string, string>; body?: string; delayMs?: number }

/** A real webhook handler on 127.0.0.1 that records every request; `reply` decides each answer. */
export async function startHandler(
  reply: (r: Recorded, all: Recorded[]) => Reply | undefined = () => undefined,
) {
  const requests: Recorded[] = []
  let replyFn = reply
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      let body: unknown = text
      try {
        body = JSON.parse(text)
      } catch {}
      const rec: Recorded = {
        path: req.url ?? '/',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body,
        raw: text,
        at: Date.now(),
      }
      requests.push(rec)
      const r = replyFn(rec, requests) ?? {}
      const send = () => {
        if (res.destroyed) return
        res.writeHead(r.status ?? 200, { 'Content-Type': 'application/json', ...(r.headers ?? {}) })
        res.end(r.body ?? '{"ok":true}')
      }
      if (r.delayMs) setTimeout(send, r.delayMs)
      else send()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    requests,
    setReply(fn: typeof reply) {
      replyFn = fn
    },
    /** requests whose event belongs to this trigger */
    forTrigger: (name: string) => requests.filter((r) => r.body?.trigger?.name === name),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
export type Handler = Awaited<ReturnType<typeof startHandler>>

export interface ApiResult {
  status: number
  body: any
}

export function client(engine: Engine, secret: string | undefined = SECRET) {
  const post = async (
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResult> => {
    const res = await fetch(engine.url + path, {
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
  return {
    post,
    metadata: (type: string, args: unknown = {}, extra: Record<string, unknown> = {}) =>
      post('/v1/metadata', { type, args, ...extra }),
    sql: async (sql: string) => {
      const r = await post('/v2/query', { type: 'run_sql', args: { sql } })
      if (r.status !== 200) throw new Error(`run_sql failed: ${JSON.stringify(r.body)}`)
      return r.body
    },
    /** metadata call that must succeed */
    ok: async (type: string, args: unknown = {}, extra: Record<string, unknown> = {}) => {
      const r = await post('/v1/metadata', { type, args, ...extra })
      if (r.status !== 200) throw new Error(`${type} failed: ${r.status} ${JSON.stringify(r.body)}`)
      return r.body
    },
  }
}
export type Client = ReturnType<typeof client>

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>

export async function waitFor<T>(
  fn: () => T | Promise<T>,
  what = 'condition',
  timeoutMs = 15_000,
): Promise<Truthy<T>> {
  const start = Date.now()
  for (;;) {
    const v = await fn()
    if (v) return v as Truthy<T>
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

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

let counter = 0
/** A unique lower-case name for a table or trigger in a shared engine. */
export const uniq = (prefix: string) => `${prefix}_${Date.now().toString(36)}${(counter++).toString(36)}`
