import * as z from 'zod'
import { headerProblem } from '../webhook.js'
import {
  type Columns,
  DEFAULT_RETRY_CONF,
  type EventTriggerDef,
  type HeaderConf,
  type JsonObject,
  MAX_TRIGGER_NAME,
  type OpSpec,
  type RetryConf,
  TRIGGER_NAME_RE,
} from './model.js'
import { checkTransform, parseWith } from './parse.js'

// Event trigger arguments and metadata entries, checked like Hasura checks them.

export const qualifiedTable = z.union([
  z.string().transform((name) => ({ schema: 'public', name })),
  z.object({ schema: z.string().default('public'), name: z.string() }).loose(),
])

const columns = z.union([z.literal('*'), z.array(z.string())])
const opSpec = z.object({ columns, payload: columns.nullish() }).loose()

/** Hasura's checkEmptyCols, run on the whole create args (so it fails at `$.args`). */
function emptyColumns(specs: (z.output<typeof opSpec> | null | undefined)[]): string | undefined {
  for (const spec of specs) {
    if (!spec) continue
    if (Array.isArray(spec.columns) && spec.columns.length === 0) return 'found empty column specification'
    if (Array.isArray(spec.payload) && spec.payload.length === 0) return 'found empty payload specification'
  }
  return undefined
}

export const int = z.number().int()
const retryConf = z.object({ num_retries: int, interval_sec: int, timeout_sec: int.optional() }).loose()
/**
 * Hasura takes any text as a header name or value (HeaderConf in Hasura's RQL/Types/Headers.hs) and
 * fails at delivery; the engine refuses at creation what can never be sent (docs/hasura-compatibility.md).
 */
const headerName = z.string().superRefine((name, ctx) => {
  const problem = headerProblem(name)
  if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [] })
})
export const headerConf = z
  .union([
    z.object({ name: headerName, value: z.string() }).loose(),
    z.object({ name: headerName, value_from_env: z.string() }).loose(),
  ])
  .superRefine((h, ctx) => {
    const value = (h as { value?: unknown }).value
    const problem = typeof value === 'string' ? headerProblem(h.name, value) : undefined
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['value'] })
  })

const triggerName = z.string().superRefine((name, ctx) => {
  if (!TRIGGER_NAME_RE.test(name))
    ctx.addIssue({
      code: 'custom',
      message: 'only alphanumeric and underscore and hyphens allowed for name',
      path: [],
    })
  else if (name.length > MAX_TRIGGER_NAME)
    ctx.addIssue({ code: 'custom', message: 'event trigger name can be at most 42 characters', path: [] })
})

export const createEventTriggerArgs = z
  .object({
    name: z.string(),
    source: z.string().default('default'),
    table: qualifiedTable,
    insert: opSpec.nullish(),
    update: opSpec.nullish(),
    delete: opSpec.nullish(),
    enable_manual: z.boolean().default(false),
    retry_conf: retryConf.nullish(),
    webhook: z.string().nullish(),
    webhook_from_env: z.string().nullish(),
    headers: z.array(headerConf).nullish(),
    replace: z.boolean().default(false),
    request_transform: z.record(z.string(), z.unknown()).nullish(),
    response_transform: z.record(z.string(), z.unknown()).nullish(),
    cleanup_config: z.record(z.string(), z.unknown()).nullish(),
    trigger_on_replication: z.boolean().optional(),
  })
  .loose()
  .superRefine((v, ctx) => {
    // Hasura checks these in this order, failing at $.args
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message, path: [] })
    if (!TRIGGER_NAME_RE.test(v.name))
      return fail('only alphanumeric and underscore and hyphens allowed for name')
    if (v.name.length > MAX_TRIGGER_NAME) return fail('event trigger name can be at most 42 characters')
    if (!v.insert && !v.update && !v.delete && !v.enable_manual)
      return fail('atleast one amongst insert/update/delete/enable_manual spec must be provided')
    if (v.webhook != null && v.webhook_from_env != null)
      return fail('only one of webhook or webhook_from_env should be given')
    if (v.webhook == null && v.webhook_from_env == null)
      return fail('must provide webhook or webhook_from_env')
    const empty = emptyColumns([v.insert, v.update, v.delete])
    if (empty) return fail(empty)
  })
export type CreateEventTriggerArgs = z.output<typeof createEventTriggerArgs>

function orderOp(op: { columns: Columns; payload?: Columns | null | undefined }): OpSpec {
  const o: OpSpec = { columns: op.columns }
  if (op.payload !== undefined && op.payload !== null) o.payload = op.payload
  return o
}

type OpArg = { columns: Columns; payload?: Columns | null | undefined } | null | undefined

/**
 * A trigger's `definition` with its keys sorted (`delete`, `enable_manual`, `insert`, `update`):
 * Hasura exports it through `AO.toOrdered` of its aeson object, whose keys come sorted
 * (`eventTriggerConfToOrdJSON` in `src-lib/Hasura/RQL/Types/Metadata/Serialization.hs`).
 */
function orderDefinition(d: {
  enable_manual: boolean
  insert?: OpArg
  update?: OpArg
  delete?: OpArg
}): EventTriggerDef['definition'] {
  const def = {} as EventTriggerDef['definition']
  if (d.delete) def.delete = orderOp(d.delete)
  def.enable_manual = d.enable_manual
  if (d.insert) def.insert = orderOp(d.insert)
  if (d.update) def.update = orderOp(d.update)
  return def
}

/** Create args → the metadata entry, keys in Hasura's export order. */
export function triggerFromArgs(a: CreateEventTriggerArgs): EventTriggerDef {
  const t: EventTriggerDef = {
    name: a.name,
    definition: orderDefinition(a),
    retry_conf: orderRetry(a.retry_conf ?? DEFAULT_RETRY_CONF),
  }
  if (a.webhook != null) t.webhook = a.webhook
  else if (a.webhook_from_env != null) t.webhook_from_env = a.webhook_from_env
  if (a.headers && a.headers.length > 0) t.headers = a.headers as HeaderConf[]
  if (a.request_transform) t.request_transform = a.request_transform
  if (a.response_transform) t.response_transform = a.response_transform
  if (a.cleanup_config) t.cleanup_config = a.cleanup_config
  if (a.trigger_on_replication !== undefined) t.trigger_on_replication = a.trigger_on_replication
  return t
}

function orderRetry(r: RetryConf): RetryConf {
  const o: RetryConf = { interval_sec: r.interval_sec, num_retries: r.num_retries }
  if (r.timeout_sec !== undefined && r.timeout_sec !== null) o.timeout_sec = r.timeout_sec
  return o
}

/** An event trigger entry from replace_metadata, checked like Hasura does and put in export order. */
const triggerEntry = z
  .object({
    name: triggerName,
    definition: z
      .object({
        enable_manual: z.boolean().default(false),
        insert: opSpec.nullish(),
        update: opSpec.nullish(),
        delete: opSpec.nullish(),
      })
      .loose(),
    retry_conf: retryConf,
    webhook: z.string().nullish(),
    webhook_from_env: z.string().nullish(),
    headers: z.array(headerConf).nullish(),
  })
  .loose()
  .superRefine((v, ctx) => {
    if (v.webhook != null && v.webhook_from_env != null)
      ctx.addIssue({
        code: 'custom',
        message: 'only one of webhook or webhook_from_env should be given',
        path: [],
      })
    if (v.webhook == null && v.webhook_from_env == null)
      ctx.addIssue({ code: 'custom', message: 'must provide webhook or webhook_from_env', path: [] })
    const empty = emptyColumns([v.definition.insert, v.definition.update, v.definition.delete])
    if (empty) ctx.addIssue({ code: 'custom', message: empty, path: [] })
  })

export function normalizeTriggerEntry(raw: unknown, path: string): EventTriggerDef {
  const v = parseWith(triggerEntry, raw, path)
  const rest: Record<string, unknown> = { ...(raw as JsonObject) }
  for (const k of ['name', 'definition', 'retry_conf', 'webhook', 'webhook_from_env', 'headers'])
    delete rest[k]
  const t: EventTriggerDef = {
    name: v.name,
    definition: orderDefinition(v.definition),
    retry_conf: orderRetry(v.retry_conf),
  }
  if (v.webhook != null) t.webhook = v.webhook
  else if (v.webhook_from_env != null) t.webhook_from_env = v.webhook_from_env
  if (v.headers && v.headers.length > 0) t.headers = v.headers as HeaderConf[]
  if (rest.request_transform !== undefined && rest.request_transform !== null)
    checkTransform(rest.request_transform, `${path}.request_transform`)
  for (const k of ['request_transform', 'response_transform', 'cleanup_config', 'trigger_on_replication']) {
    if (rest[k] !== undefined && rest[k] !== null) t[k] = rest[k]
    delete rest[k]
  }
  return Object.assign(t, rest)
}
