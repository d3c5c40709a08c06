import type { HeaderValue, RetryConfig } from '../config/schema.js'
import { looksSecret } from '../config/secret-names.js'
import { envNameFor, HANDLER } from '../config/validate.js'
import type { HasuraCronTrigger, HasuraEventTrigger, HasuraHeader } from '../metadata/emit.js'
import { HASURA_CRON_RETRY, HASURA_TRIGGER_RETRY, type TableRef } from '../model/types.js'

/**
 * The reverse of `generate`: a Hasura event or cron trigger → a webhooks.config.ts entry that
 * resolves and emits back to the same meaning (docs: the config contract in README.md). Pure.
 * What the config cannot say comes back as a refusal with the reason, never as a silent loss.
 */

export type ImportKind = 'event_trigger' | 'cron_trigger'

export interface FoundEventTrigger {
  source: string
  table: TableRef
  trigger: HasuraEventTrigger
  /** where it was read: a metadata file or the server */
  where: string
}

export interface FoundCronTrigger {
  cron: HasuraCronTrigger
  where: string
}

export interface Found {
  eventTriggers: FoundEventTrigger[]
  cronTriggers: FoundCronTrigger[]
}

/** What the config around the imported entries already says (their values are left out when equal). */
export interface ReverseContext {
  /** the config's hasura.source: entries of another source get `source:` */
  source: string
  /** the service handler routes live on: a webhook on it becomes `handler` */
  service?: { baseUrl: string; routePrefix: string }
  defaults?: { retry?: RetryConfig; headers?: Record<string, HeaderValue> }
}

export interface Refusal {
  kind: ImportKind
  name: string
  reason: string
}

/** A literal secret-looking header value that the config takes from an env name instead. */
export interface SecretHeader {
  kind: ImportKind
  name: string
  header: string
  env: string
}

export type Reversed =
  | { ok: true; value: Record<string, unknown>; secrets: SecretHeader[] }
  | { ok: false; refusal: Refusal }

const ENV_TEMPLATE = /\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}/

/** Fields Hasura stores that the config has no words for yet, and what they do. */
const CANNOT_CARRY: Record<string, string> = {
  request_transform: 'a request transform (Hasura rewrites the webhook request)',
  response_transform: 'a response transform',
  cleanup_config: 'an event log cleanup schedule (cleanup_config)',
  trigger_on_replication: 'trigger_on_replication: true',
}

const EVENT_FIELDS = new Set(['name', 'definition', 'retry_conf', 'webhook', 'webhook_from_env', 'headers'])
const CRON_FIELDS = new Set([
  'name',
  'webhook',
  'schedule',
  'include_in_metadata',
  'payload',
  'retry_conf',
  'headers',
  'comment',
])

function unsupported(
  obj: Record<string, unknown>,
  known: Set<string>,
  defaults: Record<string, unknown>,
): string | undefined {
  for (const [key, value] of Object.entries(obj)) {
    if (known.has(key) || value === undefined || value === null) continue
    if (key in defaults && JSON.stringify(defaults[key]) === JSON.stringify(value)) continue
    const what = CANNOT_CARRY[key] ?? `the field ${key}`
    return `it has ${what}, which webhooks.config.ts cannot express yet; keep managing it where it is (it stays untouched and unmanaged)`
  }
  return undefined
}

/** Names env variables for literal secrets: one name per distinct value, never the value itself. */
export class SecretNamer {
  private readonly byEnv = new Map<string, string>()
  name(header: string, owner: string, value: string): string {
    let base = envNameFor(header)
    if (!/^[A-Za-z_]/.test(base)) base = `H_${base}`
    for (const candidate of [base, `${owner.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()}_${base}`]) {
      const held = this.byEnv.get(candidate)
      if (held === undefined || held === value) {
        this.byEnv.set(candidate, value)
        return candidate
      }
    }
    for (let i = 2; ; i++) {
      const candidate = `${base}_${i}`
      const held = this.byEnv.get(candidate)
      if (held === undefined || held === value) {
        this.byEnv.set(candidate, value)
        return candidate
      }
    }
  }
}

function headersOf(
  kind: ImportKind,
  name: string,
  list: unknown,
  ctx: ReverseContext,
  namer: SecretNamer,
):
  | { ok: true; headers?: Record<string, HeaderValue>; secrets: SecretHeader[] }
  | { ok: false; reason: string } {
  if (list === undefined || list === null) list = []
  if (!Array.isArray(list)) return { ok: false, reason: 'its headers are not a list' }
  const own: Record<string, HeaderValue> = {}
  const seen = new Set<string>()
  const secrets: SecretHeader[] = []
  for (const raw of list as HasuraHeader[]) {
    const header = raw?.name
    if (typeof header !== 'string' || header === '') return { ok: false, reason: 'a header has no name' }
    if (seen.has(header.toLowerCase())) {
      return {
        ok: false,
        reason: `it sends the header "${header}" twice; the config holds one value per header name`,
      }
    }
    seen.add(header.toLowerCase())
    if (typeof raw.value_from_env === 'string') own[header] = { fromEnv: raw.value_from_env }
    else if (typeof raw.value === 'string') {
      if (looksSecret(header) && !ENV_TEMPLATE.test(raw.value)) {
        const env = namer.name(header, name, raw.value)
        own[header] = { fromEnv: env }
        secrets.push({ kind, name, header, env })
      } else own[header] = raw.value
    } else return { ok: false, reason: `the header "${header}" has neither a value nor value_from_env` }
  }
  // defaults.headers reach every entry; an entry that lacks one cannot be said in this config
  const defaults = ctx.defaults?.headers ?? {}
  for (const [dName, dValue] of Object.entries(defaults)) {
    const mine = Object.keys(own).find((h) => h.toLowerCase() === dName.toLowerCase())
    if (mine === undefined) {
      return {
        ok: false,
        reason: `the config's defaults.headers add "${dName}" to every entry, and this one does not send it`,
      }
    }
    if (mine === dName && JSON.stringify(own[mine]) === JSON.stringify(dValue)) delete own[mine]
  }
  return Object.keys(own).length > 0 ? { ok: true, headers: own, secrets } : { ok: true, secrets }
}

function webhookOf(url: string, ctx: ReverseContext): { webhook: string } | { handler: string } {
  if (ctx.service) {
    const prefix = `${ctx.service.baseUrl}${ctx.service.routePrefix}/`
    if (url.startsWith(prefix)) {
      const handler = url.slice(prefix.length)
      if (!handler.startsWith('/') && HANDLER.test(handler)) return { handler }
    }
  }
  return { webhook: url }
}

/** the Hasura retry_conf keys; backoff is the service's own and never comes from Hasura */
type RetryKey = 'numRetries' | 'intervalSec' | 'timeoutSec' | 'toleranceSec'

function retryOf(actual: Partial<Record<RetryKey, number>>, base: Record<RetryKey, number | undefined>) {
  const out: RetryConfig = {}
  for (const key of Object.keys(actual) as RetryKey[]) {
    const v = actual[key]
    if (v !== undefined && v !== base[key]) out[key] = v
  }
  return Object.keys(out).length > 0 ? out : undefined
}

/** `'users'`, `'auth.users'`, or `{ schema, name }` when a dot would make the short form ambiguous. */
function tableValue(t: TableRef): string | { schema: string; name: string } {
  if (t.name.includes('.') || t.schema.includes('.')) return { schema: t.schema, name: t.name }
  return t.schema === 'public' ? t.name : `${t.schema}.${t.name}`
}

function columnsOf(c: unknown): string[] | undefined {
  if (c === undefined || c === null || c === '*') return undefined
  if (Array.isArray(c) && c.every((x) => typeof x === 'string')) return c as string[]
  return ['\u0000invalid']
}

export function reverseEventTrigger(f: FoundEventTrigger, ctx: ReverseContext, namer: SecretNamer): Reversed {
  const t = f.trigger as unknown as Record<string, unknown>
  const name = String(t.name)
  const refuse = (reason: string): Reversed => ({
    ok: false,
    refusal: { kind: 'event_trigger', name, reason },
  })
  const odd = unsupported(t, EVENT_FIELDS, { trigger_on_replication: false })
  if (odd) return refuse(odd)
  const def = (t.definition ?? {}) as Record<string, unknown>
  const on: Record<string, unknown> = {}
  for (const op of ['insert', 'update', 'delete'] as const) {
    const spec = def[op] as { columns?: unknown; payload?: unknown } | null | undefined
    if (spec === undefined || spec === null) continue
    const columns = columnsOf(spec.columns)
    const payload = columnsOf(spec.payload)
    if (columns?.[0] === '\u0000invalid' || payload?.[0] === '\u0000invalid') {
      return refuse(`its ${op} column list is not '*' or a list of names`)
    }
    if (op !== 'update' && columns !== undefined) {
      return refuse(
        `its ${op} listens to the columns ${columns.join(', ')}; in the config ${op} listens to every column (Hasura fires it for every row)`,
      )
    }
    const o: Record<string, unknown> = {}
    if (columns !== undefined) o.columns = columns
    if (payload !== undefined) o.payload = payload
    on[op] = Object.keys(o).length > 0 ? o : true
  }
  if (def.enable_manual === true) on.manual = true
  const value: Record<string, unknown> = { table: tableValue(f.table) }
  if (f.source !== ctx.source) value.source = f.source
  value.on = on
  if (typeof t.webhook_from_env === 'string' && t.webhook === undefined)
    value.webhookFromEnv = t.webhook_from_env
  else if (typeof t.webhook === 'string' && t.webhook_from_env === undefined)
    Object.assign(value, webhookOf(t.webhook, ctx))
  else return refuse('it needs exactly one of webhook and webhook_from_env')
  const headers = headersOf('event_trigger', name, t.headers, ctx, namer)
  if (!headers.ok) return refuse(headers.reason)
  if (headers.headers) value.headers = headers.headers
  const r = (t.retry_conf ?? {}) as Record<string, unknown>
  const d = ctx.defaults?.retry ?? {}
  const retry = retryOf(
    {
      numRetries: (r.num_retries as number | undefined) ?? HASURA_TRIGGER_RETRY.numRetries,
      intervalSec: (r.interval_sec as number | undefined) ?? HASURA_TRIGGER_RETRY.intervalSec,
      timeoutSec: (r.timeout_sec as number | undefined) ?? HASURA_TRIGGER_RETRY.timeoutSec,
    },
    {
      numRetries: d.numRetries ?? HASURA_TRIGGER_RETRY.numRetries,
      intervalSec: d.intervalSec ?? HASURA_TRIGGER_RETRY.intervalSec,
      timeoutSec: d.timeoutSec ?? HASURA_TRIGGER_RETRY.timeoutSec,
      toleranceSec: undefined,
    },
  )
  if (retry) value.retry = retry
  return { ok: true, value, secrets: headers.secrets }
}

export function reverseCronTrigger(f: FoundCronTrigger, ctx: ReverseContext, namer: SecretNamer): Reversed {
  const c = f.cron as unknown as Record<string, unknown>
  const name = String(c.name)
  const refuse = (reason: string): Reversed => ({
    ok: false,
    refusal: { kind: 'cron_trigger', name, reason },
  })
  const odd = unsupported(c, CRON_FIELDS, {})
  if (odd) return refuse(odd)
  if (typeof c.webhook !== 'string') return refuse('it has no webhook URL')
  if (typeof c.schedule !== 'string') return refuse('it has no schedule')
  const value: Record<string, unknown> = { schedule: c.schedule, ...webhookOf(c.webhook, ctx) }
  if (c.payload !== undefined && c.payload !== null) value.payload = c.payload
  if (c.include_in_metadata === false) value.includeInMetadata = false
  if (typeof c.comment === 'string') value.comment = c.comment
  const headers = headersOf('cron_trigger', name, c.headers, ctx, namer)
  if (!headers.ok) return refuse(headers.reason)
  if (headers.headers) value.headers = headers.headers
  const r = (c.retry_conf ?? {}) as Record<string, unknown>
  const d = ctx.defaults?.retry ?? {}
  const retry = retryOf(
    {
      numRetries: (r.num_retries as number | undefined) ?? HASURA_CRON_RETRY.numRetries,
      intervalSec: (r.retry_interval_seconds as number | undefined) ?? HASURA_CRON_RETRY.intervalSec,
      timeoutSec: (r.timeout_seconds as number | undefined) ?? HASURA_CRON_RETRY.timeoutSec,
      toleranceSec: (r.tolerance_seconds as number | undefined) ?? HASURA_CRON_RETRY.toleranceSec,
    },
    {
      numRetries: d.numRetries ?? HASURA_CRON_RETRY.numRetries,
      intervalSec: d.intervalSec ?? HASURA_CRON_RETRY.intervalSec,
      timeoutSec: d.timeoutSec ?? HASURA_CRON_RETRY.timeoutSec,
      toleranceSec: d.toleranceSec ?? HASURA_CRON_RETRY.toleranceSec,
    },
  )
  if (retry) value.retry = retry
  return { ok: true, value, secrets: headers.secrets }
}

/** The Hasura object as the config will make it: literal secrets replaced by their env names. */
export function withSecretsFromEnv<T extends { headers?: HasuraHeader[] }>(
  obj: T,
  secrets: SecretHeader[],
): T {
  if (secrets.length === 0 || !Array.isArray(obj.headers)) return obj
  return {
    ...obj,
    headers: obj.headers.map((h) => {
      const s = secrets.find((x) => x.header === h.name)
      return s ? { name: h.name, value_from_env: s.env } : h
    }),
  }
}
