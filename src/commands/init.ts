import { existsSync } from 'node:fs'
import { join, relative } from 'node:path'
import { loadEnv, parseCustomServices } from '../config/env.js'
import { CONFIG_NAMES } from '../config/load.js'
import type { Context } from '../context.js'
import { ExitCode, UserError } from '../errors.js'
import { colors } from '../output/report.js'
import { writeFilesAtomic } from '../write-files.js'

export interface InitOptions {
  envFile?: string[]
  force?: boolean
}

/** Templates nself-hooks can scaffold handlers for; a service on one of these is the best default. */
const WEBHOOK_TEMPLATES = ['express-ts', 'nest-ts', 'fastapi']

export function starterConfig(
  service: { index: number; name: string; template: string; port: number; route: string } | undefined,
): string {
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

export async function init(options: InitOptions, ctx: Context): Promise<number> {
  const existing = CONFIG_NAMES.map((n) => join(ctx.cwd, n)).find((f) => existsSync(f))
  if (existing && !options.force) {
    throw new UserError(`${relative(ctx.cwd, existing)} already exists; init never overwrites it`, {
      hint: 'edit it directly, or pass --force to replace it',
    })
  }
  const env = loadEnv(ctx.cwd, ctx.env, options.envFile ?? [])
  const services = parseCustomServices(env.values)
  const service =
    services.find((s) => /hook/i.test(s.name) && WEBHOOK_TEMPLATES.includes(s.template)) ??
    services.find((s) => WEBHOOK_TEMPLATES.includes(s.template)) ??
    services[0]
  const file = join(ctx.cwd, 'webhooks.config.ts')
  writeFilesAtomic(new Map([[file, starterConfig(service)]]))
  const c = colors(ctx)
  ctx.stdout.write(
    `${c.green('wrote')} webhooks.config.ts${service ? ` (service ${service.name} from .env)` : ''}\n`,
  )
  ctx.stdout.write('next: edit the triggers, then run nself-hooks generate\n')
  return ExitCode.ok
}
