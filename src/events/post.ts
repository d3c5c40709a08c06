import { maskUrlCredentials } from '../config/url-credentials.js'
import { UserError } from '../errors.js'
import { stringifyExact } from '../output/exact-json.js'
import { maskHeaderRecord } from './secrets.js'
import type { ResolvedHeaders } from './target.js'

const SEND_USER_AGENT = 'nself-hooks (send/replay; body as hasura-graphql-engine sends it)'

interface PostResult {
  status: number
  headers: Record<string, string>
  body: string
  ms: number
}

/**
 * POSTs an event body the way Hasura does: JSON, the trigger's headers, and Content-Type /
 * User-Agent winning over same-named configured ones.
 */
async function postEvent(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  timeoutSec = 60,
): Promise<PostResult> {
  const h: Record<string, string> = {}
  for (const [n, v] of Object.entries(headers)) {
    if (!/^(content-type|user-agent)$/i.test(n)) h[n] = v
  }
  h['Content-Type'] = 'application/json'
  h['User-Agent'] = SEND_USER_AGENT
  const started = performance.now()
  let res: Response
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: h,
      body: stringifyExact(body),
      signal: AbortSignal.timeout(timeoutSec * 1000),
    })
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } }
    const why =
      e.name === 'TimeoutError'
        ? `no answer within ${timeoutSec}s`
        : (e.cause?.code ?? e.cause?.message ?? e.message)
    throw new UserError(`could not POST to ${maskUrlCredentials(url)}: ${why}`, {
      hint: 'is the handler running? check the URL, or pass --to <url>',
      cause: err,
    })
  }
  const text = await res.text()
  return {
    status: res.status,
    headers: Object.fromEntries(res.headers.entries()),
    body: text,
    ms: Math.round(performance.now() - started),
  }
}

/** A POST to a handler as `send` and `replay --to` report it: secrets masked, the answer as text. */
export interface PostOutcome {
  /** the URL, credentials masked */
  url: string
  /** what was sent, for the text line: `trigger user_created, insert`, `cron daily` */
  label: string
  sent: unknown
  status: number
  /** 2xx: what Hasura counts as delivered */
  ok: boolean
  ms: number
  /** response headers, values of secret-named and fromEnv headers masked; the body as received */
  response: { headers: Record<string, string>; body: string }
}

/** Posts `body` with the resolved headers and reports the answer (header values masked). */
export async function deliver(
  url: string,
  body: unknown,
  headers: ResolvedHeaders,
  timeoutSec: number,
  label: string,
): Promise<PostOutcome> {
  const res = await postEvent(url, body, headers.headers, timeoutSec)
  return {
    url: maskUrlCredentials(url),
    label,
    sent: body,
    status: res.status,
    ok: res.status >= 200 && res.status < 300,
    ms: res.ms,
    response: { headers: maskHeaderRecord(res.headers, headers.fromEnv), body: res.body },
  }
}

/** Warnings kept for the result and passed on as they happen. */
export function collect(onWarning?: (message: string) => void) {
  const warnings: string[] = []
  const warn = (m: string) => {
    warnings.push(m)
    onWarning?.(m)
  }
  return { warnings, warn }
}
