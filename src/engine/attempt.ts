import { envHeaderNames, type InvocationVersion, invocationResponse, logHeaders } from './invocation.js'
import type { HeaderConf, JsonObject } from './metadata/model.js'
import { RawJson } from './raw-json.js'
import { applyRequestTransform, TransformError } from './transform.js'
import {
  type Agents,
  EnvMissing,
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
  /** the URL comes from the environment (`webhook_from_env`, a `{{VAR}}` template): never logged */
  urlFromEnv: boolean
  headers: HeaderConf[] | undefined
  /** the body as an object (transforms) and as the exact text sent (the invocation log keeps it) */
  body: Record<string, unknown>
  text: string
  transform: JsonObject | undefined
  sessionVariables: unknown
  timeoutMs: number
  /** "2" for event triggers, "1" for cron and scheduled events */
  version: InvocationVersion
  /** delivery-time URL rewrite (forward.ts); the metadata keeps the configured URL */
  forward?: ((url: string) => string | undefined) | undefined
}

export type AttemptOutcome =
  /** a request transform that cannot render: Hasura fails the event without an invocation */
  | { kind: 'transform-error'; message: string }
  | {
      kind: 'sent'
      ok: boolean
      /** the invocation log's status, request and response (RawJson inside: write with raw-json's stringify) */
      status: number | null
      request: unknown
      response: unknown
      retryAfter?: number
      /** one line for the engine log */
      summary: string
      /** the URL the request went to, when it could be built and did not come from the environment */
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
 *
 * The invocation's request is `{payload, headers, version}` as Hasura's `mkWebhookReq` makes it: the
 * body actually sent (after a transform), with its digits as sent, and the headers as `logHeaders`
 * records them.
 */
export async function attempt(
  agents: Agents,
  env: Record<string, string | undefined>,
  spec: AttemptSpec,
): Promise<AttemptOutcome> {
  let loggedPayload: unknown = new RawJson(spec.text)
  let result: WebhookResult
  let sentTo: string | undefined
  let forwardedTo: string | undefined
  const started = performance.now()
  const request = (payload: unknown) => ({
    payload,
    headers: logHeaders(spec.headers),
    version: spec.version,
    ...(forwardedTo !== undefined ? { forwarded_to: forwardedTo } : {}),
  })
  try {
    const url = spec.webhook()
    const headers = requestHeaders(resolveHeaders(spec.headers, env))
    let req = { url, method: 'POST', headers, body: spec.text as string | undefined }
    // Hasura builds the request from the URL before it transforms it (mkRequest)
    const badUrl = spec.transform ? urlProblem(url) : undefined
    if (badUrl) throw new InvalidUrl(badUrl)
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
        request: request(loggedPayload),
        response: { type: 'client_error', data: { message: err.message }, version: spec.version },
        summary: err.message,
        error: err.message,
        durationMs: performance.now() - started,
      }
    const message = err instanceof InvalidUrl ? err.message : `Internal error: ${(err as Error).message}`
    result =
      err instanceof InvalidUrl
        ? {
            body: Buffer.alloc(0),
            headers: [],
            error: `Invalid URL: ${message}`,
            failure: { type: 'invalid_url', message },
          }
        : { body: Buffer.alloc(0), headers: [], error: message, failure: { type: 'http_exception', message } }
  }
  const secretUrl = spec.urlFromEnv && forwardedTo === undefined
  const logged = invocationResponse(result, spec.version, {
    url: secretUrl,
    headers: envHeaderNames(spec.headers),
  })
  const ok = result.status !== undefined && result.status >= 200 && result.status < 300
  return {
    kind: 'sent',
    ok,
    status: logged.status,
    request: request(loggedPayload),
    response: logged.response,
    ...(!ok && result.retryAfter !== undefined ? { retryAfter: result.retryAfter } : {}),
    summary: String(result.status ?? result.error),
    ...(sentTo !== undefined && !secretUrl ? { url: sentTo } : {}),
    ...(forwardedTo !== undefined ? { forwardedTo } : {}),
    ...(result.status === undefined ? { error: result.error ?? 'no answer' } : {}),
    durationMs: performance.now() - started,
  }
}

class InvalidUrl extends Error {}
