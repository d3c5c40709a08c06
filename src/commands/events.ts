import type { Context, GlobalOptions } from '../context.js'
import { print } from '../context.js'
import { UserError } from '../errors.js'
import { eventLine, followEvents, managedTargets, recentEvents } from '../events/all.js'
import { type EventDetail, eventDetail } from '../events/detail.js'
import { type EventList, listEvents } from '../events/list.js'
import { type DeliveryStatus, eventStatus } from '../events/log.js'
import { guarded, openSession, resolveTarget, type Session } from '../events/lookup.js'
import { parseCount, parseStatus, STATUSES } from '../events/options.js'
import { resolveEventId } from '../events/prefix.js'
import { parseTimeBound, shortTime } from '../events/time.js'
import { stringifyExact } from '../output/exact-json.js'
import { printJson } from '../output/json.js'
import { remoteLine, remoteText, visible } from '../output/remote-text.js'
import { colors, printWarnings } from '../output/report.js'
import { plural } from '../output/text.js'

export interface EventsOptions extends GlobalOptions {
  trigger?: string
  status?: string
  since?: string | Date
  limit?: string | number
  json?: boolean
  /** print new events as they come, until Ctrl-C */
  follow?: boolean
  /** stops --follow (tests); without it, SIGINT / SIGTERM do */
  signal?: AbortSignal
}

export interface EventsShowOptions extends GlobalOptions {
  eventId?: string
  json?: boolean
  /** print response bodies whole instead of cut */
  full?: boolean
}

export async function events(opts: EventsOptions, ctx: Context): Promise<number> {
  return guarded(ctx, () => eventsCommand(opts, ctx))
}

async function eventsCommand(opts: EventsOptions, ctx: Context): Promise<number> {
  if (!opts.trigger || opts.follow) return allEvents(opts, ctx)
  const status = parseStatus(opts.status)
  const limit = parseCount(opts.limit, '--limit', 20)
  const since = opts.since === undefined ? undefined : parseTimeBound(opts.since, '--since')
  const s = await openSession(opts, ctx)
  printWarnings(s.ctx, s.project.warnings)
  const list = await listEvents(s, { trigger: opts.trigger, status, since, limit })
  if (opts.json) {
    printJson(s.ctx, { trigger: list.trigger, kind: list.kind, events: list.events })
    return 0
  }
  printEventTable(s, list, { status, since, limit })
  return 0
}

/** `events` without a name (every managed trigger and cron, newest first) and `events --follow`. */
async function allEvents(opts: EventsOptions, ctx: Context): Promise<number> {
  const status = parseStatus(opts.status)
  const limit = parseCount(opts.limit, '--limit', 20)
  const since = opts.since === undefined ? undefined : parseTimeBound(opts.since, '--since')
  const s = await openSession(opts, ctx)
  const targets = opts.trigger ? [await resolveTarget(s, opts.trigger)] : managedTargets(s)
  if (targets.length === 0)
    throw new UserError('the config has no triggers or crons to list events of', {
      hint: 'nself-hooks events <name> lists a trigger the server has',
    })
  if (!opts.follow || !opts.json) {
    const rows = await recentEvents(s, targets, { ...(since ? { since } : {}), status, limit })
    if (opts.json) print(s.ctx, stringifyExact({ events: rows }, 2))
    else if (rows.length === 0) print(s.ctx, 'no events yet')
    else for (const r of rows) print(s.ctx, eventLine(s, r))
  }
  if (!opts.follow) return 0
  const stop = new AbortController()
  const done = () => stop.abort()
  if (opts.signal) opts.signal.addEventListener('abort', done, { once: true })
  else {
    process.once('SIGINT', done)
    process.once('SIGTERM', done)
  }
  try {
    await followEvents(s, targets, { json: Boolean(opts.json), signal: stop.signal })
  } finally {
    process.off('SIGINT', done)
    process.off('SIGTERM', done)
  }
  return 0
}

function printEventTable(
  s: Session,
  { trigger: name, kind, events: rows }: EventList,
  f: { status: DeliveryStatus | undefined; since: Date | undefined; limit: number },
) {
  const c = colors(s.ctx)
  const filters = [
    f.status,
    f.since ? `since ${f.since.toISOString().replace('T', ' ').slice(0, 19)}` : undefined,
  ]
    .filter(Boolean)
    .join(', ')
  if (rows.length === 0) {
    print(
      s.ctx,
      `no ${f.status ?? ''}${f.status ? ' ' : ''}events for ${kind} ${name}${f.since ? ` ${filters}` : ''}`,
    )
    return
  }
  const header = [
    'ID',
    'OP',
    kind === 'cron' ? 'SCHEDULED (UTC)' : 'CREATED (UTC)',
    'STATUS',
    'ATTEMPTS',
    'LAST HTTP',
  ]
  const cells = rows.map((r) => [
    remoteLine(r.id),
    remoteLine(r.op),
    shortTime(r.created_at),
    r.status,
    String(r.attempts),
    r.last_http_status === null ? '-' : String(r.last_http_status),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)))
  const pad = (cols: string[]) =>
    cols
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  print(s.ctx, c.bold(pad(header)))
  const paint = (st: string, text: string) =>
    st === 'failed' ? c.red(text) : st === 'delivered' ? c.green(text) : c.yellow(text)
  for (const row of cells) {
    const line = pad(row)
    print(s.ctx, paint(row[3]!, line))
  }
  const counts = STATUSES.map((st) => `${rows.filter((r) => r.status === st).length} ${st}`).join(', ')
  const more = rows.length >= f.limit ? ` (newest ${f.limit}; --limit for more)` : ''
  print(s.ctx, c.dim(`${plural(rows.length, 'event')}: ${counts}${more}`))
}

export async function eventsShow(opts: EventsShowOptions, ctx: Context): Promise<number> {
  return guarded(ctx, () => eventsShowCommand(opts, ctx))
}

async function eventsShowCommand(opts: EventsShowOptions, ctx: Context): Promise<number> {
  if (!opts.eventId) {
    throw new UserError('events show needs an event id', {
      hint: 'list ids with nself-hooks events <trigger>',
    })
  }
  const s = await openSession(opts, ctx)
  printWarnings(s.ctx, s.project.warnings)
  const found = await eventDetail(s, await resolveEventId(s, opts.eventId))
  if (!found) {
    throw new UserError(`no event with id ${opts.eventId} on the server`, {
      hint: 'list ids with nself-hooks events <trigger>; events are looked up in the configured source',
    })
  }
  if (opts.json) {
    printJson(s.ctx, detailJson(found))
    return 0
  }
  printDetail(s, found, opts.full)
  return 0
}

/** The JSON of `events show`: the detail without the cron's configured payload. */
function detailJson(found: EventDetail): Record<string, unknown> {
  if (found.kind === 'cron') {
    const { kind, cron, event, status, invocations } = found
    return { kind, cron, event, status, invocations }
  }
  if (found.kind === 'one_off') {
    const { kind, event, status, invocations } = found
    return { kind, event, status, invocations }
  }
  const { kind, event, status, invocations } = found
  return { kind, event, status, invocations }
}

function printDetail(s: Session, found: EventDetail, full: boolean | undefined) {
  const c = colors(s.ctx)
  if (found.kind === 'cron') {
    const ev = found.event
    print(s.ctx, `${c.bold('event')} ${remoteLine(ev.id)}  cron ${remoteLine(found.cron)}`)
    print(
      s.ctx,
      `scheduled ${remoteLine(shortTime(ev.scheduled_time))}  status ${found.status} (${remoteLine(String(ev.status))})  attempts ${ev.tries}`,
    )
    if (found.payload !== undefined) print(s.ctx, `${c.bold('payload')}\n${indent(json(found.payload))}`)
    printInvocations(s, found.invocations, { full, redact: s.redact })
    return
  }
  if (found.kind === 'one_off') {
    const ev = found.event
    print(s.ctx, `${c.bold('event')} ${remoteLine(ev.id)}  one-off scheduled event`)
    if (ev.comment) print(s.ctx, remoteLine(ev.comment))
    print(
      s.ctx,
      `scheduled ${remoteLine(shortTime(ev.scheduled_time))}  status ${found.status} (${remoteLine(ev.status)})  attempts ${ev.tries}`,
    )
    if (ev.payload !== undefined) print(s.ctx, `${c.bold('payload')}\n${indent(json(ev.payload))}`)
    printInvocations(s, found.invocations, { full, redact: s.redact })
    return
  }
  const { event } = found
  const op = String((event.payload as { op?: unknown } | null)?.op ?? '?')
  print(
    s.ctx,
    `${c.bold('event')} ${remoteLine(event.id)}  trigger ${remoteLine(event.trigger_name)} on ${remoteLine(`${event.schema_name}.${event.table_name}`)}`,
  )
  print(
    s.ctx,
    `op ${remoteLine(op)}  created ${remoteLine(shortTime(event.created_at))}  status ${eventStatus(event)}  attempts ${event.tries}${event.archived ? '  (archived)' : ''}`,
  )
  print(s.ctx, `${c.bold('payload')}\n${indent(json(event.payload))}`)
  printInvocations(s, found.invocations, { shownPayload: event.payload, full, redact: s.redact })
}

type Cut = { full: boolean | undefined; redact: (text: string) => string }

function printInvocations(
  s: Session,
  invocations: Record<string, unknown>[],
  o: { shownPayload?: unknown } & Cut,
) {
  const c = colors(s.ctx)
  if (invocations.length === 0) {
    print(s.ctx, c.dim('no invocations yet'))
    return
  }
  // oldest first reads like a story: attempt 1, 2, ...
  const ordered = [...invocations].sort((a, b) =>
    String(a.created_at ?? '').localeCompare(String(b.created_at ?? '')),
  )
  ordered.forEach((inv, i) => {
    const status = remoteLine(String(inv.http_status ?? inv.status ?? '-'))
    print(
      s.ctx,
      `${c.bold(`invocation ${i + 1}`)}  ${remoteLine(shortTime(inv.created_at as string))}  HTTP ${status}  (${remoteLine(String(inv.id))})`,
    )
    print(s.ctx, `  request\n${indent(requestText(inv.request, o.shownPayload), 4)}`)
    print(s.ctx, `  response\n${indent(responseText(inv.response, o), 4)}`)
  })
}

/**
 * Stored data as indented JSON. JSON escapes C0 controls already; `visible` also catches DEL, C1
 * and the bidirectional marks it leaves as they are.
 */
function json(value: unknown): string {
  return visible(value === undefined ? String(value) : stringifyExact(value, 2), { multiline: true })
}

/** Hasura logs `{payload, headers, version}`; the payload printed above is not repeated. */
function requestText(request: unknown, shownPayload: unknown): string {
  const r = request as { payload?: Record<string, unknown>; headers?: unknown[] } | null
  if (!r || typeof r !== 'object' || !r.payload) return json(request)
  const lines: string[] = []
  for (const h of r.headers ?? []) {
    const x = h as { name?: string; value?: string; value_from_env?: string }
    const value = x.value_from_env !== undefined ? `(from env ${x.value_from_env})` : String(x.value)
    lines.push(remoteLine(`${x.name}: ${value}`))
  }
  const { event, delivery_info, ...rest } = r.payload
  if (shownPayload !== undefined && stringifyExact(event) === stringifyExact(shownPayload)) {
    lines.push(`body: the payload above, with delivery_info ${visible(stringifyExact(delivery_info))}`)
    const other = Object.keys(rest).filter((k) => !['id', 'table', 'trigger', 'created_at'].includes(k))
    if (other.length > 0) lines.push(json(Object.fromEntries(other.map((k) => [k, rest[k]]))))
  } else lines.push(`body: ${json(r.payload)}`)
  return lines.join('\n')
}

/**
 * `{type: webhook_response|client_error, data: {status?, body?, headers?, message?}}`. Everything
 * here was written by the webhook or the network: made visible, and the body cut unless --full.
 */
function responseText(response: unknown, cut: Cut): string {
  const r = response as { type?: string; data?: Record<string, unknown> } | null
  if (!r || typeof r !== 'object' || !r.data) return json(response)
  const lines: string[] = []
  if (r.type) lines.push(`type: ${remoteLine(String(r.type))}`)
  const { headers, body, message, ...rest } = r.data
  if (Array.isArray(headers)) {
    for (const h of headers as { name?: string; value?: string }[])
      lines.push(remoteLine(`${h.name}: ${h.value}`))
  } else if (headers && typeof headers === 'object') {
    for (const [n, v] of Object.entries(headers)) lines.push(remoteLine(`${n}: ${String(v)}`))
  }
  for (const [k, v] of Object.entries(rest))
    lines.push(remoteLine(`${k}: ${typeof v === 'string' ? v : stringifyExact(v)}`))
  if (message !== undefined)
    lines.push(
      `message: ${remoteText(typeof message === 'string' ? message : stringifyExact(message, 2), cut)}`,
    )
  if (body !== undefined)
    lines.push(`body: ${remoteText(typeof body === 'string' ? body : stringifyExact(body, 2), cut)}`)
  return lines.join('\n')
}

function indent(text: string, n = 2): string {
  const pad = ' '.repeat(n)
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n')
}
