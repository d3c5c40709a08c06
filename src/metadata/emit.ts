import type { Header, ModelCron, ModelTrigger, OperationSpec } from '../model/types.js'
import { HASURA_CRON_RETRY } from '../model/types.js'

/** Hasura's export shapes, keys in the order `hasura metadata export` writes them (docs/hasura-compatibility.md "Metadata files"). */

export interface HasuraHeader {
  name: string
  value?: string
  value_from_env?: string
}

export interface HasuraOperationSpec {
  columns: '*' | string[]
  payload?: '*' | string[]
}

export interface HasuraEventTrigger {
  name: string
  definition: {
    delete?: HasuraOperationSpec
    enable_manual: boolean
    insert?: HasuraOperationSpec
    update?: HasuraOperationSpec
  }
  retry_conf: { interval_sec: number; num_retries: number; timeout_sec: number }
  webhook?: string
  webhook_from_env?: string
  headers?: HasuraHeader[]
  [other: string]: unknown
}

export interface HasuraCronRetry {
  num_retries: number
  retry_interval_seconds: number
  timeout_seconds: number
  tolerance_seconds: number
}

export interface HasuraCronTrigger {
  name: string
  webhook: string
  schedule: string
  include_in_metadata: boolean
  payload?: unknown
  retry_conf?: HasuraCronRetry
  headers?: HasuraHeader[]
  comment?: string
  [other: string]: unknown
}

function opSpec(spec: OperationSpec): HasuraOperationSpec {
  return spec.payload === undefined
    ? { columns: spec.columns }
    : { columns: spec.columns, payload: spec.payload }
}

function headers(list: Header[]): HasuraHeader[] {
  return list.map((h) => ('value_from_env' in h ? { name: h.name, value_from_env: h.value_from_env } : h))
}

/**
 * `definition` keys come alphabetically (`delete`, `enable_manual`, `insert`, `update`): Hasura
 * exports it through `AO.toOrdered` of its aeson object (docs/hasura-compatibility.md "Metadata files").
 */
export function emitEventTrigger(t: ModelTrigger): HasuraEventTrigger {
  const definition = {} as HasuraEventTrigger['definition']
  if (t.definition.delete) definition.delete = opSpec(t.definition.delete)
  definition.enable_manual = t.definition.enable_manual
  if (t.definition.insert) definition.insert = opSpec(t.definition.insert)
  if (t.definition.update) definition.update = opSpec(t.definition.update)
  const out: HasuraEventTrigger = {
    name: t.name,
    definition,
    retry_conf: {
      interval_sec: t.retry.intervalSec,
      num_retries: t.retry.numRetries,
      timeout_sec: t.retry.timeoutSec,
    },
  }
  if ('fromEnv' in t.webhook) out.webhook_from_env = t.webhook.fromEnv
  else out.webhook = t.webhook.url
  if (t.headers.length > 0) out.headers = headers(t.headers)
  return out
}

export function emitCronTrigger(c: ModelCron): HasuraCronTrigger {
  const out: HasuraCronTrigger = {
    name: c.name,
    webhook: c.webhook,
    schedule: c.schedule,
    include_in_metadata: c.includeInMetadata,
  }
  if (c.payload !== undefined) out.payload = c.payload
  const retry: HasuraCronRetry = {
    num_retries: c.retry.numRetries,
    retry_interval_seconds: c.retry.intervalSec,
    timeout_seconds: c.retry.timeoutSec,
    tolerance_seconds: c.retry.toleranceSec,
  }
  if (!isDefaultCronRetry(retry)) out.retry_conf = retry
  if (c.headers.length > 0) out.headers = headers(c.headers)
  if (c.comment !== undefined) out.comment = c.comment
  return out
}

export function isDefaultCronRetry(r: HasuraCronRetry): boolean {
  return (
    r.num_retries === HASURA_CRON_RETRY.numRetries &&
    r.retry_interval_seconds === HASURA_CRON_RETRY.intervalSec &&
    r.timeout_seconds === HASURA_CRON_RETRY.timeoutSec &&
    r.tolerance_seconds === HASURA_CRON_RETRY.toleranceSec
  )
}

/** `create_cron_trigger` args from an emitted cron (the metadata API call form). */
export function cronTriggerArgs(c: HasuraCronTrigger, replace = false): Record<string, unknown> {
  return { ...c, replace }
}

/** `pg_create_event_trigger` args from an emitted trigger (docs/hasura-compatibility.md "Event triggers": definition ops move to the top level). */
export function eventTriggerArgs(
  t: HasuraEventTrigger,
  table: { schema: string; name: string },
  source: string,
  replace = false,
): Record<string, unknown> {
  const { definition, name, ...rest } = t
  return { name, source, table, ...definition, ...rest, replace }
}
