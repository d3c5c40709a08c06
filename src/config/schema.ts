import * as z from 'zod'
import { visible } from '../output/remote-text.js'

/** The one definition of webhooks.config.ts. Types come from it: z.input for users, z.output for code. */

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
  error: (iss) =>
    `${typeof iss.input === 'string' ? `"${visible(iss.input)}" ` : ''}must be an environment variable name (letters, digits, underscore)`,
})

const columnList = z.union([z.literal('*'), z.array(z.string().min(1))])

const headerValueSchema = z.union([z.string(), z.strictObject({ fromEnv: envName })])

const nonNegativeInt = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .min(0, `${what} must not be negative`)

const retrySchema = z.strictObject({
  numRetries: nonNegativeInt('numRetries').optional(),
  intervalSec: nonNegativeInt('intervalSec').optional(),
  timeoutSec: nonNegativeInt('timeoutSec').min(1, 'timeoutSec must be at least 1').optional(),
  toleranceSec: nonNegativeInt('toleranceSec').optional(),
  /**
   * event triggers: the generated handler answers a retryable failure with
   * Retry-After = intervalSec × 2^current_retry, at most maxIntervalSec (docs/retries.md)
   */
  backoff: z.literal('exponential', { error: "backoff must be 'exponential'" }).optional(),
  maxIntervalSec: nonNegativeInt('maxIntervalSec').min(1, 'maxIntervalSec must be at least 1').optional(),
})

const opSpec = z.union([z.literal(true), z.strictObject({ payload: columnList.optional() })])
const updateSpec = z.union([
  z.literal(true),
  z.strictObject({ columns: columnList.optional(), payload: columnList.optional() }),
])

const tableRefSchema = z.union([
  z.string().min(1),
  z.strictObject({ schema: z.string().min(1).default('public'), name: z.string().min(1) }),
])

const webhookSource = {
  webhook: z.string().min(1).optional(),
  webhookFromEnv: envName.optional(),
  handler: z.string().min(1).optional(),
  headers: z.record(z.string().min(1), headerValueSchema).optional(),
  retry: retrySchema.optional(),
  comment: z.string().optional(),
}

const triggerSchema = z.strictObject({
  table: tableRefSchema,
  source: z.string().min(1).optional(),
  on: z.strictObject({
    insert: opSpec.optional(),
    update: updateSpec.optional(),
    delete: opSpec.optional(),
    manual: z.boolean().optional(),
  }),
  ...webhookSource,
})

const cronSchema = z.strictObject({
  schedule: z.string().min(1),
  payload: z.unknown().optional(),
  includeInMetadata: z.boolean().optional(),
  ...webhookSource,
  // a cron body carries no attempt number, so there is nothing to back off from
  retry: retrySchema.omit({ backoff: true, maxIntervalSec: true }).optional(),
})

const externalSchema = z.strictObject({
  provider: z.enum(['stripe', 'github', 'standard-webhooks', 'hmac-sha256']),
  secretEnv: envName,
  handler: z.string().min(1),
  /** hmac-sha256 only: the header carrying the hex signature */
  header: z.string().min(1).optional(),
  /** stripe and standard-webhooks: how old a signed timestamp may be */
  toleranceSec: nonNegativeInt('toleranceSec').optional(),
})

const serviceSchema = z.union([
  z.string().min(1),
  z.strictObject({
    name: z.string().min(1),
    template: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    routePrefix: z.string().optional(),
    baseUrl: z.string().min(1).optional(),
    dir: z.string().min(1).optional(),
  }),
])

export const configSchema = z.strictObject({
  hasura: z
    .strictObject({
      endpoint: z.string().min(1).optional(),
      adminSecretEnv: envName.optional(),
      metadataDir: z.string().min(1).optional(),
      source: z.string().min(1).optional(),
    })
    .optional(),
  service: serviceSchema.optional(),
  defaults: z
    .strictObject({
      retry: retrySchema.optional(),
      headers: z.record(z.string().min(1), headerValueSchema).optional(),
    })
    .optional(),
  triggers: z.record(z.string(), triggerSchema).optional(),
  crons: z.record(z.string(), cronSchema).optional(),
  external: z.record(z.string(), externalSchema).optional(),
})

export type WebhooksConfig = z.input<typeof configSchema>
export type ParsedConfig = z.output<typeof configSchema>
export type TriggerConfig = z.output<typeof triggerSchema>
export type CronConfig = z.output<typeof cronSchema>
export type ExternalConfig = z.output<typeof externalSchema>
export type HeaderValue = z.output<typeof headerValueSchema>
export type RetryConfig = z.output<typeof retrySchema>
export type ServiceConfig = z.output<typeof serviceSchema>
