import type { JsonObject } from './metadata/model.js'

/**
 * Hasura request transforms (Kriti templates), the subset real projects use: `{{ $body.a.b }}`,
 * `?.` and `['key']` / `[0]` paths over `$body`, `$base_url`, `$session_variables` and
 * `$query_params`, in JSON body templates and in string templates (url, query params, headers).
 * Anything else (functions, if/range) is a transformation error, which fails the event as in Hasura.
 */
export class TransformError extends Error {}

export interface TransformInput {
  body: unknown
  baseUrl: string
  sessionVariables: unknown
  headers: Record<string, string>
}

export interface TransformedRequest {
  url: string
  method: string
  headers: Record<string, string>
  /** undefined: no body */
  body: string | undefined
  /** the body as JSON for the invocation log (null when it is not JSON) */
  logged: unknown
}

function evaluate(expr: string, ctx: Record<string, unknown>): unknown {
  const src = expr.trim()
  const m = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(src)
  if (!m) throw new TransformError(`unsupported Kriti expression: ${src}`)
  const root = `$${m[1]}`
  if (!(root in ctx)) throw new TransformError(`unknown Kriti variable: ${root}`)
  let value: unknown = ctx[root]
  let rest = src.slice(m[0].length)
  while (rest.length > 0) {
    const dot = /^\??\.([A-Za-z_][A-Za-z0-9_-]*)/.exec(rest)
    const quoted = dot ? null : /^\??\[\s*'((?:[^'\\]|\\.)*)'\s*\]/.exec(rest)
    const index = dot || quoted ? null : /^\??\[\s*(\d+)\s*\]/.exec(rest)
    const step = dot ?? quoted ?? index
    if (!step) throw new TransformError(`unsupported Kriti expression: ${src}`)
    const optional = step[0].startsWith('?')
    const key: string | number = index ? Number(step[1]) : step[1]!
    rest = rest.slice(step[0].length)
    if (value !== null && typeof value === 'object' && key in (value as object)) {
      value = (value as Record<string | number, unknown>)[key]
    } else if (optional) {
      value = null
    } else {
      throw new TransformError(`path not found: ${src}`)
    }
  }
  return value === undefined ? null : value
}

const TEMPLATE = /\{\{([\s\S]*?)\}\}/g

/** A string template: the value itself when the template is one expression, else text. */
function renderString(tpl: string, ctx: Record<string, unknown>): unknown {
  const whole = /^\{\{([\s\S]*?)\}\}$/.exec(tpl)
  if (whole) return evaluate(whole[1]!, ctx)
  return tpl.replace(TEMPLATE, (_, e: string) => {
    const v = evaluate(e, ctx)
    return typeof v === 'string' ? v : JSON.stringify(v)
  })
}

const asText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v))

/** A JSON template: expressions in value position become JSON, inside strings they become text. */
function renderJson(tpl: string, ctx: Record<string, unknown>): unknown {
  let out = ''
  let i = 0
  let inString = false
  while (i < tpl.length) {
    if (tpl.startsWith('{{', i)) {
      const end = tpl.indexOf('}}', i + 2)
      if (end < 0) throw new TransformError('unterminated {{ in template')
      const v = evaluate(tpl.slice(i + 2, end), ctx)
      out += inString ? JSON.stringify(asText(v)).slice(1, -1) : JSON.stringify(v)
      i = end + 2
      continue
    }
    const ch = tpl[i]!
    if (ch === '"') inString = !inString
    else if (ch === '\\' && inString) {
      out += ch + (tpl[i + 1] ?? '')
      i += 2
      continue
    }
    out += ch
    i++
  }
  try {
    return JSON.parse(out)
  } catch (err) {
    throw new TransformError(`template did not render to JSON: ${(err as Error).message}`)
  }
}

export function applyRequestTransform(rt: JsonObject, input: TransformInput): TransformedRequest {
  const url0 = new URL(input.baseUrl)
  const ctx: Record<string, unknown> = {
    $body: input.body,
    $base_url: input.baseUrl,
    $session_variables: input.sessionVariables ?? null,
    $query_params: Object.fromEntries(url0.searchParams),
  }
  const version = rt.version === 1 ? 1 : rt.version === 2 ? 2 : rt.body && typeof rt.body === 'string' ? 1 : 2
  let url = typeof rt.url === 'string' ? asText(renderString(rt.url, ctx)) : input.baseUrl
  const method = typeof rt.method === 'string' ? rt.method.toUpperCase() : 'POST'
  if (rt.query_params !== undefined && rt.query_params !== null) {
    const u = new URL(url)
    if (typeof rt.query_params === 'string') {
      u.search = asText(renderString(rt.query_params, ctx))
    } else {
      for (const [k, tpl] of Object.entries(rt.query_params as Record<string, string>)) {
        const v = typeof tpl === 'string' ? renderString(tpl, ctx) : tpl
        if (v === null || v === undefined) u.searchParams.delete(k)
        else u.searchParams.set(k, asText(v))
      }
    }
    url = u.toString()
  }
  const headers = { ...input.headers }
  const rh = rt.request_headers as
    | { add_headers?: Record<string, string>; remove_headers?: string[] }
    | undefined
  for (const name of rh?.remove_headers ?? [])
    for (const h of Object.keys(headers)) if (h.toLowerCase() === name.toLowerCase()) delete headers[h]
  for (const [name, tpl] of Object.entries(rh?.add_headers ?? {}))
    headers[name] = asText(renderString(tpl, ctx))

  let body: string | undefined = JSON.stringify(input.body)
  let logged: unknown = input.body
  let formType = false
  if (version === 1) {
    if (typeof rt.body === 'string') {
      logged = renderJson(rt.body, ctx)
      body = JSON.stringify(logged)
    }
    if (rt.content_type === 'application/x-www-form-urlencoded') formType = true
  } else if (rt.body && typeof rt.body === 'object') {
    const b = rt.body as { action?: string; template?: string; form_template?: Record<string, string> }
    if (b.action === 'remove') {
      body = undefined
      logged = null
    } else if (b.action === 'transform' && typeof b.template === 'string') {
      logged = renderJson(b.template, ctx)
      body = JSON.stringify(logged)
    } else if (b.action === 'x_www_form_urlencoded') {
      const form = new URLSearchParams()
      for (const [k, tpl] of Object.entries(b.form_template ?? {})) {
        const v = renderString(tpl, ctx)
        if (v !== null && v !== undefined) form.set(k, asText(v))
      }
      body = form.toString()
      logged = null
      formType = true
    }
  }
  if (formType) {
    for (const h of Object.keys(headers)) if (h.toLowerCase() === 'content-type') delete headers[h]
    headers['Content-Type'] = 'application/x-www-form-urlencoded'
    if (version === 1 && body !== undefined && logged && typeof logged === 'object') {
      const form = new URLSearchParams()
      for (const [k, v] of Object.entries(logged as Record<string, unknown>)) form.set(k, asText(v))
      body = form.toString()
      logged = null
    }
  }
  return { url, method, headers, body, logged }
}
