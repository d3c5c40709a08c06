import { mkdtempSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { Context } from '../../src/context.js'

export interface Received {
  path: string
  headers: http.IncomingHttpHeaders
  body: any
}

export type Answer = { status: number; body?: string; headers?: Record<string, string>; delayMs?: number }

/** A webhook handler on 127.0.0.1 recording every request; `answer` can be swapped (fix the handler). */
export async function startHandler(answer: (r: Received) => Answer) {
  const received: Received[] = []
  let current = answer
  let inFlight = 0
  let maxInFlight = 0
  const server = http.createServer((req, res) => {
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      let body: unknown = text
      try {
        body = JSON.parse(text)
      } catch {}
      const rec = { path: req.url ?? '/', headers: req.headers, body }
      received.push(rec)
      const a = current(rec)
      setTimeout(() => {
        inFlight--
        res.writeHead(a.status, { 'Content-Type': 'application/json', ...(a.headers ?? {}) })
        res.end(a.body ?? '{"ok":true}')
      }, a.delayMs ?? 0)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    get maxInFlight() {
      return maxInFlight
    },
    setAnswer(fn: (r: Received) => Answer) {
      current = fn
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

/**
 * A proxy in front of the engine's HTTP API that counts metadata requests of one type in flight
 * (and holds each for `delayMs`, so overlapping calls really overlap).
 */
export async function startCountingProxy(target: string, type: string, delayMs = 25) {
  let inFlight = 0
  let maxInFlight = 0
  let total = 0
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const body = Buffer.concat(chunks)
      let counted = false
      try {
        counted = JSON.parse(body.toString('utf8'))?.type === type
      } catch {}
      if (counted) {
        total++
        inFlight++
        maxInFlight = Math.max(maxInFlight, inFlight)
        await new Promise((r) => setTimeout(r, delayMs))
      }
      try {
        const headers: Record<string, string> = {}
        for (const [k, v] of Object.entries(req.headers))
          if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v
        const r = await fetch(`${target}${req.url}`, { method: req.method ?? 'POST', headers, body })
        const text = await r.text()
        res.writeHead(r.status, { 'Content-Type': 'application/json' })
        res.end(text)
      } finally {
        if (counted) inFlight--
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get maxInFlight() {
      return maxInFlight
    },
    get total() {
      return total
    },
    reset() {
      maxInFlight = 0
      total = 0
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

/** A command context whose output is captured; no terminal unless `tty`. */
export function captureContext(cwd: string, opts: { tty?: boolean; confirm?: boolean } = {}) {
  let out = ''
  let err = ''
  const ctx: Context = {
    cwd,
    env: {},
    stdout: new Writable({
      write(c, _e, done) {
        out += String(c)
        done()
      },
    }),
    stderr: new Writable({
      write(c, _e, done) {
        err += String(c)
        done()
      },
    }),
    isTTY: opts.tty ?? false,
    color: false,
    verbose: false,
  }
  const asked: string[] = []
  if (opts.confirm !== undefined) {
    ctx.confirm = async (q) => {
      asked.push(q)
      return opts.confirm!
    }
  }
  return {
    ctx,
    asked,
    get out() {
      return out
    },
    get err() {
      return err
    },
  }
}

/** A project folder with webhooks.config.ts (a plain object: no import needed) and a .env. */
export function projectDir(config: unknown, env: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'nh-events-'))
  writeFileSync(join(dir, 'webhooks.config.ts'), `export default ${JSON.stringify(config, null, 2)}\n`)
  writeFileSync(
    join(dir, '.env'),
    Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
  )
  return dir
}

export async function metadata(url: string, secret: string, type: string, args: unknown): Promise<any> {
  const r = await fetch(`${url}/v1/metadata`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Hasura-Admin-Secret': secret },
    body: JSON.stringify({ type, args }),
  })
  const body = await r.json()
  if (!r.ok) throw new Error(`${type}: ${JSON.stringify(body)}`)
  return body
}

export async function runSql(url: string, secret: string, sql: string): Promise<any> {
  const r = await fetch(`${url}/v2/query`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Hasura-Admin-Secret': secret },
    body: JSON.stringify({ type: 'run_sql', args: { source: 'default', sql } }),
  })
  const body = await r.json()
  if (!r.ok) throw new Error(`run_sql: ${JSON.stringify(body)}`)
  return body
}

export async function until<T>(
  fn: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
