import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Context, GlobalOptions } from '../context.js'
import { print } from '../context.js'
import { UserError } from '../errors.js'
import { guarded, openSession } from '../events/lookup.js'
import { parseCount } from '../events/options.js'
import { sendEvent } from '../events/send.js'
import { parseExact } from '../output/exact-json.js'
import { printJson } from '../output/json.js'
import { printPosted, warner } from '../output/post-result.js'
import { colors, printWarnings } from '../output/report.js'
import { plural } from '../output/text.js'

export interface SendOptions extends GlobalOptions {
  trigger?: string
  op?: string
  /** JSON, or @file */
  new?: string
  old?: string
  /** session variables: JSON object, or @file */
  session?: string
  to?: string
  viaHasura?: boolean
  wait?: boolean
  timeout?: string | number
  json?: boolean
  /** print the handler's answer whole instead of cut */
  full?: boolean
}

/** `--new '{"id":1}'` or `--new @row.json` (relative to the working directory). */
export function readJsonArg(value: string | undefined, flag: string, cwd: string): unknown {
  if (value === undefined) return undefined
  let text = value
  if (value.startsWith('@')) {
    const file = resolve(cwd, value.slice(1))
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      throw new UserError(`${flag} ${value}: cannot read ${file}`, { hint: `check the path after @` })
    }
  }
  try {
    return parseExact(text)
  } catch (err) {
    throw new UserError(`${flag} is not valid JSON: ${(err as Error).message}`, {
      hint: `quote it for the shell: ${flag} '{"id": 1}', or put it in a file and pass ${flag} @row.json`,
    })
  }
}

export async function send(opts: SendOptions, ctx: Context): Promise<number> {
  return guarded(ctx, () => sendCommand(opts, ctx))
}

async function sendCommand(opts: SendOptions, ctx: Context): Promise<number> {
  if (!opts.trigger) {
    throw new UserError('send needs a trigger name', { hint: 'nself-hooks send user_created --op insert' })
  }
  const s = await openSession(opts, ctx)
  printWarnings(s.ctx, s.project.warnings)
  const result = await sendEvent(s, {
    trigger: opts.trigger,
    op: opts.op,
    new: readJsonArg(opts.new, '--new', s.ctx.cwd),
    old: readJsonArg(opts.old, '--old', s.ctx.cwd),
    session: readJsonArg(opts.session, '--session', s.ctx.cwd) as Record<string, string> | undefined,
    to: opts.to,
    viaHasura: opts.viaHasura,
    wait: opts.wait,
    timeoutMs: opts.viaHasura && opts.wait ? parseCount(opts.timeout, '--timeout', 120) * 1000 : 0,
    warn: warner(s.ctx),
  })
  if (result.kind === 'post') {
    return printPosted(s.ctx, result.post, { json: opts.json, full: opts.full, redact: s.redact })
  }
  const c = colors(s.ctx)
  const { event_id: id, trigger } = result
  if (!result.waited) {
    if (opts.json) printJson(s.ctx, { event_id: id, trigger, via: 'hasura' })
    else {
      print(
        s.ctx,
        `${c.green('✓')} Hasura stored manual event ${id} for trigger ${trigger} and will deliver it`,
      )
      print(s.ctx, c.dim(`follow it with nself-hooks events show ${id}`))
    }
    return 0
  }
  const { outcome } = result.waited
  if (opts.json) printJson(s.ctx, { event_id: id, trigger, via: 'hasura', outcome: outcome ?? 'timeout' })
  else if (!outcome) print(s.ctx, `${c.yellow('…')} event ${id} still pending; nself-hooks events show ${id}`)
  else
    print(
      s.ctx,
      `${outcome.status === 'delivered' ? c.green('✓ delivered') : c.red('✗ failed')}: event ${id}${outcome.http_status !== undefined ? `, HTTP ${outcome.http_status}` : ''}, ${plural(outcome.tries, 'attempt')}`,
    )
  return outcome?.status === 'delivered' ? 0 : 1
}
