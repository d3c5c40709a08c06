import type { Context, GlobalOptions } from '../context.js'
import { openSession, type Session } from '../events/lookup.js'
import { secretValues } from '../events/secrets.js'
import { connectHasura } from '../hasura/client.js'
import { printWarnings } from '../output/report.js'
import { ConsoleApi } from './api.js'
import { newToken } from './security.js'
import { consoleHandler, type RunningConsole, startConsoleServer } from './server.js'

export type { RunningConsole } from './server.js'

/** The console's API over a project session: the session (and the admin secret) stays here. */
async function consoleParts(opts: GlobalOptions, ctx: Context) {
  const session: Session = await openSession(opts, ctx)
  printWarnings(session.ctx, session.project.warnings)
  const client = connectHasura(session.project, session.ctx)
  const secrets = secretValues(session.project.model, session.project.env.values)
  return { api: new ConsoleApi(session, client), secrets }
}

/** `nself-hooks console`: a server of its own on 127.0.0.1. */
export async function startConsole(
  opts: GlobalOptions & { port: number },
  ctx: Context,
): Promise<RunningConsole> {
  const { api, secrets } = await consoleParts(opts, ctx)
  return startConsoleServer({ api, secrets, token: newToken(), port: opts.port })
}

/** The console as a request handler under `basePath` of another server (`dev` mounts it at /console). */
export async function mountConsole(opts: GlobalOptions, ctx: Context, basePath: string) {
  const { api, secrets } = await consoleParts(opts, ctx)
  const token = newToken()
  return { token, handle: consoleHandler({ api, secrets, token, basePath }) }
}
