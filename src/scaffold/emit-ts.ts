/** The TypeScript and zod text of the generated payloads and handler stubs, from the view model (shape.ts). */

import { tsComment, tsJson, tsString } from './escape.js'
import { tsKey } from './names.js'
import type { CronRoute, ExternalRoute, Route, Shape, TriggerOp, TriggerRoute } from './shape.js'
import type { Field, FieldType } from './types.js'

/** FieldType → TypeScript type text. `Json` is declared in the generated runtime. */
function tsType(t: FieldType): string {
  switch (t.kind) {
    case 'string':
      return 'string'
    case 'number':
      return 'number'
    case 'boolean':
      return 'boolean'
    case 'null':
      return 'null'
    case 'json':
      return 'Json'
    case 'geojson':
      return 'GeoJsonGeometry'
    case 'unknown':
      return 'unknown'
    case 'literals':
      return t.values.length ? t.values.map((v) => tsJson(v)).join(' | ') : 'string'
    case 'array': {
      const inner = tsType(t.of)
      return /[ |]/.test(inner) ? `Array<${inner}>` : `${inner}[]`
    }
    case 'nullable':
      return `${tsType(t.of)} | null`
    case 'object':
      return `{ ${t.fields.map((f) => `${tsKey(f.name)}: ${tsType(f.type)}`).join('; ')} }`
  }
}

/** FieldType → zod schema text (zod 4). `jsonValue` and `geoJsonGeometry` are declared in the generated runtime. */
function zodExpr(t: FieldType): string {
  switch (t.kind) {
    case 'string':
      return 'z.string()'
    case 'number':
      return 'z.number()'
    case 'boolean':
      return 'z.boolean()'
    case 'null':
      return 'z.null()'
    case 'json':
      return 'jsonValue'
    case 'geojson':
      return 'geoJsonGeometry'
    case 'unknown':
      return 'z.unknown()'
    case 'literals':
      return t.values.length ? `z.enum([${t.values.map((v) => tsJson(v)).join(', ')}])` : 'z.string()'
    case 'array':
      return `z.array(${zodExpr(t.of)})`
    case 'nullable':
      return `${zodExpr(t.of)}.nullable()`
    case 'object':
      return `z.object({ ${t.fields.map((f) => `${tsKey(f.name)}: ${zodExpr(f.type)}`).join(', ')} })`
  }
}

/** `export interface X { ... }` plus `export const XSchema: z.ZodType<X> = z.object({ ... })`. */
function tsObject(name: string, fields: Field[], doc: string): string {
  const props = fields.map(
    (f) => `${f.comment ? `  /** ${tsComment(f.comment)} */\n` : ''}  ${tsKey(f.name)}: ${tsType(f.type)}`,
  )
  const schema = fields.map((f) => `  ${tsKey(f.name)}: ${zodExpr(f.type)},`)
  return [
    `/** ${tsComment(doc)} */`,
    `export interface ${name} {`,
    ...props,
    '}',
    `export const ${name}Schema: z.ZodType<${name}> = z.object({`,
    ...schema,
    '})',
  ].join('\n')
}

/** A row whose columns are unknown (no column cache): any JSON object. */
function tsOpenObject(name: string, doc: string): string {
  return [
    `/** ${tsComment(doc)} */`,
    `export type ${name} = { [column: string]: Json }`,
    `export const ${name}Schema: z.ZodType<${name}> = z.record(z.string(), jsonValue)`,
  ].join('\n')
}

/** A trigger's row types, one event type per op, the event union, and the payload interface and schema. */
function tsTriggerTypes(r: TriggerRoute): string {
  const T = r.typeName
  const rows = r.rows.map((row) =>
    row.fields
      ? tsObject(row.name, row.fields, row.doc)
      : tsOpenObject(row.name, `${row.doc}; column types unknown`),
  )
  const events = r.ops.map((o) =>
    [
      `/** ${o.op} on ${tsComment(r.table)}: ${o.op === 'INSERT' || o.op === 'MANUAL' ? 'old is null' : o.op === 'DELETE' ? 'new is null' : 'old and new rows'} */`,
      `export interface ${o.eventType} {`,
      `  op: '${o.op}'`,
      `  data: { old: ${o.oldRow ?? 'null'}; new: ${o.newRow ?? 'null'} }`,
      '  session_variables?: { [name: string]: string } | null',
      '  trace_context?: unknown',
      '}',
    ].join('\n'),
  )
  const rowSchema = (row: string | null) => (row === null ? 'z.null()' : `${row}Schema`)
  const zodEvent = (o: TriggerOp) =>
    [
      'z.object({',
      `    op: z.literal('${o.op}'),`,
      `    data: z.object({ old: ${rowSchema(o.oldRow)}, new: ${rowSchema(o.newRow)} }),`,
      '    session_variables: z.record(z.string(), z.string()).nullable().optional(),',
      '    trace_context: z.unknown().optional(),',
      '  })',
    ].join('\n')
  const zodEvents =
    r.ops.length === 1
      ? `  ${zodEvent(r.ops[0]!)}`
      : `  z.discriminatedUnion('op', [\n${r.ops.map((o) => `  ${zodEvent(o).replace(/\n/g, '\n  ')}`).join(',\n')},\n  ])`
  return [
    ...rows,
    ...events,
    `export type ${T}Event = ${r.ops.map((o) => o.eventType).join(' | ')}`,
    [
      `/** The body Hasura posts for trigger ${tsComment(r.name)} */`,
      `export interface ${T}Payload {`,
      '  id: string',
      '  created_at: string',
      '  table: { schema: string; name: string }',
      `  trigger: { name: ${tsString(r.name)} }`,
      `  event: ${T}Event`,
      '  delivery_info: { current_retry: number; max_retries: number }',
      '}',
      `export const ${T}PayloadSchema: z.ZodType<${T}Payload> = z.object({`,
      '  id: z.string(),',
      '  created_at: z.string(),',
      '  table: z.object({ schema: z.string(), name: z.string() }),',
      `  trigger: z.object({ name: z.literal(${tsString(r.name)}) }),`,
      `  event:${zodEvents.replace(/^ {2}/, ' ')},`,
      '  delivery_info: z.object({ current_retry: z.number(), max_retries: z.number() }),',
      '})',
    ].join('\n'),
  ].join('\n\n')
}

/** A cron's payload body type (when it is an object) and the payload interface and schema. */
function tsCronTypes(r: CronRoute): string {
  const T = r.typeName
  const body = r.payload.kind === 'object' ? `${T}Body` : undefined
  const parts: string[] = []
  if (r.payload.kind === 'object') {
    parts.push(tsObject(`${T}Body`, r.payload.fields, `payload of cron ${r.name}, as configured`))
  }
  const payloadTs = body ?? tsType(r.payload)
  const zodPayload = body ? `${body}Schema` : zodExpr(r.payload)
  // Hasura posts {id, name, scheduled_time, payload, comment} when the cron fires, and a one-off
  // scheduled event (how a cron event is replayed) carries created_at instead of name
  // (Hasura's ScheduledEventWebhookPayload).
  parts.push(
    [
      `/** The body Hasura posts when cron ${tsComment(r.name)} fires (${tsComment(r.schedule)}) */`,
      `export interface ${T}ScheduledPayload {`,
      '  id: string',
      `  name: ${tsString(r.name)}`,
      '  scheduled_time: string',
      `  payload: ${payloadTs}`,
      '  comment?: string | null',
      '}',
      `/** The body of a one-off scheduled event for cron ${tsComment(r.name)} (a replay): created_at, no name */`,
      `export interface ${T}OneOffPayload {`,
      '  id: string',
      '  created_at: string',
      '  scheduled_time: string',
      `  payload: ${payloadTs}`,
      '  comment?: string | null',
      '}',
      `/** Either body; \`'created_at' in event\` tells a replay from a scheduled run */`,
      `export type ${T}Payload = ${T}ScheduledPayload | ${T}OneOffPayload`,
      `export const ${T}PayloadSchema: z.ZodType<${T}Payload> = z.union([`,
      '  z.object({',
      '    id: z.string(),',
      `    name: z.literal(${tsString(r.name)}),`,
      '    scheduled_time: z.string(),',
      `    payload: ${zodPayload},`,
      '    comment: z.string().nullable().optional(),',
      '  }),',
      '  z.object({',
      '    id: z.string(),',
      '    created_at: z.string(),',
      '    scheduled_time: z.string(),',
      `    payload: ${zodPayload},`,
      '    comment: z.string().nullable().optional(),',
      '  }),',
      '])',
    ].join('\n'),
  )
  return parts.join('\n\n')
}

/** An expression naming the kind of event in an external handler stub. */
const EXTERNAL_KIND: Record<ExternalRoute['provider'], string> = {
  stripe: 'event.type',
  github: "ctx.headers['x-github-event']",
  'standard-webhooks': 'event.type',
  'hmac-sha256': 'typeof event',
}

/** The TypeScript a route's templates print: its payload types, or its event kind expression. */
export function tsRouteCode(r: Route): Record<string, string> {
  if (r.kind === 'trigger') return { tsTypes: tsTriggerTypes(r) }
  if (r.kind === 'cron') return { tsTypes: tsCronTypes(r) }
  return { externalKind: EXTERNAL_KIND[r.provider] }
}

/**
 * The import block of payloads.ts: exactly what its routes use from zod and the runtime, and a
 * re-export of the types handler files need.
 */
export function tsPayloadImports(shape: Shape, routeTypes: string[]): string {
  const code = routeTypes.join('\n')
  const types = new Set<string>()
  const values = new Set<string>()
  if (shape.routes.length > 0) types.add('HandlerResult')
  if (shape.triggers.length > 0) for (const t of ['EventContext', 'EventRoute']) types.add(t)
  if (shape.crons.length > 0) for (const t of ['CronContext', 'CronRoute']) types.add(t)
  if (shape.externals.length > 0) for (const t of ['ExternalContext', 'ExternalRoute']) types.add(t)
  for (const e of shape.externals) {
    types.add(e.eventType)
    values.add(`${e.eventType}Schema`)
  }
  if (/\bJson\b/.test(code)) types.add('Json')
  if (/\bjsonValue\b/.test(code)) values.add('jsonValue')
  if (/\bGeoJsonGeometry\b/.test(code)) types.add('GeoJsonGeometry')
  if (/\bgeoJsonGeometry\b/.test(code)) values.add('geoJsonGeometry')
  const names = [
    ...[...types].map((t) => ({ t, type: true })),
    ...[...values].map((t) => ({ t, type: false })),
  ].sort((a, b) => a.t.toLowerCase().localeCompare(b.t.toLowerCase()))
  const lines: string[] = []
  if (code) lines.push("import { z } from 'zod'")
  if (names.length > 0) {
    lines.push(
      `import {\n${names.map((n) => `  ${n.type ? 'type ' : ''}${n.t},`).join('\n')}\n} from './runtime.js'`,
    )
  }
  const reexport = [...types].filter((t) => !t.endsWith('Route')).sort()
  if (reexport.length > 0) lines.push('', `export type { ${reexport.join(', ')} }`)
  return lines.join('\n')
}
