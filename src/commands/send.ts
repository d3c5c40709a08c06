import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Context, GlobalOptions } from '../context.js'
import { print } from '../context.js'
import { UserError } from '../errors.js'
import { waitForOutcome } from '../events/bulk.js'
import { guarded, openSession, type Session } from '../events/lookup.js'
import { postEvent } from '../events/post.js'
import { sampleRow } from '../events/sample-row.js'
import { chooseOp, columnsOf, syntheticCronRequest, syntheticTriggerRequest } from '../events/synthetic.js'
import type { ModelCron } from '../model/types.js'
import { colors } from '../output/report.js'
import { parseCount } from './events.js'
import { printPostResult } from './replay.js'

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
    return JSON.parse(text)
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
  const c = colors(s.ctx)
  const { model } = s.project
  const trigger = model.triggers.find((t) => t.name === opts.trigger)
  if (!trigger) {
    const cron = model.crons.find((x) => x.name === opts.trigger)
    if (cron) return sendCron(s, cron, opts)
    const names = [...model.triggers.map((t) => t.name), ...model.crons.map((x) => x.name)]
    throw new UserError(`no trigger or cron named ${opts.trigger} in webhooks.config.ts`, {
      hint: names.length ? `one of: ${names.join(', ')}` : 'add it under triggers: in webhooks.config.ts',
    })
  }
  const op = opts.viaHasura && opts.op === undefined ? 'manual' : chooseOp(trigger, opts.op)
  const givenNew = readJsonArg(opts.new, '--new', s.ctx.cwd)
  const givenOld = readJsonArg(opts.old, '--old', s.ctx.cwd)
  const session = readJsonArg(opts.session, '--session', s.ctx.cwd) as Record<string, string> | undefined

  if (opts.viaHasura) {
    if (op !== 'manual' || !trigger.definition.enable_manual) {
      throw new UserError(
        `--via-hasura invokes a manual event, and trigger ${trigger.name} ${trigger.definition.enable_manual ? `got --op ${op}` : 'does not enable manual mode'}`,
        {
          hint: trigger.definition.enable_manual
            ? 'drop --op, or use --op manual'
            : `add \`manual: true\` to triggers.${trigger.name}.on and run nself-hooks sync; or send without --via-hasura`,
        },
      )
    }
    const cols = givenNew === undefined ? await columnsOf(s, trigger) : undefined
    const row = givenNew ?? (cols ? sampleRow(cols) : {})
    const id = await s.api.invoke(trigger.name, row)
    if (!opts.wait) {
      if (opts.json)
        print(s.ctx, JSON.stringify({ event_id: id, trigger: trigger.name, via: 'hasura' }, null, 2))
      else {
        print(
          s.ctx,
          `${c.green('✓')} Hasura stored manual event ${id} for trigger ${trigger.name} and will deliver it`,
        )
        print(s.ctx, c.dim(`follow it with nself-hooks events show ${id}`))
      }
      return 0
    }
    const outcome = await waitForOutcome(s.api, id, {
      timeoutMs: parseCount(opts.timeout, '--timeout', 120) * 1000,
    })
    if (opts.json)
      print(
        s.ctx,
        JSON.stringify(
          { event_id: id, trigger: trigger.name, via: 'hasura', outcome: outcome ?? 'timeout' },
          null,
          2,
        ),
      )
    else if (!outcome)
      print(s.ctx, `${c.yellow('…')} event ${id} still pending; nself-hooks events show ${id}`)
    else
      print(
        s.ctx,
        `${outcome.status === 'delivered' ? c.green('✓ delivered') : c.red('✗ failed')}: event ${id}${outcome.httpStatus !== undefined ? `, HTTP ${outcome.httpStatus}` : ''}, ${outcome.tries} attempt${outcome.tries === 1 ? '' : 's'}`,
      )
    return outcome?.status === 'delivered' ? 0 : 1
  }

  const warn = (m: string) => s.ctx.stderr.write(`${c.yellow('warning')} ${m}\n`)
  const req = await syntheticTriggerRequest(
    s,
    trigger,
    {
      op,
      ...(givenNew !== undefined ? { new: givenNew } : {}),
      ...(givenOld !== undefined ? { old: givenOld } : {}),
      ...(session ? { session } : {}),
      ...(opts.to !== undefined ? { to: opts.to } : {}),
    },
    warn,
  )
  const res = await postEvent(req.url, req.body, req.headers.headers, req.timeoutSec)
  return printPostResult(s, {
    to: req.url,
    label: `trigger ${trigger.name}, ${op}`,
    res,
    fromEnv: req.headers.fromEnv,
    json: opts.json,
    full: opts.full,
    body: req.body,
  })
}

/** A cron: its payload posted as Hasura would at the scheduled time (docs/hasura-compatibility.md "Cron triggers"). */
async function sendCron(s: Session, cron: ModelCron, opts: SendOptions): Promise<number> {
  if (opts.op !== undefined || opts.new !== undefined || opts.old !== undefined || opts.viaHasura) {
    throw new UserError(`${cron.name} is a cron: --op, --new, --old and --via-hasura do not apply`, {
      hint: `nself-hooks send ${cron.name}  (posts its payload as Hasura would at the scheduled time)`,
    })
  }
  const warn = (m: string) => s.ctx.stderr.write(`${colors(s.ctx).yellow('warning')} ${m}\n`)
  const req = await syntheticCronRequest(s, cron, opts.to !== undefined ? { to: opts.to } : {}, warn)
  const res = await postEvent(req.url, req.body, req.headers.headers, req.timeoutSec)
  return printPostResult(s, {
    to: req.url,
    label: `cron ${cron.name}`,
    res,
    fromEnv: req.headers.fromEnv,
    json: opts.json,
    full: opts.full,
    body: req.body,
  })
}
