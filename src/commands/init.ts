import { writeStarterConfig } from '../config/starter.js'
import type { Context } from '../context.js'
import { ExitCode } from '../errors.js'
import { colors } from '../output/report.js'
import { relPath } from '../output/text.js'

export interface InitOptions {
  envFile?: string[]
  force?: boolean
}

/** `nself-hooks init`: a starter webhooks.config.ts in the working directory. */
export async function init(options: InitOptions, ctx: Context): Promise<number> {
  const { file, service } = writeStarterConfig(ctx.cwd, ctx.env, options)
  ctx.stdout.write(
    `${colors(ctx).green('wrote')} ${relPath(ctx.cwd, file)}${service ? ` (service ${service.name} from .env)` : ''}\n`,
  )
  ctx.stdout.write('next: edit the triggers, then run nself-hooks generate\n')
  return ExitCode.ok
}
