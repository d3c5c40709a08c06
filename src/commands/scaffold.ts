import type { Context, GlobalOptions } from '../context.js'
import { UserError } from '../errors.js'

export interface ScaffoldOptions extends GlobalOptions {
  handler?: string
  all?: boolean
  initService?: boolean
  force?: boolean
  dryRun?: boolean
  introspect?: boolean
  databaseUrl?: string
}

export async function scaffold(_options: ScaffoldOptions, _ctx: Context): Promise<number> {
  throw new UserError('scaffold is being built (issue 5)')
}
