import { UserError } from '../errors.js'
import type { ColumnInfo } from '../model/columns.js'
import type { Header, ModelCron, ModelTrigger } from '../model/types.js'
import type { Session } from './lookup.js'
import { type HasuraEvent, pickColumns, syntheticBody } from './payload.js'
import { changedRow, sampleRow } from './sample-row.js'
import { checkReachableHost, resolveHeaders, targetUrl } from './target.js'

export type Op = 'insert' | 'update' | 'delete' | 'manual'
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

export async function columnsOf(s: Session, t: ModelTrigger): Promise<ColumnInfo[] | undefined> {
  try {
    const cols = await s.api.tableColumns(t.table)
    return cols.length > 0 ? cols : undefined
  } catch {
    return undefined
  }
}

/** What `send` posts: where, the body, and the headers resolved from the local env. */
export interface SyntheticRequest {
  url: string
  body: Record<string, unknown>
  headers: ReturnType<typeof resolveHeaders>
  timeoutSec: number
  op: Op | 'cron'
}

/**
 * A synthetic event shaped exactly like Hasura's for a trigger: whole rows (the columns given laid
 * over values made from the column types), the payload columns picked, the configured headers.
 */
export async function syntheticTriggerRequest(
  s: Session,
  trigger: ModelTrigger,
  input: { op: Op; new?: unknown; old?: unknown; session?: Record<string, string>; to?: string },
  warn: (message: string) => void,
): Promise<SyntheticRequest> {
  const { model, env } = s.project
  const { op } = input
  const givenNew = input.new
  const givenOld = input.old
  const url = input.to ?? targetUrl(trigger, model, env.values, 'trigger')
  if (input.to === undefined) await checkReachableHost(url, model)

  const spec = op === 'manual' ? undefined : trigger.definition[op]
  const needsSample =
    (op === 'update' && (givenNew === undefined || givenOld === undefined)) ||
    ((op === 'insert' || op === 'manual') && givenNew === undefined) ||
    (op === 'delete' && givenOld === undefined)
  // Hasura sends whole rows: the columns given are laid over values made from the column types
  const cols = await columnsOf(s, trigger)
  if (needsSample && !cols) {
    warn(
      `could not read the columns of ${trigger.table.schema}.${trigger.table.name} from Hasura: sending {} (pass --new/--old)`,
    )
  }
  const rows = { stringifyNumbers: model.hasura.stringifyNumericTypes }
  const sample = (seed: number) => (cols ? sampleRow(cols, seed, new Date(), rows) : {})
  const fill = (given: unknown, base: Record<string, unknown>, flag: string): unknown => {
    if (given === undefined) return base
    if (!cols || given === null || typeof given !== 'object' || Array.isArray(given)) return given
    const known = new Set(cols.map((col) => col.name))
    const unknown = Object.keys(given).filter((k) => !known.has(k))
    if (unknown.length > 0) {
      warn(
        `${flag}: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a column' : 'are not columns'} of ${trigger.table.schema}.${trigger.table.name}`,
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
        ? changedRow(oldRow as Record<string, unknown>, cols, spec?.columns ?? '*', new Date(), rows)
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
    sessionVariables: input.session ?? null,
  }) as unknown as Record<string, unknown>
  const headers = headersWarned(trigger.headers, env.values, warn)
  return { url, body, headers, timeoutSec: trigger.retry.timeoutSec, op }
}

/** A cron's body (docs/hasura-compatibility.md "Cron triggers"): `{id, name, scheduled_time, payload, comment?}`. */
export async function syntheticCronRequest(
  s: Session,
  cron: ModelCron,
  input: { to?: string },
  warn: (message: string) => void,
): Promise<SyntheticRequest> {
  const { model, env } = s.project
  const url = input.to ?? targetUrl(cron, model, env.values, 'cron')
  if (input.to === undefined) await checkReachableHost(url, model)
  const body: Record<string, unknown> = {
    id: crypto.randomUUID(),
    name: cron.name,
    scheduled_time: new Date().toISOString(),
    payload: cron.payload ?? null,
  }
  if (cron.comment !== undefined) body.comment = cron.comment
  const headers = headersWarned(cron.headers, env.values, warn)
  return { url, body, headers, timeoutSec: cron.retry.timeoutSec, op: 'cron' }
}

function headersWarned(
  headers: Header[],
  env: Record<string, string | undefined>,
  warn: (message: string) => void,
): ReturnType<typeof resolveHeaders> {
  const resolved = resolveHeaders(headers, env)
  for (const m of resolved.missing) warn(`header ${m.header}: ${m.env} is not set locally; sent without it`)
  return resolved
}
