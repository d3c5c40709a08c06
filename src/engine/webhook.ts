import http from 'node:http'
import https from 'node:https'
import type { HeaderConf } from './metadata/model.js'

/**
 * The Hasura v2 release whose behaviour the engine follows; `User-Agent` is
 * `hasura-graphql-engine/<version>` as Hasura sends it (`userAgentHeader` and `currentVersion`,
 * `src-lib/Hasura/Eventing/HTTP.hs`), and `GET /v1/version` answers it.
 */
export const HASURA_VERSION = 'v2.48.5'
export const USER_AGENT = `hasura-graphql-engine/${HASURA_VERSION}`

/** Hasura's HTTP client (http-client's `Manager`, `redirectCount` 10) follows up to 10 redirects. */
export const MAX_REDIRECTS = 10

export interface Agents {
  http: http.Agent
  https: https.Agent
}
export function createAgents(): Agents {
  return {
    http: new http.Agent({ keepAlive: true, maxSockets: 256 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 256 }),
  }
}

export class EnvMissing extends Error {}

/** `{{NAME}}` templates in webhooks and header values, resolved from the engine's env. */
export function resolveTemplate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name: string) => {
    const v = env[name]
    if (v === undefined) throw new EnvMissing(`environment variable '${name}' not set`)
    return v
  })
}

export function resolveHeaders(
  headers: HeaderConf[] | undefined,
  env: Record<string, string | undefined>,
): [string, string][] {
  const out: [string, string][] = []
  for (const h of headers ?? []) {
    if ('value_from_env' in h) {
      const v = env[h.value_from_env]
      if (v === undefined) throw new EnvMissing(`environment variable '${h.value_from_env}' not set`)
      out.push([h.name, v])
    } else out.push([h.name, resolveTemplate(h.value, env)])
  }
  return out
}

export interface WebhookResult {
  /** undefined for a client error (connection refused, timeout, bad URL) */
  status?: number
  /** the response body's bytes */
  body: Buffer
  headers: { name: string; value: string }[]
  retryAfter?: number
  /** why no answer came, one line (never an env value) */
  error?: string
  /** the client error as Hasura records it (its HttpException) */
  failure?: HttpFailure
}

/**
 * A request that got no HTTP answer, the way Hasura's `getHttpExceptionJson` encodes its
 * HttpException (`src-lib/Hasura/HTTP.hs`): a URL http-client cannot parse is `invalid_url` with
 * the reason only (never the URL); anything else is `http_exception` with the message of
 * `serializeHTTPExceptionWithErrorMessage` and the request it was sending.
 */
export type HttpFailure =
  | { type: 'invalid_url'; message: string }
  | { type: 'http_exception'; message: string; request?: SentRequest }

/** The request as `encodeHTTPRequestJSON` shows it. */
export interface SentRequest {
  url: string
  method: string
  headers: Record<string, string>
  timeoutMs: number
}

function clientError(message: string, request: SentRequest): WebhookResult {
  return {
    body: Buffer.alloc(0),
    headers: [],
    error: message,
    failure: { type: 'http_exception', message, request },
  }
}

function invalidUrl(reason: string): WebhookResult {
  return {
    body: Buffer.alloc(0),
    headers: [],
    error: `Invalid URL: ${reason}`,
    failure: { type: 'invalid_url', message: reason },
  }
}

/**
 * The default headers first, then the configured ones; the defaults win over same-named configured
 * ones (`addDefaultHeaders`: `defaultHeaders <> rmDefaultHeaders hdrs`, Hasura's `Eventing/HTTP.hs`).
 */
export function requestHeaders(configured: [string, string][]): Record<string, string> {
  const h: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': USER_AGENT }
  for (const [n, v] of configured) {
    const lower = n.toLowerCase()
    if (lower === 'content-type' || lower === 'user-agent') continue
    h[n] = v
  }
  return h
}

/**
 * Why a webhook URL cannot be requested, as the reason of http-client's InvalidUrlException
 * (`parseRequest`: "Invalid URL", "Invalid scheme"), or undefined. The URL itself is never part
 * of it: it may come from an env var.
 */
export function urlProblem(url: string): string | undefined {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return 'Invalid URL'
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'Invalid scheme'
  return undefined
}

/**
 * Sends a request and follows redirects as Hasura's HTTP client does (http-client's
 * `getRedirectedRequest`): a 3xx with a `Location` is followed up to MAX_REDIRECTS times; 302 and
 * 303 turn into a GET without body or `Content-Type`, 301, 307 and 308 repeat the request. More
 * redirects than that fail the attempt like any client error (`TooManyRedirects`). The timeout
 * covers the whole chain.
 */
export async function postJson(
  agents: Agents,
  url: string,
  body: string | undefined,
  headers: Record<string, string>,
  timeoutMs: number,
  method = 'POST',
): Promise<WebhookResult> {
  const deadline = Date.now() + timeoutMs
  let current = { url, body, headers, method }
  for (let redirects = 0; ; redirects++) {
    const r = await sendOnce(
      agents,
      current.url,
      current.body,
      current.headers,
      Math.max(1, deadline - Date.now()),
      current.method,
      timeoutMs,
    )
    const location = r.status !== undefined && r.status >= 300 && r.status < 400 ? r.location : undefined
    if (location === undefined) return r
    // http-client counts every redirect answer it got, the one it refused to follow included
    if (redirects >= MAX_REDIRECTS)
      return clientError(`Too many redirects: ${redirects + 1} redirects`, {
        ...current,
        timeoutMs,
      })
    let next: string
    try {
      next = new URL(location, current.url).toString()
    } catch {
      return r
    }
    if (r.status === 302 || r.status === 303) {
      const h = Object.fromEntries(
        Object.entries(current.headers).filter(([n]) => n.toLowerCase() !== 'content-type'),
      )
      current = { url: next, body: undefined, headers: h, method: 'GET' }
    } else current = { ...current, url: next }
  }
}

function sendOnce(
  agents: Agents,
  url: string,
  body: string | undefined,
  headers: Record<string, string>,
  timeoutMs: number,
  method: string,
  requestTimeoutMs: number,
): Promise<WebhookResult & { location?: string }> {
  return new Promise((resolve) => {
    const badUrl = urlProblem(url)
    if (badUrl) {
      resolve(invalidUrl(badUrl))
      return
    }
    const u = new URL(url)
    const lib = u.protocol === 'https:' ? https : http
    const sentRequest: SentRequest = { url, method, headers, timeoutMs: requestTimeoutMs }
    const bad = badHeader(headers)
    if (bad) {
      resolve(clientError(bad, sentRequest))
      return
    }
    let done = false
    const finish = (r: WebhookResult & { location?: string }) => {
      if (done) return
      done = true
      clearTimeout(timer)
      resolve(r)
    }
    const sent: Record<string, string> = {}
    for (const [n, v] of Object.entries(headers)) sent[n] = wireValue(v)
    if (body !== undefined) sent['Content-Length'] = String(Buffer.byteLength(body))
    let req: http.ClientRequest
    try {
      req = lib.request(
        u,
        {
          method,
          headers: sent,
          agent: u.protocol === 'https:' ? agents.https : agents.http,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('error', (err) => finish(clientError(`Connection failure: ${err.message}`, sentRequest)))
          res.on('end', () => {
            const hdrs: { name: string; value: string }[] = []
            for (let i = 0; i < res.rawHeaders.length; i += 2)
              hdrs.push({ name: res.rawHeaders[i]!, value: res.rawHeaders[i + 1]! })
            const ra = res.headers['retry-after']
            // Hasura: whole seconds > 0 only
            const retryAfter =
              typeof ra === 'string' && /^\d+$/.test(ra) && Number(ra) > 0 ? Number(ra) : undefined
            const location = res.headers.location
            finish({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks),
              headers: hdrs,
              ...(retryAfter !== undefined ? { retryAfter } : {}),
              ...(typeof location === 'string' ? { location } : {}),
            })
          })
        },
      )
    } catch (err) {
      // anything node:http refuses to send (a method, a header) is a client-side failure
      resolve(clientError(`Internal error: ${(err as Error).message}`, sentRequest))
      return
    }
    const timer = setTimeout(() => {
      req.destroy()
      finish(clientError('Response timeout', sentRequest))
    }, timeoutMs)
    req.on('error', (err) => finish(clientError(`Connection failure: ${err.message}`, sentRequest)))
    if (body === undefined) req.end()
    // a Buffer, not a string: node:http would write the headers in the body's encoding then
    else req.end(Buffer.from(body, 'utf8'))
  })
}

/** RFC 9110 token: what a header name may hold. */
const TOKEN_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
/** RFC 9110 field-value: no control characters but HTAB (so no CR, LF or NUL). */
function hasForbiddenChar(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true
  }
  return false
}

/** Why a header cannot go on the wire (the value itself is never shown: it may be a secret). */
export function headerProblem(name: string, value?: string): string | undefined {
  if (!TOKEN_RE.test(name))
    return `invalid header name ${JSON.stringify(name)}: a header name is letters, digits and !#$%&'*+-.^_\`|~ only`
  if (value !== undefined && hasForbiddenChar(value))
    return `the value of header ${JSON.stringify(name)} holds a control character (CR, LF, NUL...), which HTTP forbids`
  return undefined
}

function badHeader(headers: Record<string, string>): string | undefined {
  for (const [n, v] of Object.entries(headers)) {
    const problem = headerProblem(n, v)
    if (problem) return `Invalid request header: ${problem}`
  }
  return undefined
}

/**
 * Hasura sends header values as UTF-8 bytes; node:http writes header strings as latin1 and refuses
 * characters above U+00FF, so non-ASCII text goes as its UTF-8 bytes spelled in latin1.
 */
function wireValue(v: string): string {
  // more UTF-8 bytes than characters: non-ASCII text
  return Buffer.byteLength(v, 'utf8') !== v.length ? Buffer.from(v, 'utf8').toString('latin1') : v
}

export function closeAgents(agents: Agents) {
  agents.http.destroy()
  agents.https.destroy()
}
