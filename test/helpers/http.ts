import http from 'node:http'
import type { AddressInfo } from 'node:net'

/** Real HTTP servers on 127.0.0.1: a webhook handler recording what it receives, a proxy in front of a server. */

async function listen(server: http.Server) {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as AddressInfo).port
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export interface Recorded {
  path: string
  headers: http.IncomingHttpHeaders
  /** header names and values in the order they came, alternating */
  rawHeaders: string[]
  /** the body parsed as JSON, or its text when it is not JSON */
  body: any
  /** the body as sent, before JSON.parse (which rounds big numbers) */
  raw: string
  at: number
}

export type Reply = { status?: number; headers?: Record<string, string>; body?: string; delayMs?: number }

/**
 * A real webhook handler on 127.0.0.1 that records every request; `reply` decides each answer
 * (200 `{"ok":true}` by default) and can be swapped while it runs (the handler gets fixed).
 */
export async function startHandler(
  reply: (r: Recorded, all: Recorded[]) => Reply | undefined = () => undefined,
) {
  const requests: Recorded[] = []
  let replyFn = reply
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
        inFlight--
        if (res.destroyed) return
        res.writeHead(r.status ?? 200, { 'Content-Type': 'application/json', ...(r.headers ?? {}) })
        res.end(r.body ?? '{"ok":true}')
      }
      if (r.delayMs) setTimeout(send, r.delayMs)
      else send()
    })
  })
  const { url, port, close } = await listen(server)
  return {
    url,
    port,
    requests,
    /** the most requests it was answering at once */
    get maxInFlight() {
      return maxInFlight
    },
    setReply(fn: typeof reply) {
      replyFn = fn
    },
    /** requests whose event belongs to this trigger */
    forTrigger: (name: string) => requests.filter((r) => r.body?.trigger?.name === name),
    close,
  }
}
export type Handler = Awaited<ReturnType<typeof startHandler>>

export interface ProxyHooks {
  /** runs before a request is forwarded (`n`: its number, from 1) */
  before?: (body: any, n: number) => Promise<void> | void
  /** runs once the server answered, before the answer goes back */
  after?: (body: any, status: number) => Promise<void> | void
}

/**
 * A proxy in front of a server (the engine) that records each request: `commands` has every
 * request's metadata `type` (or its path), `calls` every /v1/metadata call's type and args.
 */
export async function startProxy(target: string, hooks: ProxyHooks = {}) {
  const commands: string[] = []
  const calls: { type: string; args: any }[] = []
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
      if (req.url === '/v1/metadata' && body) calls.push({ type: body.type, args: body.args })
      try {
        await hooks.before?.(body, commands.length)
        const headers: Record<string, string> = {}
        for (const [k, v] of Object.entries(req.headers))
          if (typeof v === 'string' && k !== 'host' && k !== 'content-length' && k !== 'connection')
            headers[k] = v
        const r = await fetch(`${target}${req.url}`, {
          method: req.method ?? 'POST',
          headers,
          body: raw.length > 0 ? raw : undefined,
        })
        const text = await r.text()
        await hooks.after?.(body, r.status)
        res.writeHead(r.status, { 'content-type': 'application/json' })
        res.end(text)
      } catch (err) {
        res.writeHead(502)
        res.end(String(err))
      }
    })
  })
  const { url, close } = await listen(server)
  return { url, commands, calls, close }
}

/**
 * A proxy that counts metadata requests of one type in flight, holding each for `delayMs` so
 * overlapping calls really overlap.
 */
export async function startCountingProxy(target: string, type: string, delayMs = 25) {
  let inFlight = 0
  let maxInFlight = 0
  let total = 0
  const proxy = await startProxy(target, {
    async before(body) {
      if (body?.type !== type) return
      total++
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      await new Promise((r) => setTimeout(r, delayMs))
    },
    after(body) {
      if (body?.type === type) inFlight--
    },
  })
  return {
    url: proxy.url,
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
    close: proxy.close,
  }
}
