// Longer than 400 lines on purpose: one small named function per config rule, listed in one `rules`
// array, so every check the config goes through is visible in one file.
import { Cron } from 'croner'
import type * as z from 'zod'
import type { Issue } from '../errors.js'
import { visible } from '../output/remote-text.js'
import { closest } from './closest.js'
import {
  type CronConfig,
  configSchema,
  type HeaderValue,
  type ParsedConfig,
  type TriggerConfig,
} from './schema.js'
import { looksSecret } from './secret-names.js'
import { urlCredentials } from './url-credentials.js'

/** Hasura's own rule for event trigger names (docs/hasura-compatibility.md "Event triggers"). */
export const TRIGGER_NAME_PATTERN = /^[A-Za-z]+[A-Za-z0-9_-]*$/
/** Postgres identifier limit minus `notify_hasura_` and `_INSERT`. */
export const TRIGGER_NAME_MAX = 42
const ENV_TEMPLATE = /\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}/

export type ValidationResult =
  | { ok: true; config: ParsedConfig; issues: Issue[] }
  | { ok: false; issues: Issue[] }

/**
 * A config is parsed once per run: zod's compiled object parsers (built with `new Function` on
 * first use, its "jit") cost more to build than they save here: 10 → 4 ms for the fixture project
 * and 45 → 40 ms for 1,500 triggers without them (docs/performance.md).
 */
const ONCE = { jitless: true } as const

/** Every problem at once: the schema's, then the cross-field rules on what parsed. */
export function validateConfig(input: unknown): ValidationResult {
  const parsed = configSchema.safeParse(input, ONCE)
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((i) => fromZodIssue(i, input))
    // Cross-field rules still run on the entries that parsed, so the user sees everything in one pass.
    issues.push(...rulesOnPartial(input), ...fieldRulesOnRaw(input), ...httpRulesOnRaw(input))
    return { ok: false, issues: dedupe(issues) }
  }
  const issues = runRules(parsed.data)
  const ok = !issues.some((i) => i.severity === 'error')
  return ok ? { ok, config: parsed.data, issues } : { ok, issues }
}

type Rule = (config: ParsedConfig, push: (issue: Issue) => void) => void

const rules: Rule[] = [
  triggerNamesHasuraAccepts,
  triggersHaveAnOperation,
  columnListsNotEmpty,
  exactlyOneWebhookSource,
  handlersNeedAService,
  cronsHaveNoWebhookFromEnv,
  cronSchedulesAreValid,
  headersKeepSecretsInEnv,
  webhooksAreUrls,
  tablesAreQualifiedOnce,
  handlersAreRoutes,
  (config, push) => {
    for (const issue of httpRulesOnRaw(config)) push(issue)
  },
  namesAreFileNames,
]

function runRules(config: ParsedConfig): Issue[] {
  const issues: Issue[] = []
  for (const rule of rules) rule(config, (i) => issues.push(i))
  return issues
}

/** Runs the rules over the triggers and crons that parse on their own when the whole config does not. */
function rulesOnPartial(input: unknown): Issue[] {
  if (!isRecord(input)) return []
  const partial: Record<string, unknown> = {}
  for (const key of ['hasura', 'service', 'defaults'] as const) {
    if (key in input && configSchema.shape[key].safeParse(input[key], ONCE).success) partial[key] = input[key]
  }
  for (const key of ['triggers', 'crons', 'external'] as const) {
    const entries = input[key]
    if (!isRecord(entries)) continue
    const schema = configSchema.shape[key].unwrap().valueType
    partial[key] = Object.fromEntries(
      Object.entries(entries).filter(([, v]) => schema.safeParse(v, ONCE).success),
    )
  }
  const parsed = configSchema.safeParse(partial, ONCE)
  return parsed.success ? runRules(parsed.data) : []
}

/**
 * Rules that need one field only also run on entries that did not parse as a whole, so a bad
 * handler or name shows up in the same run as a typo elsewhere in that entry.
 */
function fieldRulesOnRaw(input: unknown): Issue[] {
  if (!isRecord(input)) return []
  const partial: ParsedConfig = {}
  for (const key of ['triggers', 'crons', 'external'] as const) {
    const entries = input[key]
    if (!isRecord(entries)) continue
    const out: Record<string, { handler?: string; on?: Record<string, unknown> }> = {}
    for (const [name, entry] of Object.entries(entries)) {
      const e = isRecord(entry) ? entry : {}
      out[name] = {
        ...(typeof e.handler === 'string' ? { handler: e.handler } : {}),
        ...(key === 'triggers' && isRecord(e.on) ? { on: e.on } : {}),
      }
    }
    ;(partial as Record<string, unknown>)[key] = out
  }
  const issues: Issue[] = []
  const push = (i: Issue) => issues.push(i)
  triggerNamesHasuraAccepts(partial, push)
  handlersAreRoutes(partial, push)
  const withOn = {
    ...partial,
    triggers: Object.fromEntries(Object.entries(partial.triggers ?? {}).filter(([, t]) => t.on)),
  }
  triggersHaveAnOperation(withOn, push)
  columnListsNotEmpty(withOn, push)
  return issues
}

function triggerNamesHasuraAccepts(config: ParsedConfig, push: (i: Issue) => void) {
  for (const name of Object.keys(config.triggers ?? {})) {
    const path = `triggers.${name}`
    if (!TRIGGER_NAME_PATTERN.test(name)) {
      push({
        path,
        severity: 'error',
        message: `trigger name "${name}" is refused by Hasura: only letters, digits, underscores and hyphens, starting with a letter`,
        hint: `rename it, e.g. "${suggestName(name)}"`,
      })
    }
    if (name.length > TRIGGER_NAME_MAX) {
      push({
        path,
        severity: 'error',
        message: `trigger name "${name}" has ${name.length} characters; Hasura allows at most ${TRIGGER_NAME_MAX}`,
        hint: 'shorten the name (Postgres limits the trigger function name built from it)',
      })
    }
  }
  for (const name of Object.keys(config.crons ?? {})) {
    if (name.trim() === '') push({ path: 'crons', severity: 'error', message: 'a cron name is empty' })
  }
}

function triggersHaveAnOperation(config: ParsedConfig, push: (i: Issue) => void) {
  for (const [name, t] of Object.entries(config.triggers ?? {})) {
    if (!t.on.insert && !t.on.update && !t.on.delete && !t.on.manual) {
      push({
        path: `triggers.${name}.on`,
        severity: 'error',
        message: 'no operation: the trigger would never fire',
        hint: 'set at least one of insert, update, delete (true or an object) or manual: true',
      })
    }
  }
}

function columnListsNotEmpty(config: ParsedConfig, push: (i: Issue) => void) {
  for (const [name, t] of Object.entries(config.triggers ?? {})) {
    for (const op of ['insert', 'update', 'delete'] as const) {
      const spec = t.on[op]
      if (typeof spec !== 'object') continue
      for (const field of ['columns', 'payload'] as const) {
        const list = (spec as Record<string, unknown>)[field]
        if (Array.isArray(list) && list.length === 0) {
          push({
            path: `triggers.${name}.on.${op}.${field}`,
            severity: 'error',
            message: `empty column list: Hasura refuses it (found empty column specification)`,
            hint: `list at least one column, or use '*' for all columns`,
          })
        }
      }
    }
  }
}

function exactlyOneWebhookSource(config: ParsedConfig, push: (i: Issue) => void) {
  const check = (path: string, e: TriggerConfig | CronConfig, allowed: string) => {
    const given = (['webhook', 'webhookFromEnv', 'handler'] as const).filter((k) => e[k] !== undefined)
    if (given.length === 1) return
    push({
      path,
      severity: 'error',
      message:
        given.length === 0 ? 'no webhook: nowhere to deliver events' : `both ${given.join(' and ')} are set`,
      hint: `set exactly one of ${allowed}`,
    })
  }
  for (const [name, t] of Object.entries(config.triggers ?? {}))
    check(`triggers.${name}`, t, 'webhook, webhookFromEnv or handler')
  for (const [name, c] of Object.entries(config.crons ?? {})) check(`crons.${name}`, c, 'webhook or handler')
}

function handlersNeedAService(config: ParsedConfig, push: (i: Issue) => void) {
  if (config.service !== undefined) return
  const entries = [
    ...Object.entries(config.triggers ?? {}).map(([n, t]) => [`triggers.${n}.handler`, t.handler] as const),
    ...Object.entries(config.crons ?? {}).map(([n, c]) => [`crons.${n}.handler`, c.handler] as const),
    ...Object.entries(config.external ?? {}).map(([n, e]) => [`external.${n}.handler`, e.handler] as const),
  ]
  for (const [path, handler] of entries) {
    if (handler === undefined) continue
    push({
      path,
      severity: 'error',
      message: `handler "${handler}" needs a service to live in, and the config has no service`,
      hint: `add service: 'webhooks' (a CS_N entry in .env) or service: { name, template, port }, or use webhook: '<url>'`,
    })
  }
}

function cronsHaveNoWebhookFromEnv(config: ParsedConfig, push: (i: Issue) => void) {
  for (const [name, c] of Object.entries(config.crons ?? {})) {
    if (c.webhookFromEnv === undefined) continue
    push({
      path: `crons.${name}.webhookFromEnv`,
      severity: 'error',
      message: 'Hasura cron triggers have no webhook_from_env',
      hint: `use webhook: '{{${c.webhookFromEnv}}}' (Hasura resolves the template from its environment)`,
    })
  }
}

/** Hasura accepts classic 5-field cron (minute hour day-of-month month day-of-week), in UTC. */
export function cronScheduleProblem(schedule: string): string | undefined {
  const fields = schedule.trim().split(/\s+/)
  if (fields.length !== 5)
    return `has ${fields.length} field${fields.length === 1 ? '' : 's'}; Hasura needs 5`
  const bad = fields.find((f) => !/^[0-9*,/-]+$/.test(f))
  if (bad !== undefined) return `field "${bad}" is not a number, range, list, step or *`
  try {
    // the pattern alone: a timezone (Hasura's is UTC) changes no verdict, and costs an Intl set-up per cron
    new Cron(schedule, { paused: true }).stop()
  } catch (err) {
    return (err as Error).message.replace(/^CronPattern: /, '')
  }
  return undefined
}

function cronSchedulesAreValid(config: ParsedConfig, push: (i: Issue) => void) {
  for (const [name, c] of Object.entries(config.crons ?? {})) {
    const problem = cronScheduleProblem(c.schedule)
    if (problem === undefined) continue
    push({
      path: `crons.${name}.schedule`,
      severity: 'error',
      message: `invalid cron expression "${c.schedule}": ${problem}`,
      hint: `use 5 fields in UTC, e.g. '0 9 * * *' for 09:00 every day`,
    })
  }
}

function headersKeepSecretsInEnv(config: ParsedConfig, push: (i: Issue) => void) {
  const check = (path: string, headers: Record<string, HeaderValue> | undefined) => {
    for (const [header, value] of Object.entries(headers ?? {})) {
      if (typeof value !== 'string' || !looksSecret(header) || ENV_TEMPLATE.test(value)) continue
      push({
        path: `${path}.${header}`,
        severity: 'error',
        message: `header "${header}" looks secret but has a literal value, which would be committed to metadata`,
        hint: `use { fromEnv: '${envNameFor(header)}' } and set that variable where Hasura runs`,
      })
    }
  }
  check('defaults.headers', config.defaults?.headers)
  for (const [n, t] of Object.entries(config.triggers ?? {})) check(`triggers.${n}.headers`, t.headers)
  for (const [n, c] of Object.entries(config.crons ?? {})) check(`crons.${n}.headers`, c.headers)
}

function webhooksAreUrls(config: ParsedConfig, push: (i: Issue) => void) {
  const check = (path: string, webhook: string | undefined) => {
    if (webhook === undefined) return
    const withoutTemplates = webhook.replace(/\{\{[^}]*\}\}/g, 'http://env.invalid')
    if (/^https?:\/\/[^\s]+$/.test(withoutTemplates)) return
    push({
      path,
      severity: 'error',
      message: `webhook "${webhook}" is not an http(s) URL`,
      hint: `write a full URL ('https://api.example.com/hook') or start with an env template ('{{API_BASE}}/hook')`,
    })
  }
  for (const [n, t] of Object.entries(config.triggers ?? {})) check(`triggers.${n}.webhook`, t.webhook)
  for (const [n, c] of Object.entries(config.crons ?? {})) check(`crons.${n}.webhook`, c.webhook)
}

function tablesAreQualifiedOnce(config: ParsedConfig, push: (i: Issue) => void) {
  for (const [n, t] of Object.entries(config.triggers ?? {})) {
    if (typeof t.table === 'string' && t.table.split('.').length > 2) {
      push({
        path: `triggers.${n}.table`,
        severity: 'error',
        message: `table "${t.table}" has more than one dot`,
        hint: `write 'schema.table', or { schema: '...', name: '...' } when a name contains a dot`,
      })
    }
  }
}

/**
 * Table, schema and source names become file and directory names in the metadata directory
 * (`databases/<source>/tables/<schema>_<table>.yaml`, as the Hasura CLI lays them out): no path
 * separators, NUL or control characters, and a source is not `.` or `..`.
 */
const NOT_IN_FILE_NAMES = /[/\\\p{Cc}]/u

function namesAreFileNames(config: ParsedConfig, push: (i: Issue) => void) {
  const shown = (v: string) => JSON.stringify(v)
  const bad = (path: string, what: string, value: string) =>
    push({
      path,
      severity: 'error',
      message: `${what} ${shown(value)} cannot be part of a file name in the metadata directory (it has / \\ or a control character)`,
      hint: 'rename it in the database (Hasura names the file <schema>_<table>.yaml), or leave it out of the config',
    })
  const source = (path: string, value: string | undefined) => {
    if (value === undefined) return
    if (NOT_IN_FILE_NAMES.test(value) || value === '.' || value === '..') bad(path, 'source name', value)
  }
  source('hasura.source', config.hasura?.source)
  for (const [n, t] of Object.entries(config.triggers ?? {})) {
    source(`triggers.${n}.source`, t.source)
    const values = typeof t.table === 'string' ? [t.table] : [t.table.schema, t.table.name]
    if (values.some((v) => NOT_IN_FILE_NAMES.test(v))) bad(`triggers.${n}.table`, 'table', values.join('.'))
  }
}

/** A handler is a route below the service's prefix and a file name: path segments, no spaces, queries or `..`. */
export const HANDLER = /^\/?[A-Za-z0-9_][A-Za-z0-9_-]*(\/[A-Za-z0-9_][A-Za-z0-9_-]*)*$/

function handlersAreRoutes(config: ParsedConfig, push: (i: Issue) => void) {
  const entries = [
    ...Object.entries(config.triggers ?? {}).map(([n, t]) => [`triggers.${n}.handler`, t.handler] as const),
    ...Object.entries(config.crons ?? {}).map(([n, c]) => [`crons.${n}.handler`, c.handler] as const),
    ...Object.entries(config.external ?? {}).map(([n, e]) => [`external.${n}.handler`, e.handler] as const),
  ]
  for (const [path, handler] of entries) {
    if (handler === undefined || HANDLER.test(handler)) continue
    push({
      path,
      severity: 'error',
      message: `handler "${handler}" is not a route: it becomes both a URL path and a file name`,
      hint: `use letters, digits, _ and -, with / between parts, e.g. 'users/created'`,
    })
  }
}

const KNOWN_KEYS: Record<string, string[]> = {
  root: ['hasura', 'service', 'defaults', 'triggers', 'crons', 'external'],
  trigger: ['table', 'source', 'on', 'webhook', 'webhookFromEnv', 'handler', 'headers', 'retry', 'comment'],
  cron: [
    'schedule',
    'payload',
    'includeInMetadata',
    'webhook',
    'webhookFromEnv',
    'handler',
    'headers',
    'retry',
    'comment',
  ],
  retry: ['numRetries', 'intervalSec', 'timeoutSec', 'toleranceSec', 'backoff', 'maxIntervalSec'],
  on: ['insert', 'update', 'delete', 'manual'],
  hasura: ['endpoint', 'adminSecretEnv', 'metadataDir', 'source'],
  defaults: ['retry', 'headers'],
  service: ['name', 'template', 'port', 'routePrefix', 'baseUrl', 'dir'],
  external: ['provider', 'secretEnv', 'handler', 'header', 'toleranceSec'],
  opSpec: ['columns', 'payload'],
}

function knownKeysAt(path: PropertyKey[]): string[] {
  const p = path.map(String)
  if (p.length === 0) return KNOWN_KEYS.root!
  const last = p[p.length - 1]!
  if (last === 'retry') return KNOWN_KEYS.retry!
  if (last === 'on') return KNOWN_KEYS.on!
  if (['insert', 'update', 'delete'].includes(last)) return KNOWN_KEYS.opSpec!
  if (p.length === 1) return KNOWN_KEYS[p[0] === 'triggers' || p[0] === 'crons' ? 'root' : p[0]!] ?? []
  if (p.length === 2 && p[0] === 'triggers') return KNOWN_KEYS.trigger!
  if (p.length === 2 && p[0] === 'crons') return KNOWN_KEYS.cron!
  if (p.length === 2 && p[0] === 'external') return KNOWN_KEYS.external!
  return []
}

function fromZodIssue(issue: z.core.$ZodIssue, input: unknown): Issue[] {
  const base = issue.path.map(String).join('.')
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(issue.path)
    const op = String(issue.path.at(-1) ?? '')
    return issue.keys.map((key) => {
      if (key === 'columns' && (op === 'insert' || op === 'delete')) {
        return {
          path: `${base}.${key}`,
          severity: 'error' as const,
          message: `${op} has no listened columns: Hasura fires it for every ${op === 'insert' ? 'new' : 'deleted'} row`,
          hint: `remove columns; use payload: [...] to choose the columns sent`,
        }
      }
      const close = closest(key, known)
      return {
        path: base ? `${base}.${key}` : key,
        severity: 'error' as const,
        message: `unknown key "${key}"`,
        hint: close ? `did you mean "${close}"?` : `allowed here: ${known.join(', ') || 'none'}`,
      }
    })
  }
  if (issue.code === 'invalid_union') {
    // Report the branch that went furthest, not zod's generic "invalid input".
    const value = valueAt(input, issue.path)
    const branches = issue.errors
    const best = branches.find((b) => b.every((i) => i.code !== 'invalid_type' || i.path.length > 0))
    if (best && best.length > 0 && typeof value === 'object' && value !== null) {
      return best.flatMap((i) => fromZodIssue({ ...i, path: [...issue.path, ...i.path] }, input))
    }
    return [
      {
        path: base,
        severity: 'error',
        message: `invalid value ${preview(value)}`,
        hint: hintFor(issue.path),
      },
    ]
  }
  if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) {
    return [{ path: base, severity: 'error', message: `missing ${String(issue.path.at(-1) ?? 'value')}` }]
  }
  return [{ path: base, severity: 'error', message: issue.message, hint: hintFor(issue.path) }]
}

function hintFor(path: PropertyKey[]): string | undefined {
  const last = String(path.at(-1) ?? '')
  if (last === 'table') return `'users', 'schema.table' or { schema, name }`
  if (['insert', 'delete'].includes(last)) return `true, or { payload: ['col', ...] }`
  if (last === 'update') return `true, or { columns: ['col', ...], payload: ['col', ...] }`
  if (last === 'columns' || last === 'payload') return `'*' or a list of column names`
  if (path.includes('headers')) return `a literal string, or { fromEnv: 'ENV_NAME' }`
  if (last === 'service') return `a CS_N service name from .env, or { name, template, port, routePrefix }`
  return undefined
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let v: unknown = input
  for (const k of path)
    v = isRecord(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[k] : undefined
  return v
}

function preview(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v)
  return s.length > 40 ? `${s.slice(0, 37)}...` : s
}

function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>()
  return issues.filter((i) => {
    const k = `${i.path}\u0000${i.message}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function suggestName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^[^A-Za-z]+/, '')
  return (cleaned || 'trigger').slice(0, TRIGGER_NAME_MAX)
}

export function envNameFor(header: string): string {
  return (
    header
      .replace(/[^A-Za-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .toUpperCase() || 'WEBHOOK_SECRET'
  )
}

// ---- what goes on the wire: header names and values, webhook URLs --------------------------------

/** RFC 7230 §3.2.6 `token`: the characters an HTTP header name may have. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
/**
 * RFC 7230 §3.2 `field-value`: no control characters but HTAB. A CR or LF would end the header and
 * start another one in the request Hasura sends (header injection); NUL is refused by every stack.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const HEADER_VALUE_FORBIDDEN = /[\u0000-\u0008\u000a-\u001f\u007f]/g
const TEMPLATES = /\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}/g

/**
 * The rules about what reaches the wire, on the raw input: they need one field each, so they also
 * report entries that did not parse as a whole.
 */
function httpRulesOnRaw(input: unknown): Issue[] {
  if (!isRecord(input)) return []
  const issues: Issue[] = []
  const push = (i: Issue) => issues.push(i)
  const defaults = input.defaults
  if (isRecord(defaults)) headersAreHttp('defaults.headers', defaults.headers, push)
  for (const kind of ['triggers', 'crons'] as const) {
    const entries = input[kind]
    if (!isRecord(entries)) continue
    for (const [name, entry] of Object.entries(entries)) {
      if (!isRecord(entry)) continue
      headersAreHttp(`${kind}.${visible(name)}.headers`, entry.headers, push)
      webhookHasNoCredentials(kind, name, entry.webhook, push)
    }
  }
  const service = input.service
  if (isRecord(service) && typeof service.baseUrl === 'string') {
    const found = literalCredentials(service.baseUrl)
    if (found) {
      push({
        path: 'service.baseUrl',
        severity: 'error',
        message: `baseUrl ${visible(found)} has credentials in it: every handler's webhook is built from it, so they would be committed to the metadata files and printed in sync plans`,
        hint: `write the base URL as an env template, e.g. baseUrl: '{{WEBHOOKS_BASE_URL}}', and set WEBHOOKS_BASE_URL where Hasura runs`,
      })
    }
  }
  return issues
}

function headersAreHttp(path: string, headers: unknown, push: (i: Issue) => void) {
  if (!isRecord(headers)) return
  for (const [header, value] of Object.entries(headers)) {
    const where = `${path}.${visible(header)}`
    if (!HEADER_NAME.test(header)) {
      push({
        path: where,
        severity: 'error',
        message: `header name "${visible(header)}" is not an HTTP header name: ${nameProblem(header)}`,
        hint: `use letters, digits and - (e.g. "${header.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'X-Header'}")`,
      })
    }
    if (typeof value !== 'string') continue
    const bad = [...value.matchAll(HEADER_VALUE_FORBIDDEN)]
    if (bad.length === 0) continue
    const kinds = [...new Set(bad.map((m) => controlName(m[0])))].join(', ')
    // a value under a secret-looking name is not echoed, even with its control characters shown
    const shown = looksSecret(header)
      ? `at character ${(bad[0]!.index ?? 0) + 1}`
      : `"${visible(value.length > 80 ? `${value.slice(0, 77)}...` : value)}"`
    push({
      path: where,
      severity: 'error',
      message: `header value has characters HTTP forbids (${kinds}) ${shown}: ${
        /[\r\n]/.test(value)
          ? 'a line break would end the header and start another in every request'
          : 'the request could not be sent'
      }`,
      hint: 'remove them: a header value is one line, and tab is the only control character it may hold',
    })
  }
}

function nameProblem(name: string): string {
  const bad = [...new Set([...name].filter((ch) => !HEADER_NAME.test(ch)))]
  if (bad.length === 0) return 'it is empty'
  const shown = bad.map((ch) => (visible(ch) !== ch ? controlName(ch) : `"${ch}"`))
  return `it has ${shown.join(', ')} (only letters, digits and !#$%&'*+-.^_\`|~ are allowed)`
}

const CONTROL_NAMES: Record<string, string> = { '\r': 'CR', '\n': 'LF', '\u0000': 'NUL', '\t': 'tab' }

function controlName(ch: string): string {
  return CONTROL_NAMES[ch] ?? visible(ch)
}

/** The URL with its password masked when its userinfo has a literal secret; templates are fine. */
function literalCredentials(url: string): string | undefined {
  const found = urlCredentials(url)
  if (!found) return undefined
  // the secret part is the password, or a lone user name (often a token)
  const secret = found.password || found.user
  return secret.replace(TEMPLATES, '') === '' ? undefined : found.masked
}

function webhookHasNoCredentials(
  kind: 'triggers' | 'crons',
  name: string,
  webhook: unknown,
  push: (i: Issue) => void,
) {
  if (typeof webhook !== 'string') return
  const masked = literalCredentials(webhook)
  if (!masked) return
  const env = `${envNameFor(name) === 'WEBHOOK_SECRET' ? 'WEBHOOK' : envNameFor(name)}_URL`
  push({
    path: `${kind}.${visible(name)}.webhook`,
    severity: 'error',
    message: `webhook ${visible(masked)} has credentials in it, which would be committed to the metadata files and printed in sync plans`,
    hint: `keep the whole URL in the environment: webhook: '{{${env}}}'${kind === 'triggers' ? ` (or webhookFromEnv: '${env}')` : ''}, with ${env} set where Hasura runs`,
  })
}
