import { randomBytes } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

/**
 * The trace context Hasura stores in an event's `trace_context` (`injectEventContext` /
 * `ToJSON TraceContext` in `src-lib/Hasura/Tracing`): the trace id as 32 hex digits, the id of the
 * span that created the event as 16, and `sampling_state` "1" (sampled) or "0" (not) when decided.
 * Keys in aeson's order.
 */
export interface TraceContext {
  sampling_state?: '1' | '0'
  span_id: string
  trace_id: string
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex')
const zeros = /^0+$/

/**
 * The trace context of a metadata request, as Hasura builds it for every request it serves
 * (`mkSpockAction` in `src-lib/Hasura/Server/App.hs`: `Tracing.extract` then `newTraceWith`):
 * the caller's trace when its headers carry one (W3C `traceparent`, or B3 `X-B3-TraceId` /
 * `X-B3-Sampled`, the two propagators Hasura knows), else a fresh trace; always a fresh span id
 * (the span of this request, a child of the caller's); the trace is sampled unless the caller
 * said not to (`X-B3-Sampled: 0`), as `decideSampling` / `updateSamplingState` do with the
 * server's sample-always policy.
 */
export function requestTraceContext(headers: IncomingHttpHeaders): TraceContext {
  const one = (name: string) => {
    const v = headers[name]
    return (Array.isArray(v) ? v[0] : v)?.trim().toLowerCase()
  }
  let traceId: string | undefined
  let denied = false
  const parent = one('traceparent')
  const w3c = parent ? /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(parent) : null
  if (w3c && w3c[1] !== 'ff' && !zeros.test(w3c[2]!) && !zeros.test(w3c[3]!)) traceId = w3c[2]
  else {
    const b3 = one('x-b3-traceid')
    if (b3 && /^([0-9a-f]{16}|[0-9a-f]{32})$/.test(b3) && !zeros.test(b3)) {
      traceId = b3.padStart(32, '0')
      denied = one('x-b3-sampled') === '0'
    }
  }
  return { sampling_state: denied ? '0' : '1', span_id: hex(8), trace_id: traceId ?? hex(16) }
}
