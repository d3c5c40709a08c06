import { readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { UserError } from '../errors.js'
import { redact } from '../events/secrets.js'
import { stringifyExact } from '../output/exact-json.js'
import { packageRoot } from '../package-root.js'
import type { ConsoleApi } from './api.js'
import { APP_CSS, indexHtml } from './page.js'
import { checkOrigin, cookieName, readCookie, sameToken } from './security.js'

export interface ConsoleHandlerOptions {
  api: ConsoleApi
  token: string
  /** '' when the console owns the server, '/console' under `dev` */
  basePath: string
  /** values that must never leave the process (admin secret, fromEnv values) */
  secrets: readonly string[]
}

/** No request leaves for another host; no framing; nothing cached, nothing sent as referrer. */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
}

const MAX_BODY = 1_000_000

let appJs: string | undefined

/**
 * The browser script: compiled by the project's build into dist/console/ui/ (tsconfig.console.json);
 * run from src/ (tests), compiled from its source on first use.
 */
async function loadAppJs(): Promise<string> {
  if (appJs !== undefined) return appJs
  const root = packageRoot()
  let text: string
  if (!import.meta.url.endsWith('.ts'))
    text = readFileSync(join(root, 'dist', 'console', 'ui', 'app.js'), 'utf8')
  else {
    const source = join(root, 'src', 'console', 'ui', 'app.ts')
    const ts = (await import('typescript')).default
    text = ts.transpileModule(readFileSync(source, 'utf8'), {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 },
    }).outputText
  }
  appJs = text.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n')
  return appJs
}

function reply(
  res: http.ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
) {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    ...extra,
  })
  res.end(body)
}

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) {
        reject(new UserError('the request body is larger than 1 MB'))
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      if (text === '') return resolve({})
      try {
        resolve(JSON.parse(text))
      } catch {
        reject(new UserError('the request body is not valid JSON'))
      }
    })
    req.on('error', reject)
  })
}

/**
 * The console's request handler: Host/Origin checks, then the token (in the URL once, then an
 * HttpOnly SameSite=Strict cookie, or an `Authorization: Bearer` header), then the page, its
 * assets and the JSON API. Everything else, and everything unauthenticated, is refused.
 */
export function consoleHandler(opts: ConsoleHandlerOptions) {
  const { api, token, basePath, secrets } = opts
  const json = (res: http.ServerResponse, status: number, value: unknown) =>
    reply(res, status, 'application/json; charset=utf-8', redact(stringifyExact(value), secrets))

  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const verdict = checkOrigin(req)
    if (!verdict.ok) return reply(res, verdict.status, 'text/plain; charset=utf-8', `${verdict.message}\n`)
    const url = new URL(req.url ?? '/', 'http://console.invalid')
    if (basePath && url.pathname === basePath) {
      // relative URLs in the page resolve under the base only with the trailing slash
      return reply(res, 308, 'text/plain; charset=utf-8', '', { Location: `${basePath}/${url.search}` })
    }
    const port = req.socket.localPort ?? 0
    const cookie = cookieName(port)
    const path = url.pathname.slice(basePath.length) || '/'

    const given = url.searchParams.get('token')
    if (given !== null && req.method === 'GET' && path === '/') {
      if (!sameToken(given, token)) {
        return reply(
          res,
          401,
          'text/plain; charset=utf-8',
          'wrong access token: open the URL the console printed\n',
        )
      }
      // the token leaves the address bar (and the history) at once; the cookie carries it from here
      return reply(res, 303, 'text/plain; charset=utf-8', '', {
        'Set-Cookie': `${cookie}=${token}; HttpOnly; SameSite=Strict; Path=${basePath || '/'}`,
        Location: `${basePath}/`,
      })
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    if (!sameToken(readCookie(req, cookie), token) && !sameToken(bearer, token)) {
      return reply(
        res,
        401,
        'text/plain; charset=utf-8',
        'not signed in: open the URL that nself-hooks console printed (it carries the access token)\n',
      )
    }

    try {
      if (req.method === 'GET') {
        if (path === '/') return reply(res, 200, 'text/html; charset=utf-8', indexHtml())
        if (path === '/app.css') return reply(res, 200, 'text/css; charset=utf-8', APP_CSS)
        if (path === '/app.js') return reply(res, 200, 'text/javascript; charset=utf-8', await loadAppJs())
        if (path === '/api/meta') return json(res, 200, api.meta())
        if (path === '/api/overview') return json(res, 200, await api.overview(url.searchParams))
        if (path === '/api/events') return json(res, 200, await api.events(url.searchParams))
        const ev = /^\/api\/events\/([^/]+)$/.exec(path)
        if (ev) return json(res, 200, await api.event(decodeURIComponent(ev[1]!)))
        const job = /^\/api\/jobs\/([^/]+)$/.exec(path)
        if (job) return json(res, 200, api.job(decodeURIComponent(job[1]!)))
      } else if (req.method === 'POST') {
        // a form or a simple cross-site request cannot send JSON: one more guard beside SameSite
        if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
          return json(res, 415, { error: 'send application/json' })
        }
        const body = await readBody(req)
        if (path === '/api/redeliver') return json(res, 200, await api.redeliver(body))
        if (path === '/api/replay') return json(res, 202, await api.replay(body))
        if (path === '/api/send') return json(res, 200, await api.send(body))
      }
      return json(res, 404, { error: `no ${req.method} ${path} here` })
    } catch (err) {
      if (err instanceof UserError) return json(res, 400, { error: err.message, hint: err.hint })
      return json(res, 500, { error: (err as Error).message })
    }
  }
}

export interface RunningConsole {
  url: string
  /** the URL with the access token, printed on a line of its own */
  signInUrl: string
  port: number
  stop(): Promise<void>
}

/** A server of its own on 127.0.0.1 (never another address) for `nself-hooks console`. */
export async function startConsoleServer(
  opts: Omit<ConsoleHandlerOptions, 'basePath'> & { port: number },
): Promise<RunningConsole> {
  const handle = consoleHandler({ ...opts, basePath: '' })
  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) reply(res, 500, 'text/plain', 'internal error\n')
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const url = `http://127.0.0.1:${port}/`
  return {
    url,
    signInUrl: `${url}?token=${opts.token}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
