// Longer than 400 lines on purpose: the one view model every template renders from; routes, code
// names and payload row types are derived together and checked against each other here.
import { looksSecret } from '../config/secret-names.js'
import { UserError } from '../errors.js'
import { type TableColumns, tableKey } from '../model/columns.js'
import type { Header, Model, ModelCron, ModelExternal, ModelTrigger } from '../model/types.js'
import { columnField, inferJsonType, type RowSettings } from './column-types.js'
import { camel, handlerSegments, pascal, pyModuleName, snake } from './names.js'
import type { Field, FieldType } from './types.js'

/**
 * The view model every template renders from: model + column types → the service, its routes, the
 * code names each route declares and its payload types, as data. Pure, and language-neutral: the
 * TypeScript/zod text is written by emit-ts.ts and the pydantic text by emit-py.ts, from this.
 */

type Op = 'INSERT' | 'UPDATE' | 'DELETE' | 'MANUAL'

interface SecretHeader {
  header: string
  /** lower-case, as Node and ASGI hand headers over */
  headerLower: string
  env: string
}

interface RouteBase {
  kind: 'trigger' | 'cron' | 'external'
  /** the trigger, cron or external name from the config */
  name: string
  handler: string
  /** route below the service's prefix: `/user-created` */
  path: string
  /** `user-created` → ['user-created']; `scheduled/daily-report` → ['scheduled', 'daily-report'] */
  segments: string[]
  /** handler file path below handlers/, without extension (ts) */
  tsFile: string
  /** dotted module below webhooks.handlers (python) and its file path */
  pyModule: string
  pyFile: string
  /** identifiers */
  typeName: string
  varName: string
  pyName: string
  /** relative import prefix from a handler file (ts) to the handlers folder's parent */
  up: string
  /** Nest provider class, Python route constant, route path without the leading slash */
  className: string
  upperName: string
  routePath: string
  secrets: SecretHeader[]
  /** every top-level name the route adds to the generated modules, to find clashes before writing */
  declares: string[]
}

/** A row type of a trigger's payload: one per distinct payload column list. */
interface RowType {
  name: string
  /** what the row is (`public.users row (payload columns: id, email)`), for the type's doc comment */
  doc: string
  /** the row's fields; undefined when the table's columns are unknown (any JSON object) */
  fields?: Field[]
}

export interface TriggerOp {
  op: Op
  /** handler method: `insert`, `update`, `delete`, `manual` (ts); `on_insert` ... (python) */
  method: string
  pyMethod: string
  /** the type of `event` for this op */
  eventType: string
  /** row types of `event.data.old` and `event.data.new`; null where Hasura sends null */
  oldRow: string | null
  newRow: string | null
}

export interface TriggerRoute extends RouteBase {
  kind: 'trigger'
  /** `schema.table` */
  table: string
  /** the table as Hasura names it in a delivery */
  tableRef: { schema: string; name: string }
  /** row types in the order the ops first use them */
  rows: RowType[]
  ops: TriggerOp[]
  /** Retry-After = intervalSec × 2^current_retry, capped, on a retryable failure */
  backoff?: { intervalSec: number; maxIntervalSec: number }
}

export interface CronRoute extends RouteBase {
  kind: 'cron'
  schedule: string
  /** the type of the configured payload (Hasura sends it back unchanged); an object is the `<typeName>Body` type */
  payload: FieldType
  /** the configured payload itself (null when none) */
  payloadValue: unknown
}

export interface ExternalRoute extends RouteBase {
  kind: 'external'
  provider: ModelExternal['provider']
  secretEnv: string
  signatureHeader: string
  toleranceSec: number
  /** the provider's event type in the generated runtime */
  eventType: string
}

export type Route = TriggerRoute | CronRoute | ExternalRoute

export interface Shape {
  service: {
    name: string
    template: string
    port: number
    routePrefix: string
    dir: string
    controllerPath: string
  }
  routes: Route[]
  triggers: TriggerRoute[]
  crons: CronRoute[]
  externals: ExternalRoute[]
  /** HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES is on in the project env: int8/numeric/float8 rows as text */
  stringifyNumbers: boolean
  warnings: string[]
}

function secretHeaders(headers: Header[]): SecretHeader[] {
  return headers
    .filter(
      (h): h is { name: string; value_from_env: string } => 'value_from_env' in h && looksSecret(h.name),
    )
    .map((h) => ({ header: h.name, headerLower: h.name.toLowerCase(), env: h.value_from_env }))
}

function base(kind: Route['kind'], name: string, handler: string, headers: Header[]): RouteBase {
  const segments = handlerSegments(handler)
  if (segments.length === 0)
    throw new UserError(`${kind} ${name} has an empty handler`, { hint: "give it handler: 'my-route'" })
  return {
    kind,
    name,
    handler,
    path: `/${segments.join('/')}`,
    segments,
    tsFile: segments.join('/'),
    pyModule: segments.map(pyModuleName).join('.'),
    pyFile: segments.map(pyModuleName).join('/'),
    typeName: pascal(name),
    varName: camel(name),
    pyName: snake(name),
    up: '../'.repeat(segments.length),
    className: `${pascal(name)}Handler`,
    upperName: `${snake(name).toUpperCase()}_${kind.toUpperCase()}`,
    routePath: segments.join('/'),
    secrets: secretHeaders(headers),
    declares: [
      camel(name),
      `${camel(name)}Def`,
      `${pascal(name)}Handler`,
      `${snake(name).toUpperCase()}_${kind.toUpperCase()}`,
      `_dispatch_${snake(name)}`,
      `${snake(name)}_${kind}`,
      `${snake(name)}_${{ trigger: 'event', cron: 'cron_event', external: 'webhook' }[kind]}`,
    ],
  }
}

const OPS: { op: Op; key: 'insert' | 'update' | 'delete' }[] = [
  { op: 'INSERT', key: 'insert' },
  { op: 'UPDATE', key: 'update' },
  { op: 'DELETE', key: 'delete' },
]

function triggerRoute(
  t: ModelTrigger & { handler: string },
  columns: TableColumns,
  settings: RowSettings,
  warnings: string[],
): TriggerRoute {
  const b = base('trigger', t.name, t.handler, t.headers)
  const T = b.typeName
  const table = tableKey(t.table)
  const cols = columns[table]
  if (!cols) {
    warnings.push(
      `no column types for ${table} (trigger ${t.name}): rows are typed as open objects; run scaffold with --introspect or --database-url`,
    )
  }
  const byName = new Map((cols ?? []).map((c) => [c.name, c]))
  const rows: RowType[] = []
  const rowNames = new Map<string, string>()
  /** one row type per distinct payload column list; `*` is the table row */
  const rowFor = (payload: '*' | string[] | undefined, opName: string): string => {
    const key = payload === undefined || payload === '*' ? '*' : JSON.stringify(payload)
    const existing = rowNames.get(key)
    if (existing) return existing
    const name = key === '*' ? `${T}Row` : `${T}${opName}Row`
    rowNames.set(key, name)
    const doc = `${table} row${key === '*' ? '' : ` (payload columns: ${(payload as string[]).join(', ')})`}`
    if (!cols) {
      rows.push({ name, doc })
      return name
    }
    const fields: Field[] =
      key === '*'
        ? cols.map((c) => columnField(c, settings))
        : (payload as string[]).map((c) => {
            const col = byName.get(c)
            if (!col) {
              warnings.push(
                `trigger ${t.name}: payload column ${c} is not a column of ${table}; typed as unknown`,
              )
              return { name: c, type: { kind: 'json' as const }, comment: 'not in the column cache' }
            }
            return columnField(col, settings)
          })
    rows.push({ name, doc, fields })
    return name
  }

  const ops: TriggerOp[] = []
  for (const { op, key } of OPS) {
    const spec = t.definition[key]
    if (!spec) continue
    const row = rowFor(spec.payload, pascal(key))
    ops.push({
      op,
      method: key,
      pyMethod: `on_${key}`,
      eventType: `${T}${pascal(key)}`,
      oldRow: op === 'INSERT' ? null : row,
      newRow: op === 'DELETE' ? null : row,
    })
  }
  // Manual invocations carry whatever row the caller passes (the console sends the whole row)
  if (t.definition.enable_manual) {
    const row = rowFor('*', 'Manual')
    ops.push({
      op: 'MANUAL',
      method: 'manual',
      pyMethod: 'on_manual',
      eventType: `${T}Manual`,
      oldRow: null,
      newRow: row,
    })
  }

  const declares = [
    ...b.declares,
    ...[...rowNames.values()].flatMap((n) => [n, `${n}Schema`]),
    ...ops.flatMap((o) => [o.eventType, `${o.eventType}Data`]),
    ...['Event', 'Payload', 'PayloadSchema', 'Handlers', 'Trigger'].map((s) => `${T}${s}`),
    `${b.varName}Route`,
  ]
  const route: TriggerRoute = {
    ...b,
    kind: 'trigger',
    table,
    tableRef: { schema: t.table.schema, name: t.table.name },
    rows,
    ops,
    declares,
  }
  if (t.backoff) route.backoff = { ...t.backoff }
  return route
}

function cronRoute(c: ModelCron & { handler: string }): CronRoute {
  const b = base('cron', c.name, c.handler, c.headers)
  const T = `${b.typeName}Cron`
  return {
    ...b,
    kind: 'cron',
    typeName: T,
    schedule: c.schedule,
    payload: c.payload === undefined ? { kind: 'json' } : inferJsonType(c.payload),
    payloadValue: c.payload ?? null,
    declares: [
      ...b.declares,
      ...[
        'Body',
        'BodySchema',
        'Payload',
        'ScheduledPayload',
        'OneOffPayload',
        'PayloadSchema',
        'Handler',
      ].map((s) => `${T}${s}`),
      `${b.varName}CronRoute`,
    ],
  }
}
const SIGNATURE_HEADERS: Record<ModelExternal['provider'], string> = {
  stripe: 'Stripe-Signature',
  github: 'X-Hub-Signature-256',
  'standard-webhooks': 'webhook-signature',
  'hmac-sha256': 'X-Signature',
}

function externalRoute(e: ModelExternal): ExternalRoute {
  const b = base('external', e.name, e.handler, [])
  return {
    ...b,
    kind: 'external',
    typeName: `${b.typeName}Webhook`,
    provider: e.provider,
    secretEnv: e.secretEnv,
    signatureHeader: (e.header ?? SIGNATURE_HEADERS[e.provider]).toLowerCase(),
    toleranceSec: e.toleranceSec,
    eventType: PROVIDER_EVENT[e.provider],
    declares: [...b.declares, `${b.typeName}WebhookHandler`, `${b.varName}WebhookRoute`],
  }
}

const PROVIDER_EVENT: Record<ModelExternal['provider'], string> = {
  stripe: 'StripeEvent',
  github: 'GithubEvent',
  'standard-webhooks': 'StandardWebhookEvent',
  'hmac-sha256': 'HmacEvent',
}

/** Names the generated modules import or define themselves (runtime, frameworks, typing); routes must not reuse them. */
const RUNTIME_NAMES = new Set([
  ...['HandlerResult', 'EventContext', 'EventRoute', 'CronContext', 'CronRoute', 'ExternalContext'],
  ...['ExternalRoute', 'StripeEvent', 'GithubEvent', 'StandardWebhookEvent', 'HmacEvent', 'Json'],
  ...['StripeEventSchema', 'GithubEventSchema', 'StandardWebhookEventSchema', 'HmacEventSchema'],
  ...[
    'jsonValue',
    'GeoJsonGeometry',
    'geoJsonGeometry',
    'GeoJsonPosition',
    'z',
    'ok',
    'fail',
    'retry',
    'retryAfter',
    'Outcome',
  ],
  ...['handleEvent', 'handleCron', 'handleExternal', 'IncomingRequest', 'Reply', 'send', 'incoming'],
  ...['raw', 'express', 'Router', 'Request', 'Response', 'webhooksRouter', 'Controller', 'Post', 'Req'],
  ...['Res', 'RawBodyRequest', 'Injectable', 'Module', 'WebhooksController', 'WebhooksModule'],
  ...['BaseModel', 'Field', 'HasuraEvent', 'Any', 'Dict', 'List', 'Literal', 'Optional', 'Union'],
  ...['APIRouter', 'retry_after', 'bodyLimit', 'webhooksApp', 'logRejected'],
])

/** Every route the model asks the service to serve (entries without `handler` are not the service's). */
export function buildShape(model: Model, columns: TableColumns): Shape {
  const service = model.service
  if (!service) {
    throw new UserError('the config has no service, so there is nowhere to scaffold handlers', {
      hint: "add service: 'webhooks' (declared in .env as CS_1=webhooks:express-ts:3001:/webhooks) or service: { name, template }",
    })
  }
  const warnings: string[] = []
  const settings: RowSettings = { stringifyNumbers: model.hasura.stringifyNumericTypes === true }
  const triggers = model.triggers
    .filter((t): t is ModelTrigger & { handler: string } => t.handler !== undefined)
    .map((t) => triggerRoute(t, columns, settings, warnings))
  const crons = model.crons
    .filter((c): c is ModelCron & { handler: string } => c.handler !== undefined)
    .map((c) => cronRoute(c))
  const externals = model.external.map(externalRoute)
  const routes: Route[] = [...triggers, ...crons, ...externals]
  for (const r of routes) {
    if (r.kind !== 'external' && r.secrets.length === 0) {
      warnings.push(
        `${r.kind} ${r.name} sends no secret header from env: its route accepts any caller; add headers: { 'X-Webhook-Secret': { fromEnv: 'WEBHOOK_SECRET' } }`,
      )
    }
  }
  const seen = new Map<string, Route>()
  const names = new Map<string, Route>()
  for (const r of routes) {
    const clash = seen.get(r.path)
    if (clash) {
      throw new UserError(
        `${clash.kind} ${clash.name} and ${r.kind} ${r.name} both use handler ${r.handler}`,
        {
          hint: 'give each its own handler: one route, one payload type',
        },
      )
    }
    seen.set(r.path, r)
    for (const name of new Set(r.declares)) {
      if (RUNTIME_NAMES.has(name)) {
        throw new UserError(
          `${r.kind} ${JSON.stringify(r.name)} maps to the code name ${name}, which the generated runtime already uses`,
          { hint: 'rename it in webhooks.config.ts' },
        )
      }
      const nameClash = names.get(name)
      if (nameClash && nameClash !== r) {
        throw new UserError(
          `${nameClash.kind} ${JSON.stringify(nameClash.name)} and ${r.kind} ${JSON.stringify(r.name)} map to the same code name ${name}`,
          { hint: 'rename one of them in webhooks.config.ts' },
        )
      }
      names.set(name, r)
    }
  }
  return {
    service: {
      name: service.name,
      template: service.template,
      port: service.port,
      routePrefix: service.routePrefix,
      dir: service.dir,
      controllerPath: service.routePrefix.replace(/^\//, ''),
    },
    routes,
    triggers,
    crons,
    externals,
    stringifyNumbers: settings.stringifyNumbers,
    warnings,
  }
}
