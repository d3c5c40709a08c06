import { looksSecret } from '../config/secret-names.js'
import { UserError } from '../errors.js'
import { type TableColumns, tableKey } from '../hasura/introspect.js'
import type { Header, Model, ModelCron, ModelExternal, ModelTrigger } from '../model/types.js'
import { columnField, inferJsonType } from './column-types.js'
import { pyModels, pyType } from './emit-py.js'
import { tsObject, tsOpenObject, tsType, zodExpr } from './emit-ts.js'
import { pyComment, pyDoc, pyString, tsComment, tsString } from './escape.js'
import { camel, handlerSegments, pascal, pyModuleName, snake } from './names.js'
import type { Field } from './types.js'

/**
 * The data every template renders from: model + column types → names, routes, and the payload
 * type code for both languages. Pure.
 */

export type Op = 'INSERT' | 'UPDATE' | 'DELETE' | 'MANUAL'

export interface SecretHeader {
  header: string
  /** lower-case, as Node and ASGI hand headers over */
  headerLower: string
  env: string
}

export interface RouteBase {
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
  /** Nest provider class, Python route constant, Python import line, route path without the leading slash */
  className: string
  upperName: string
  pyImport: string
  routePath: string
  secrets: SecretHeader[]
  /** every top-level name the route adds to the generated modules, to find clashes before writing */
  declares: string[]
}

export interface TriggerOpView {
  op: Op
  method: string
  pyMethod: string
  eventType: string
  oldType: string
  newType: string
}

export interface TriggerRoute extends RouteBase {
  kind: 'trigger'
  table: string
  ops: TriggerOpView[]
  typed: boolean
  tsTypes: string
  pyTypes: string
}

export interface CronRoute extends RouteBase {
  kind: 'cron'
  schedule: string
  tsTypes: string
  pyTypes: string
}

export interface ExternalRoute extends RouteBase {
  kind: 'external'
  provider: ModelExternal['provider']
  secretEnv: string
  signatureHeader: string
  toleranceSec: number
  /** the event type in the generated runtime, and an expression naming the event kind in a handler stub */
  eventType: string
  externalKind: string
  pyExternalKind: string
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
  warnings: string[]
}

function secretHeaders(headers: Header[]): SecretHeader[] {
  return headers
    .filter(
      (h): h is { name: string; value_from_env: string } => 'value_from_env' in h && looksSecret(h.name),
    )
    .map((h) => ({ header: h.name, headerLower: h.name.toLowerCase(), env: h.value_from_env }))
}

function pyImport(segments: string[], alias: string): string {
  const mods = segments.map(pyModuleName)
  const last = mods.pop()!
  return `from ..handlers${mods.length ? `.${mods.join('.')}` : ''} import ${last} as ${alias}`
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
    pyImport: pyImport(segments, `${snake(name)}_${kind}`),
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
  const rowTs: string[] = []
  const rowPy: string[] = []
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
      rowTs.push(tsOpenObject(name, `${doc}; column types unknown`))
      rowPy.push(`${name} = Dict[str, Any]  # ${pyComment(doc)}; column types unknown`)
      return name
    }
    const fields: Field[] =
      key === '*'
        ? cols.map((c) => columnField(c))
        : (payload as string[]).map((c) => {
            const col = byName.get(c)
            if (!col) {
              warnings.push(
                `trigger ${t.name}: payload column ${c} is not a column of ${table}; typed as unknown`,
              )
              return { name: c, type: { kind: 'json' as const }, comment: 'not in the column cache' }
            }
            return columnField(col, true)
          })
    rowTs.push(tsObject(name, fields, doc))
    rowPy.push(pyModels(name, fields, doc))
    return name
  }

  const ops: TriggerOpView[] = []
  for (const { op, key } of OPS) {
    const spec = t.definition[key]
    if (!spec) continue
    const row = rowFor(spec.payload, pascal(key))
    ops.push({
      op,
      method: key,
      pyMethod: `on_${key}`,
      eventType: `${T}${pascal(key)}`,
      oldType: op === 'INSERT' ? 'null' : row,
      newType: op === 'DELETE' ? 'null' : row,
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
      oldType: 'null',
      newType: row,
    })
  }

  const tsEvents = ops.map((o) =>
    [
      `/** ${o.op} on ${tsComment(table)}: ${o.op === 'INSERT' || o.op === 'MANUAL' ? 'old is null' : o.op === 'DELETE' ? 'new is null' : 'old and new rows'} */`,
      `export interface ${o.eventType} {`,
      `  op: '${o.op}'`,
      `  data: { old: ${o.oldType}; new: ${o.newType} }`,
      '  session_variables?: { [name: string]: string } | null',
      '  trace_context?: unknown',
      '}',
    ].join('\n'),
  )
  const zodEvent = (o: TriggerOpView) =>
    [
      'z.object({',
      `    op: z.literal('${o.op}'),`,
      `    data: z.object({ old: ${o.oldType === 'null' ? 'z.null()' : `${o.oldType}Schema`}, new: ${o.newType === 'null' ? 'z.null()' : `${o.newType}Schema`} }),`,
      '    session_variables: z.record(z.string(), z.string()).nullable().optional(),',
      '    trace_context: z.unknown().optional(),',
      '  })',
    ].join('\n')
  const zodEvents =
    ops.length === 1
      ? `  ${zodEvent(ops[0]!)}`
      : `  z.discriminatedUnion('op', [\n${ops.map((o) => `  ${zodEvent(o).replace(/\n/g, '\n  ')}`).join(',\n')},\n  ])`
  const tsTypes = [
    ...rowTs,
    ...tsEvents,
    `export type ${T}Event = ${ops.map((o) => o.eventType).join(' | ')}`,
    [
      `/** The body Hasura posts for trigger ${tsComment(t.name)} */`,
      `export interface ${T}Payload {`,
      '  id: string',
      '  created_at: string',
      '  table: { schema: string; name: string }',
      `  trigger: { name: ${tsString(t.name)} }`,
      `  event: ${T}Event`,
      '  delivery_info: { current_retry: number; max_retries: number }',
      '}',
      `export const ${T}PayloadSchema: z.ZodType<${T}Payload> = z.object({`,
      '  id: z.string(),',
      '  created_at: z.string(),',
      '  table: z.object({ schema: z.string(), name: z.string() }),',
      `  trigger: z.object({ name: z.literal(${tsString(t.name)}) }),`,
      `  event:${zodEvents.replace(/^ {2}/, ' ')},`,
      '  delivery_info: z.object({ current_retry: z.number(), max_retries: z.number() }),',
      '})',
    ].join('\n'),
  ].join('\n\n')

  const pyEvents = ops.map((o) =>
    [
      `class ${o.eventType}Data(BaseModel):`,
      `    old: ${o.oldType === 'null' ? 'None = None' : o.oldType}`,
      `    new: ${o.newType === 'null' ? 'None = None' : o.newType}`,
      '',
      '',
      `class ${o.eventType}(BaseModel):`,
      `    """${o.op} on ${pyDoc(table)}"""`,
      '',
      `    op: Literal["${o.op}"]`,
      `    data: ${o.eventType}Data`,
      '    session_variables: Optional[Dict[str, str]] = None',
      '    trace_context: Optional[Any] = None',
    ].join('\n'),
  )
  const union = ops.length === 1 ? ops[0]!.eventType : `Union[${ops.map((o) => o.eventType).join(', ')}]`
  const pyTypes = [
    ...rowPy,
    ...pyEvents,
    [
      `class ${T}Trigger(BaseModel):`,
      `    name: Literal[${pyString(t.name)}]`,
      '',
      '',
      `class ${T}Payload(HasuraEvent):`,
      `    """The body Hasura posts for trigger ${pyDoc(t.name)}"""`,
      '',
      `    trigger: ${T}Trigger`,
      `    event: ${union}${ops.length === 1 ? '' : ' = Field(..., discriminator="op")'}`,
    ].join('\n'),
  ].join('\n\n\n')

  const declares = [
    ...b.declares,
    ...[...rowNames.values()].flatMap((n) => [n, `${n}Schema`]),
    ...ops.flatMap((o) => [o.eventType, `${o.eventType}Data`]),
    ...['Event', 'Payload', 'PayloadSchema', 'Handlers', 'Trigger'].map((s) => `${T}${s}`),
    `${b.varName}Route`,
  ]
  return { ...b, kind: 'trigger', table, ops, typed: cols !== undefined, tsTypes, pyTypes, declares }
}

function cronRoute(c: ModelCron & { handler: string }): CronRoute {
  const b = base('cron', c.name, c.handler, c.headers)
  const T = `${b.typeName}Cron`
  const payloadType = c.payload === undefined ? { kind: 'json' as const } : inferJsonType(c.payload)
  const payloadTs = payloadType.kind === 'object' ? `${T}Body` : tsType(payloadType)
  const tsParts: string[] = []
  const pyParts: string[] = []
  let pyPayload: string
  if (payloadType.kind === 'object') {
    tsParts.push(tsObject(`${T}Body`, payloadType.fields, `payload of cron ${c.name}, as configured`))
    pyParts.push(pyModels(`${T}Body`, payloadType.fields, `payload of cron ${c.name}, as configured`))
    pyPayload = `${T}Body`
  } else {
    const extra: string[] = []
    pyPayload = pyType(payloadType, `${T}Body`, extra)
    pyParts.push(...extra)
  }
  const zodPayload = payloadType.kind === 'object' ? `${T}BodySchema` : zodExpr(payloadType)
  tsParts.push(
    [
      `/** The body Hasura posts for cron ${tsComment(c.name)} (${tsComment(c.schedule)}) */`,
      `export interface ${T}Payload {`,
      '  id: string',
      `  name: ${tsString(c.name)}`,
      '  scheduled_time: string',
      `  payload: ${payloadTs}`,
      '  comment?: string | null',
      '}',
      `export const ${T}PayloadSchema: z.ZodType<${T}Payload> = z.object({`,
      '  id: z.string(),',
      `  name: z.literal(${tsString(c.name)}),`,
      '  scheduled_time: z.string(),',
      `  payload: ${zodPayload},`,
      '  comment: z.string().nullable().optional(),',
      '})',
    ].join('\n'),
  )
  pyParts.push(
    [
      `class ${T}Payload(BaseModel):`,
      `    """The body Hasura posts for cron ${pyDoc(c.name)} (${pyDoc(c.schedule)})"""`,
      '',
      '    id: str',
      `    name: Literal[${pyString(c.name)}]`,
      '    scheduled_time: str',
      `    payload: ${pyPayload}${pyPayload === 'Any' || pyPayload.startsWith('Optional') || pyPayload === 'None' ? ' = None' : ''}`,
      '    comment: Optional[str] = None',
    ].join('\n'),
  )
  return {
    ...b,
    kind: 'cron',
    typeName: T,
    schedule: c.schedule,
    tsTypes: tsParts.join('\n\n'),
    pyTypes: pyParts.join('\n\n\n'),
    declares: [
      ...b.declares,
      ...['Body', 'BodySchema', 'Payload', 'PayloadSchema', 'Handler'].map((s) => `${T}${s}`),
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
    ...EXTERNAL_KIND[e.provider],
    declares: [...b.declares, `${b.typeName}WebhookHandler`, `${b.varName}WebhookRoute`],
  }
}

const EXTERNAL_KIND: Record<
  ModelExternal['provider'],
  { eventType: string; externalKind: string; pyExternalKind: string }
> = {
  stripe: { eventType: 'StripeEvent', externalKind: 'event.type', pyExternalKind: 'event.get("type")' },
  github: {
    eventType: 'GithubEvent',
    externalKind: "ctx.headers['x-github-event']",
    pyExternalKind: 'ctx.headers.get("x-github-event")',
  },
  'standard-webhooks': {
    eventType: 'StandardWebhookEvent',
    externalKind: 'event.type',
    pyExternalKind: 'event.get("type")',
  },
  'hmac-sha256': {
    eventType: 'HmacEvent',
    externalKind: 'typeof event',
    pyExternalKind: 'type(event).__name__',
  },
}

/** Names the generated modules import or define themselves (runtime, frameworks, typing); routes must not reuse them. */
const RUNTIME_NAMES = new Set([
  ...['HandlerResult', 'EventContext', 'EventRoute', 'CronContext', 'CronRoute', 'ExternalContext'],
  ...['ExternalRoute', 'StripeEvent', 'GithubEvent', 'StandardWebhookEvent', 'HmacEvent', 'Json'],
  ...['StripeEventSchema', 'GithubEventSchema', 'StandardWebhookEventSchema', 'HmacEventSchema'],
  ...['jsonValue', 'numberOrDecimalString', 'z', 'ok', 'fail', 'retry', 'retryAfter', 'Outcome'],
  ...['handleEvent', 'handleCron', 'handleExternal', 'IncomingRequest', 'Reply', 'send', 'incoming'],
  ...['raw', 'express', 'Router', 'Request', 'Response', 'webhooksRouter', 'Controller', 'Post', 'Req'],
  ...['Res', 'RawBodyRequest', 'Injectable', 'Module', 'WebhooksController', 'WebhooksModule'],
  ...['BaseModel', 'Field', 'HasuraEvent', 'Any', 'Dict', 'List', 'Literal', 'Optional', 'Union'],
  ...['APIRouter', 'retry_after'],
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
  const triggers = model.triggers
    .filter((t): t is ModelTrigger & { handler: string } => t.handler !== undefined)
    .map((t) => triggerRoute(t, columns, warnings))
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
    warnings,
  }
}
