import type { HeaderConf, JsonObject } from './metadata/model.js'
import { applyRequestTransform, TransformError } from './transform.js'
import {
  type Agents,
  EnvMissing,
  invocationResponse,
  postJson,
  requestHeaders,
  resolveHeaders,
  urlProblem,
  type WebhookResult,
} from './webhook.js'

/** One webhook call of an event, a cron event or a scheduled event. */
export interface AttemptSpec {
  /** the webhook URL, env resolved (throws EnvMissing) */
  webhook: () => string
  headers: HeaderConf[] | undefined
  /** the body as an object (transforms, the invocation log) and as the exact text sent */
  body: Record<string, unknown>
  text: string
  transform: JsonObject | undefined
  sessionVariables: unknown
  timeoutMs: number
  /** delivery-time URL rewrite (forward.ts); the metadata keeps the configured URL */
  forward?: ((url: string) => string | undefined) | undefined
}

export type AttemptOutcome =
  /** a request transform that cannot render: Hasura fails the event without an invocation */
  | { kind: 'transform-error'; message: string }
  | {
      kind: 'sent'
      ok: boolean
      /** the invocation log's status and response */
      status: number | null
      response: unknown
      loggedPayload: unknown
      retryAfter?: number
      /** one line for the engine log */
      summary: string
      /** the URL the request went to, when it could be built */
      url?: string
      /** set when forwarding changed the URL */
      forwardedTo?: string
      /** why no HTTP answer came */
      error?: string
      durationMs: number
    }

/**
 * Builds and sends one request. It never throws for a request it cannot build: a bad header, a bad
 * URL or anything node:http refuses is a client-side failure with status null, as Hasura records an
 * HttpException (mkInvocationResp in Hasura's Eventing/HTTP.hs); an unset env var is the status 500
 * failure the engine has always recorded for it. So every attempt ends in an invocation and an
 * unlocked event.
 */
export async function attempt(
  agents: Agents,
  env: Record<string, string | undefined>,
  spec: AttemptSpec,
): Promise<AttemptOutcome> {
  let loggedPayload: unknown = spec.body
  let result: WebhookResult
  let sentTo: string | undefined
  let forwardedTo: string | undefined
  const started = performance.now()
  try {
    const url = spec.webhook()
    const headers = requestHeaders(resolveHeaders(spec.headers, env))
    let req = { url, method: 'POST', headers, body: spec.text as string | undefined }
    // Hasura builds the request from the URL before it transforms it (mkRequest)
    const badUrl = spec.transform ? urlProblem(url) : undefined
    if (badUrl) throw new InvalidRequest(badUrl)
    if (spec.transform) {
      try {
        const t = applyRequestTransform(spec.transform, {
          body: spec.body,
          baseUrl: url,
          sessionVariables: spec.sessionVariables,
          headers,
        })
        req = t
        loggedPayload = t.logged
      } catch (err) {
        if (err instanceof TransformError) return { kind: 'transform-error', message: err.message }
        throw err
      }
    }
    sentTo = req.url
    forwardedTo = spec.forward?.(req.url)
    if (forwardedTo !== undefined) sentTo = forwardedTo
    result = await postJson(agents, sentTo, req.body, req.headers, spec.timeoutMs, req.method)
  } catch (err) {
    if (err instanceof EnvMissing)
      return {
        kind: 'sent',
        ok: false,
        status: 500,
        response: { type: 'client_error', data: { message: err.message } },
        loggedPayload,
        summary: err.message,
        error: err.message,
        durationMs: performance.now() - started,
      }
    const message = err instanceof InvalidRequest ? err.message : `InvalidRequest ${(err as Error).message}`
    result = { body: '', headers: [], error: message }
  }
  const logged = invocationResponse(result)
  const ok = result.status !== undefined && result.status >= 200 && result.status < 300
  return {
    kind: 'sent',
    ok,
    status: logged.status,
    response: logged.response,
    loggedPayload,
    ...(!ok && result.retryAfter !== undefined ? { retryAfter: result.retryAfter } : {}),
    summary: String(result.status ?? result.error),
    ...(sentTo !== undefined ? { url: sentTo } : {}),
    ...(forwardedTo !== undefined ? { forwardedTo } : {}),
    ...(result.status === undefined ? { error: result.error ?? 'no answer' } : {}),
    durationMs: performance.now() - started,
  }
}

class InvalidRequest extends Error {}
