/**
 * Delivery-time forwarding and the per-attempt listener, both used by `nself-hooks dev`
 * (docs/local-development.md). Forwarding rewrites the URL a request is sent to and nothing else:
 * the metadata the engine holds and exports keeps the configured webhook, and an invocation that
 * was forwarded records the URL used as `forwarded_to` in its request log.
 */

/** origin as the metadata has it (http://webhooks:3001) → the origin to send to (http://127.0.0.1:3001) */
export type ForwardMap = ReadonlyMap<string, string>

/** The origin of a URL the way `new URL(...).origin` spells it, or undefined for a bad URL. */
export function originOf(url: string): string | undefined {
  try {
    const o = new URL(url).origin
    return o === 'null' ? undefined : o
  } catch {
    return undefined
  }
}

/**
 * A forwarder: the URL to send to, or undefined when the map does not cover the URL's origin. The
 * target may carry a path prefix, which goes in front of the original path.
 */
export function forwarder(map: ForwardMap | undefined): ((url: string) => string | undefined) | undefined {
  if (!map || map.size === 0) return undefined
  const targets = new Map<string, string>()
  for (const [from, to] of map) {
    const origin = originOf(from)
    const target = originOf(to)
    if (origin === undefined || target === undefined) continue
    targets.set(origin, `${target}${new URL(to).pathname.replace(/\/+$/, '')}`)
  }
  return (url) => {
    let u: URL
    try {
      u = new URL(url)
    } catch {
      return undefined
    }
    const to = targets.get(u.origin)
    return to === undefined ? undefined : `${to}${u.pathname}${u.search}`
  }
}

/** One delivery attempt, as `dev` prints it. */
export interface AttemptReport {
  kind: 'event' | 'cron' | 'scheduled'
  /** the event trigger or cron trigger; undefined for a one-off scheduled event */
  name: string | undefined
  /** INSERT, UPDATE, DELETE or MANUAL for an event trigger */
  op: string | undefined
  id: string
  /** 1 for the first attempt */
  attempt: number
  /** the HTTP status, or null when no answer came (the error says why) */
  status: number | null
  error: string | undefined
  durationMs: number
  /** the URL the request went to (forwarded or not) */
  url: string | undefined
  forwarded: boolean
  result: 'delivered' | 'retry' | 'failed'
  retryInSec: number | undefined
}

/** Told about every delivery attempt once it is recorded. */
export interface DeliveryListener {
  attempt(report: AttemptReport): void
}

/** The report of a sent attempt. */
export function report(
  out: {
    ok: boolean
    status: number | null
    error?: string
    durationMs: number
    url?: string
    forwardedTo?: string
  },
  e: Pick<AttemptReport, 'kind' | 'name' | 'op' | 'id' | 'attempt' | 'retryInSec'>,
): AttemptReport {
  return {
    ...e,
    status: out.error === undefined ? out.status : null,
    error: out.error,
    durationMs: out.durationMs,
    url: out.url,
    forwarded: out.forwardedTo !== undefined,
    result: out.ok ? 'delivered' : e.retryInSec !== undefined ? 'retry' : 'failed',
  }
}
