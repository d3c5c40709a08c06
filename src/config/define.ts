import type { WebhooksConfig } from './schema.js'

/**
 * Identity at runtime; gives users types and completion in webhooks.config.ts. It lives apart from
 * the schema so that loading a config (which imports it) does not load the validation library.
 */
export function defineConfig(config: WebhooksConfig): WebhooksConfig {
  return config
}
