import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Context, GlobalOptions } from '../context.js'
import { print } from '../context.js'
import { UserError } from '../errors.js'
import { waitForOutcome } from '../events/bulk.js'
import { guarded, openSession, type Session } from '../events/lookup.js'
import { type HasuraEvent, pickColumns, syntheticBody } from '../events/payload.js'
import { postEvent } from '../events/post.js'
import { changedRow, sampleRow } from '../events/sample-row.js'
import { checkReachableHost, resolveHeaders, targetUrl } from '../events/target.js'
import type { ColumnInfo } from '../model/columns.js'
import type { ModelCron, ModelTrigger } from '../model/types.js'
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

type Op = 'insert' | 'update' | 'delete' | 'manual'
const OPS: Op[] = ['insert', 'update', 'delete', 'manual']

/** The ops a trigger listens to, in Hasura's order. */
export function listenedOps(t: ModelTrigger): Op[] {
  const out: Op[] = []
  if (t.definition.insert) out.push('insert')
  if (t.definition.update) out.push('update')
  if (t.definition.delete) out.push('delete')
  if (t.definition.enable_manual) out.push('manual')
  return out
}

export function chooseOp(t: ModelTrigger, requested: string | undefined): Op {
  const listened = listenedOps(t)
  if (requested === undefined) return listened[0] ?? 'insert'
  const op = requested.toLowerCase() as Op
  if (!OPS.includes(op)) {
    throw new UserError(`--op ${requested} is not one of ${OPS.join(', ')}`, {
      hint: `for example --op ${listened[0] ?? 'insert'}`,
    })
  }
  if (!listened.includes(op)) {
    const how = op === 'manual' ? 'manual: true' : `${op}: true`
    throw new UserError(`trigger ${t.name} does not listen to ${op}: it listens to ${listened.join(', ')}`, {
      hint: `use --op ${listened[0]}, or add \`on: { ${how} }\` to triggers.${t.name} in webhooks.config.ts`,
    })
  }
  return op
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

async function columnsOf(s: Session, t: ModelTrigger): Promise<ColumnInfo[] | undefined> {
  try {
    const cols = await s.api.tableColumns(t.table)
    return cols.length > 0 ? cols : undefined
  } catch {
    return undefined
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
  const { model, env } = s.project
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

  const url = opts.to ?? targetUrl(trigger, model, env.values, 'trigger')
  if (opts.to === undefined) await checkReachableHost(url, model)

  const spec = op === 'manual' ? undefined : trigger.definition[op]
  const needsSample =
    (op === 'update' && (givenNew === undefined || givenOld === undefined)) ||
    ((op === 'insert' || op === 'manual') && givenNew === undefined) ||
    (op === 'delete' && givenOld === undefined)
  // Hasura sends whole rows: the columns given are laid over values made from the column types
  const cols = await columnsOf(s, trigger)
  if (needsSample && !cols) {
    s.ctx.stderr.write(
      `${c.yellow('warning')} could not read the columns of ${trigger.table.schema}.${trigger.table.name} from Hasura: sending {} (pass --new/--old)\n`,
    )
  }
  const sample = (seed: number) => (cols ? sampleRow(cols, seed) : {})
  const fill = (given: unknown, base: Record<string, unknown>, flag: string): unknown => {
    if (given === undefined) return base
    if (!cols || given === null || typeof given !== 'object' || Array.isArray(given)) return given
    const known = new Set(cols.map((col) => col.name))
    const unknown = Object.keys(given).filter((k) => !known.has(k))
    if (unknown.length > 0) {
      s.ctx.stderr.write(
        `${c.yellow('warning')} ${flag}: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a column' : 'are not columns'} of ${trigger.table.schema}.${trigger.table.name}\n`,
      )
    }
    return { ...base, ...(given as Record<string, unknown>) }
  }
  let oldRow: unknown = null
  let newRow: unknown = null
  if (op === 'manual') newRow = givenNew ?? sample(1)
  else if (op === 'insert') newRow = fill(givenNew, sample(1), '--new')
  else if (op === 'delete') oldRow = fill(givenOld, sample(1), '--old')
  else {
    oldRow = fill(givenOld, sample(1), '--old')
    const base =
      cols && oldRow && typeof oldRow === 'object'
        ? changedRow(oldRow as Record<string, unknown>, cols, spec?.columns ?? '*')
        : sample(2)
    newRow = givenNew === undefined ? base : fill(givenNew, oldRow as Record<string, unknown>, '--new')
  }
  const body = syntheticBody({
    trigger: trigger.name,
    table: trigger.table,
    op: op.toUpperCase() as HasuraEvent['op'],
    oldRow: pickColumns(oldRow, spec?.payload),
    newRow: pickColumns(newRow, spec?.payload),
    maxRetries: trigger.retry.numRetries,
    sessionVariables: session ?? null,
  })
  const headers = resolveHeaders(trigger.headers, env.values)
  for (const m of headers.missing) {
    s.ctx.stderr.write(
      `${c.yellow('warning')} header ${m.header}: ${m.env} is not set locally; sent without it\n`,
    )
  }
  const res = await postEvent(url, body, headers.headers, trigger.retry.timeoutSec)
  return printPostResult(s, {
    to: url,
    label: `trigger ${trigger.name}, ${op}`,
    res,
    fromEnv: headers.fromEnv,
    json: opts.json,
    full: opts.full,
    body,
  })
}

/** A cron's body (docs/hasura-compatibility.md "Cron triggers"): `{id, name, scheduled_time, payload, comment?}`. */
async function sendCron(s: Session, cron: ModelCron, opts: SendOptions): Promise<number> {
  if (opts.op !== undefined || opts.new !== undefined || opts.old !== undefined || opts.viaHasura) {
    throw new UserError(`${cron.name} is a cron: --op, --new, --old and --via-hasura do not apply`, {
      hint: `nself-hooks send ${cron.name}  (posts its payload as Hasura would at the scheduled time)`,
    })
  }
  const { model, env } = s.project
  const url = opts.to ?? targetUrl(cron, model, env.values, 'cron')
  if (opts.to === undefined) await checkReachableHost(url, model)
  const body: Record<string, unknown> = {
    id: crypto.randomUUID(),
    name: cron.name,
    scheduled_time: new Date().toISOString(),
    payload: cron.payload ?? null,
  }
  if (cron.comment !== undefined) body.comment = cron.comment
  const headers = resolveHeaders(cron.headers, env.values)
  for (const m of headers.missing) {
    s.ctx.stderr.write(
      `${colors(s.ctx).yellow('warning')} header ${m.header}: ${m.env} is not set locally; sent without it\n`,
    )
  }
  const res = await postEvent(url, body, headers.headers, cron.retry.timeoutSec)
  return printPostResult(s, {
    to: url,
    label: `cron ${cron.name}`,
    res,
    fromEnv: headers.fromEnv,
    json: opts.json,
    full: opts.full,
    body,
  })
}
