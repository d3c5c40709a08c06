import { existsSync } from 'node:fs'
import { join, relative } from 'node:path'
import { UserError } from '../errors.js'
import { writeFilesAtomic } from '../write-files.js'
import { type CustomService, loadEnv, parseCustomServices } from './env.js'
import { CONFIG_NAMES } from './load.js'

/** `init`: a starter webhooks.config.ts, pointed at the nself .env service that suits it best. */

/** Templates nself-hooks can scaffold handlers for; a service on one of these is the best default. */
const WEBHOOK_TEMPLATES = ['express-ts', 'nest-ts', 'hono-ts', 'fastapi', 'flask']

function starterConfig(service: CustomService | undefined): string {
  const serviceLine = service
    ? `  // ${service.name} is CS_${service.index}=${service.name}:${service.template}:${service.port}${service.route ? `:${service.route}` : ''} in .env\n  service: '${service.name}',\n`
    : `  // where handler routes live: a CS_N service from .env, or describe one here\n  service: { name: 'webhooks', template: 'express-ts', port: 3001, routePrefix: '/webhooks' },\n`
  return `import { defineConfig } from 'nself-hooks'

export default defineConfig({
${serviceLine}  defaults: {
    retry: { numRetries: 3, intervalSec: 10, timeoutSec: 60 },
    // secrets go through env names: Hasura reads WEBHOOK_SECRET from its own environment
    headers: { 'X-Webhook-Secret': { fromEnv: 'WEBHOOK_SECRET' } },
  },
  triggers: {
    user_created: { table: 'users', on: { insert: true }, handler: 'user-created' },
  },
  crons: {
    'daily-report': {
      schedule: '0 9 * * *',
      handler: 'scheduled/daily-report',
      payload: { report_type: 'daily_summary' },
      comment: 'Daily summary at 09:00 UTC',
    },
  },
})
`
}

export interface StarterConfig {
  /** the file written */
  file: string
  /** the .env service the config uses, when there is one */
  service?: CustomService
}

/**
 * Writes webhooks.config.ts in `dir`, using a CS_N service from the project's env files (one
 * named like a hook on a supported template first). An existing config is kept unless `force`.
 */
export function writeStarterConfig(
  dir: string,
  processEnv: NodeJS.ProcessEnv,
  opts: { envFile?: string[] | undefined; force?: boolean | undefined } = {},
): StarterConfig {
  const existing = CONFIG_NAMES.map((n) => join(dir, n)).find((f) => existsSync(f))
  if (existing && !opts.force) {
    throw new UserError(`${relative(dir, existing)} already exists; init never overwrites it`, {
      hint: 'edit it directly, or pass --force to replace it',
    })
  }
  const services = parseCustomServices(loadEnv(dir, processEnv, opts.envFile ?? []).values)
  const service =
    services.find((s) => /hook/i.test(s.name) && WEBHOOK_TEMPLATES.includes(s.template)) ??
    services.find((s) => WEBHOOK_TEMPLATES.includes(s.template)) ??
    services[0]
  const file = join(dir, 'webhooks.config.ts')
  writeFilesAtomic(new Map([[file, starterConfig(service)]]))
  return { file, ...(service ? { service } : {}) }
}
