import type { HeaderConf } from './metadata/model.js'
import { type HttpFailure, USER_AGENT, type WebhookResult } from './webhook.js'

// The invocation log of one attempt, as Hasura writes it (docs/hasura-compatibility.md "Invocation logs").

/** What an invocation log's `request` and `response` are versioned by: "2" event triggers, "1" scheduled. */
export type InvocationVersion = '2' | '1'

/**
 * What Hasura records as the response of one invocation (`mkInvocation` in
 * `src-lib/Hasura/Eventing/EventTrigger.hs`, the `ToJSON (Response a)` instances in
 * `src-lib/Hasura/RQL/Types/Eventing.hs`): a 2xx answer is a `webhook_response` with the body as
 * text, its headers and status; any other answer is a `client_error` whose message is the body;
 * no answer at all is a `client_error` with status null whose message is the HttpException as
 * JSON text (`httpExceptionErrorEncoding`, `getHTTPExceptionStatus`).
 */
export function invocationResponse(
  r: WebhookResult,
  version: InvocationVersion,
  redact: { url: boolean; headers: ReadonlySet<string> },
): { status: number | null; response: unknown } {
  if (r.status === undefined)
    return {
      status: null,
      response: {
        type: 'client_error',
        data: {
          message: exceptionText(r.failure ?? { type: 'invalid_url', message: r.error ?? 'error' }, redact),
        },
        version,
      },
    }
  const body = blob(r.body)
  if (r.status >= 200 && r.status < 300)
    return {
      status: r.status,
      response: { type: 'webhook_response', data: { body, headers: r.headers, status: r.status }, version },
    }
  return { status: r.status, response: { type: 'client_error', data: { message: body }, version } }
}

/**
 * Hasura's SerializableBlob as JSON (`Data.SerializableBlob`): the body's text as a JSON string,
 * never parsed; bytes that are not UTF-8 as `["Base64", "<base64>"]`.
 */
function blob(bytes: Buffer): unknown {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    return ['Base64', bytes.toString('base64')]
  }
}

/** Hasura redacts these two in the request it logs (`sensitiveHeaders`, `Hasura.Server.Utils`). */
const SENSITIVE = new Set(['authorization', 'cookie'])
const REDACTED = '<REDACTED>'

/**
 * `getHttpExceptionJson (ShowErrorInfo True)` as compact JSON text, keys in aeson's order (sorted).
 * Header values that came from the environment, and the URL when it did, are `<REDACTED>` like the
 * headers Hasura itself redacts: no env value is ever written to a log.
 */
function exceptionText(f: HttpFailure, redact: { url: boolean; headers: ReadonlySet<string> }): string {
  if (f.type === 'invalid_url' || f.request === undefined)
    return JSON.stringify({ message: f.message, type: f.type })
  const u = new URL(f.request.url)
  const secure = u.protocol === 'https:'
  const headers: Record<string, string> = {}
  for (const [n, v] of Object.entries(f.request.headers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    headers[n] = SENSITIVE.has(n.toLowerCase()) || redact.headers.has(n) ? REDACTED : v
  const request = {
    host: redact.url ? REDACTED : u.hostname.replace(/^\[(.*)\]$/, '$1'),
    method: f.request.method,
    path: redact.url ? REDACTED : u.pathname,
    port: u.port === '' ? (secure ? 443 : 80) : Number(u.port),
    queryString: redact.url ? (u.search === '' ? '' : REDACTED) : u.search,
    requestHeaders: headers,
    responseTimeout: `ResponseTimeoutMicro ${f.request.timeoutMs * 1000}`,
    secure,
  }
  return JSON.stringify({ message: f.message, request, type: f.type })
}

/** A header as an invocation log records it: `{name, value}` or `{name, value_from_env}`. */
export type LoggedHeader = { name: string; value: string } | { name: string; value_from_env: string }

/**
 * The request headers an invocation log records (`prepareHeaders` / `decodeHeader` in Hasura's
 * `src-lib/Hasura/Eventing/HTTP.hs`): every header sent, defaults first; a header the trigger
 * configures under the same name is recorded as configured (a `value_from_env` by its variable's
 * name, a `{{VAR}}` template as written), never with the value taken from the environment.
 */
export function logHeaders(configured: HeaderConf[] | undefined): LoggedHeader[] {
  const conf = configured ?? []
  const asConfigured = (name: string): LoggedHeader | undefined => {
    const h = conf.find((c) => c.name === name)
    if (!h) return undefined
    return 'value_from_env' in h
      ? { name: h.name, value_from_env: h.value_from_env }
      : { name: h.name, value: h.value }
  }
  const out: LoggedHeader[] = []
  for (const [name, value] of [
    ['Content-Type', 'application/json'],
    ['User-Agent', USER_AGENT],
  ] as const)
    out.push(asConfigured(name) ?? { name, value })
  for (const h of conf) {
    const lower = h.name.toLowerCase()
    if (lower === 'content-type' || lower === 'user-agent') continue
    out.push(asConfigured(h.name)!)
  }
  return out
}

/** Names of the headers whose value comes from the environment (`value_from_env` or a `{{VAR}}` template). */
export function envHeaderNames(configured: HeaderConf[] | undefined): Set<string> {
  const out = new Set<string>()
  for (const h of configured ?? []) if ('value_from_env' in h || /\{\{/.test(h.value)) out.add(h.name)
  return out
}
