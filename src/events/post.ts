import { maskUrlCredentials } from '../config/url-credentials.js'
import { UserError } from '../errors.js'

const SEND_USER_AGENT = 'nself-hooks (send/replay; body as hasura-graphql-engine sends it)'

export interface PostResult {
  status: number
  headers: Record<string, string>
  body: string
  ms: number
}

/**
 * POSTs an event body the way Hasura does: JSON, the trigger's headers, and Content-Type /
 * User-Agent winning over same-named configured ones.
 */
export async function postEvent(
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
      body: JSON.stringify(body),
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
