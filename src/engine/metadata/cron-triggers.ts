import * as z from 'zod'
import { headerConf, int } from './event-triggers.js'
import {
  type CronRetryConf,
  type CronTriggerDef,
  DEFAULT_CRON_RETRY_CONF,
  type HeaderConf,
  type Json,
  type JsonObject,
} from './model.js'
import { parseWith } from './parse.js'

// ----- cron triggers

const cronRetryConf = z
  .object({
    num_retries: int.optional(),
    retry_interval_seconds: int.optional(),
    timeout_seconds: int.optional(),
    tolerance_seconds: int.optional(),
  })
  .loose()

export const createCronTriggerArgs = z
  .object({
    name: z.string(),
    webhook: z.string(),
    schedule: z.string(),
    payload: z.unknown().optional(),
    headers: z.array(headerConf).nullish(),
    retry_conf: cronRetryConf.nullish(),
    include_in_metadata: z.boolean(),
    comment: z.string().nullish(),
    replace: z.boolean().default(false),
    request_transform: z.record(z.string(), z.unknown()).nullish(),
    response_transform: z.record(z.string(), z.unknown()).nullish(),
  })
  .loose()

const cronEntry = createCronTriggerArgs.omit({ replace: true })

export function cronRetry(c: CronTriggerDef): CronRetryConf {
  return { ...DEFAULT_CRON_RETRY_CONF, ...stripNulls(c.retry_conf ?? {}) }
}

function stripNulls<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>
}

/** A cron trigger in Hasura's export order; retry_conf left out when it equals the defaults. */
export function normalizeCron(raw: unknown, path = '$.args'): CronTriggerDef {
  const v = parseWith(cronEntry, raw, path)
  const c: CronTriggerDef = {
    name: v.name,
    webhook: v.webhook,
    schedule: v.schedule,
    include_in_metadata: v.include_in_metadata,
  }
  if (v.payload !== undefined && v.payload !== null) c.payload = v.payload as Json
  const retry = { ...DEFAULT_CRON_RETRY_CONF, ...stripNulls(v.retry_conf ?? {}) }
  const isDefault = (Object.keys(DEFAULT_CRON_RETRY_CONF) as (keyof CronRetryConf)[]).every(
    (k) => retry[k] === DEFAULT_CRON_RETRY_CONF[k],
  )
  if (!isDefault) c.retry_conf = retry
  if (v.headers && v.headers.length > 0) c.headers = v.headers as HeaderConf[]
  if (v.comment != null) c.comment = v.comment
  if (v.request_transform) c.request_transform = v.request_transform
  if (v.response_transform) c.response_transform = v.response_transform
  // keys this engine does not know stay as they are
  const known = new Set([...Object.keys(c), 'payload', 'retry_conf', 'headers', 'comment', 'replace'])
  for (const [k, val] of Object.entries(raw as JsonObject)) if (!known.has(k) && val !== undefined) c[k] = val
  return c
}

/** get_cron_triggers form: defaults filled in. */
export function cronWithDefaults(c: CronTriggerDef): JsonObject {
  const o: JsonObject = {
    name: c.name,
    webhook: c.webhook,
    schedule: c.schedule,
    payload: c.payload ?? null,
    retry_conf: cronRetry(c),
    headers: c.headers ?? [],
    include_in_metadata: c.include_in_metadata,
    comment: c.comment ?? null,
  }
  if (c.request_transform) o.request_transform = c.request_transform
  if (c.response_transform) o.response_transform = c.response_transform
  return o
}
