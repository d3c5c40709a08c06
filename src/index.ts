/** The public library API: what webhooks.config.ts and handler code import. */

export { defineConfig } from './config/define.js'
export type {
  CronConfig,
  ExternalConfig,
  HeaderValue,
  RetryConfig,
  ServiceConfig,
  TriggerConfig,
  WebhooksConfig,
} from './config/schema.js'
export type { Model, ModelCron, ModelTrigger, TableRef } from './model/types.js'
