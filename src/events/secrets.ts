import { Writable } from 'node:stream'
import { looksSecret } from '../config/secret-names.js'
import type { Context } from '../context.js'
import type { Header, Model } from '../model/types.js'
import { isExactNumber } from '../output/exact-json.js'

export const MASK = '••••••'

/**
 * Values that must never be printed: the admin secret and every value a `fromEnv` header
 * resolves to locally. Short values are skipped so a one-letter value cannot garble the output.
 */
export function secretValues(model: Model, env: Record<string, string | undefined>): string[] {
  const names = new Set<string>([
    model.hasura.adminSecretEnv,
    'HASURA_GRAPHQL_ADMIN_SECRET',
    'HASURA_ADMIN_SECRET',
  ])
  const headers: Header[] = [
    ...model.triggers.flatMap((t) => t.headers),
    ...model.crons.flatMap((c) => c.headers),
  ]
  for (const h of headers) if ('value_from_env' in h) names.add(h.value_from_env)
  for (const e of model.external) names.add(e.secretEnv)
  // env names inside webhook URLs and literal header templates, when they look like credentials
  const templated = [
    ...model.triggers.map((t) => ('fromEnv' in t.webhook ? `{{${t.webhook.fromEnv}}}` : t.webhook.url)),
    ...model.crons.map((c) => c.webhook),
    ...headers.map((h) => ('value' in h ? h.value : '')),
  ]
  for (const text of templated) {
    for (const m of text.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g))
      if (looksSecret(m[1]!)) names.add(m[1]!)
  }
  const out = new Set<string>()
  for (const n of names) {
    const v = env[n]
    if (v !== undefined && v.length >= 4) out.add(v)
  }
  return [...out].sort((a, b) => b.length - a.length)
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(MASK)
  return out
}

/**
 * A context whose stdout and stderr replace every secret value before it leaves the process:
 * the last line of defence behind the per-field masking below.
 */
export function redactingContext(ctx: Context, secrets: readonly string[]): Context {
  if (secrets.length === 0) return ctx
  const wrap = (target: NodeJS.WritableStream) =>
    new Writable({
      write(chunk, _enc, done) {
        target.write(redact(String(chunk), secrets))
        done()
      },
    })
  return { ...ctx, stdout: wrap(ctx.stdout), stderr: wrap(ctx.stderr) }
}

/** Lower-cased names of headers whose value a trigger takes from the environment. */
export function fromEnvHeaderNames(headers: readonly Header[]): Set<string> {
  return new Set(headers.filter((h) => 'value_from_env' in h).map((h) => h.name.toLowerCase()))
}

function shouldMask(name: string, fromEnv: ReadonlySet<string>): boolean {
  return fromEnv.has(name.toLowerCase()) || looksSecret(name)
}

/**
 * Masks header values anywhere in an invocation's request/response: Hasura stores headers as
 * `[{name, value}]` lists, handlers' responses may hold `{name: value}` maps.
 */
export function maskHeadersDeep(value: unknown, fromEnv: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => maskHeadersDeep(v, fromEnv))
  if (value === null || typeof value !== 'object' || isExactNumber(value)) return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k.toLowerCase() === 'headers') out[k] = maskHeaderList(v, fromEnv)
    else out[k] = maskHeadersDeep(v, fromEnv)
  }
  return out
}

function maskHeaderList(v: unknown, fromEnv: ReadonlySet<string>): unknown {
  if (Array.isArray(v)) {
    return v.map((h) => {
      if (h && typeof h === 'object' && typeof (h as { name?: unknown }).name === 'string' && 'value' in h) {
        const name = (h as { name: string }).name
        return shouldMask(name, fromEnv) ? { ...h, value: MASK } : h
      }
      return h
    })
  }
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map(([name, val]) => [
        name,
        shouldMask(name, fromEnv) ? MASK : val,
      ]),
    )
  }
  return v
}

/** `{name: value}` headers for printing: masked the same way. */
export function maskHeaderRecord(
  headers: Record<string, string>,
  fromEnv: ReadonlySet<string>,
): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([n, v]) => [n, shouldMask(n, fromEnv) ? MASK : v]))
}
