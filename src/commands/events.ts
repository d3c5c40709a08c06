import type { Context, GlobalOptions } from '../context.js'
import { print } from '../context.js'
import { UserError } from '../errors.js'
import { eventDetail } from '../events/detail.js'
import { collectCronEvents, collectEvents, type DeliveryStatus, eventStatus } from '../events/log.js'
import { guarded, openSession, resolveTarget, type Session } from '../events/lookup.js'
import { type EventSummary, summarizeCronEvents, summarizeEvents } from '../events/summary.js'
import { parseTimeBound, shortTime } from '../events/time.js'
import { remoteLine, remoteText, visible } from '../output/remote-text.js'
import { colors } from '../output/report.js'

export interface EventsOptions extends GlobalOptions {
  trigger?: string
  status?: string
  since?: string
  limit?: string | number
  json?: boolean
}

export interface EventsShowOptions extends GlobalOptions {
  eventId?: string
  json?: boolean
  /** print response bodies whole instead of cut */
  full?: boolean
}

const STATUSES: DeliveryStatus[] = ['pending', 'delivered', 'failed']

export function parseStatus(value: string | undefined): DeliveryStatus | undefined {
  if (value === undefined) return undefined
  if ((STATUSES as string[]).includes(value)) return value as DeliveryStatus
  throw new UserError(`--status ${value} is not one of ${STATUSES.join(', ')}`, {
    hint: 'use --status pending, --status delivered or --status failed',
  })
}

export function parseCount(value: string | number | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback
  const n = typeof value === 'number' ? value : Number(value)
  if (!Number.isInteger(n) || n <= 0) {
    throw new UserError(`${flag} ${value} is not a positive whole number`, { hint: `for example ${flag} 50` })
  }
  return n
}

export async function events(opts: EventsOptions, ctx: Context): Promise<number> {
  return guarded(ctx, () => eventsCommand(opts, ctx))
}

async function eventsCommand(opts: EventsOptions, ctx: Context): Promise<number> {
  if (!opts.trigger) {
    throw new UserError('which trigger? events needs a trigger or cron name', {
      hint: 'nself-hooks events user_created, or nself-hooks events show <event-id>',
    })
  }
  const status = parseStatus(opts.status)
  const limit = parseCount(opts.limit, '--limit', 20)
  const since = opts.since === undefined ? undefined : parseTimeBound(opts.since, '--since')
  const s = await openSession(opts, ctx)
  const target = await resolveTarget(s, opts.trigger)
  const window = since ? { since } : {}

  let rows: EventSummary[]
  if (target.kind === 'cron') {
    // Hasura keeps ~100 future events per cron: those have not happened yet, so they are not listed
    const list = await collectCronEvents(s.api, target.name, {
      ...window,
      until: new Date(),
      ...(status ? { status } : {}),
      limit,
    })
    rows = await summarizeCronEvents(s.api, list)
  } else {
    const list = await collectEvents(s.api, target.name, { ...window, ...(status ? { status } : {}), limit })
    rows = await summarizeEvents(s.api, list)
    if (list.length === 0 && !target.trigger && !(await serverHasTrigger(s, target.name))) {
      // a typo in a script must not pass as "no events"
      const known = [...s.project.model.triggers, ...s.project.model.crons].map((t) => t.name)
      throw new UserError(
        `no event trigger or cron named "${target.name}" in webhooks.config.ts or on the server`,
        {
          hint: known.length
            ? `the config has: ${known.join(', ')}`
            : 'check the name with nself-hooks diff --against server',
        },
      )
    }
  }

  if (opts.json) {
    print(s.ctx, JSON.stringify({ trigger: target.name, kind: target.kind, events: rows }, null, 2))
    return 0
  }
  printEventTable(s, target.name, target.kind, rows, { status, since, limit })
  return 0
}

function printEventTable(
  s: Session,
  name: string,
  kind: 'trigger' | 'cron',
  rows: EventSummary[],
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
  print(s.ctx, c.dim(`${rows.length} event${rows.length === 1 ? '' : 's'}: ${counts}${more}`))
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
  const found = await eventDetail(s, opts.eventId)
  if (!found) {
    throw new UserError(`no event with id ${opts.eventId} on the server`, {
      hint: 'list ids with nself-hooks events <trigger>; events are looked up in the configured source',
    })
  }
  const c = colors(s.ctx)
  if (found.kind === 'cron') {
    const out = {
      kind: 'cron',
      cron: found.cron,
      event: found.event,
      status: found.status,
      invocations: found.invocations,
    }
    if (opts.json) {
      print(s.ctx, JSON.stringify(out, null, 2))
      return 0
    }
    const ev = found.event
    print(s.ctx, `${c.bold('event')} ${remoteLine(ev.id)}  cron ${remoteLine(found.cron)}`)
    print(
      s.ctx,
      `scheduled ${remoteLine(shortTime(ev.scheduled_time))}  status ${out.status} (${remoteLine(String(ev.status))})  attempts ${ev.tries}`,
    )
    if (found.payload !== undefined) print(s.ctx, `${c.bold('payload')}\n${indent(json(found.payload))}`)
    printInvocations(s, out.invocations, { full: opts.full, redact: s.redact })
    return 0
  }
  if (found.kind === 'one_off') {
    const ev = found.event
    if (opts.json) {
      print(s.ctx, JSON.stringify(found, null, 2))
      return 0
    }
    print(s.ctx, `${c.bold('event')} ${remoteLine(ev.id)}  one-off scheduled event`)
    if (ev.comment) print(s.ctx, remoteLine(ev.comment))
    print(
      s.ctx,
      `scheduled ${remoteLine(shortTime(ev.scheduled_time))}  status ${found.status} (${remoteLine(ev.status)})  attempts ${ev.tries}`,
    )
    if (ev.payload !== undefined) print(s.ctx, `${c.bold('payload')}\n${indent(json(ev.payload))}`)
    printInvocations(s, found.invocations, { full: opts.full, redact: s.redact })
    return 0
  }
  const { event, invocations: maskedInvocations } = found
  if (opts.json) {
    print(
      s.ctx,
      JSON.stringify(
        { kind: 'trigger', event, status: found.status, invocations: maskedInvocations },
        null,
        2,
      ),
    )
    return 0
  }
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
  printInvocations(s, maskedInvocations, {
    shownPayload: event.payload,
    full: opts.full,
    redact: s.redact,
  })
  return 0
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
  return visible(JSON.stringify(value, null, 2) ?? String(value), { multiline: true })
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
  if (shownPayload !== undefined && JSON.stringify(event) === JSON.stringify(shownPayload)) {
    lines.push(`body: the payload above, with delivery_info ${visible(JSON.stringify(delivery_info) ?? '')}`)
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
    lines.push(remoteLine(`${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`))
  if (message !== undefined)
    lines.push(
      `message: ${remoteText(typeof message === 'string' ? message : JSON.stringify(message, null, 2), cut)}`,
    )
  if (body !== undefined)
    lines.push(`body: ${remoteText(typeof body === 'string' ? body : JSON.stringify(body, null, 2), cut)}`)
  return lines.join('\n')
}

function indent(text: string, n = 2): string {
  const pad = ' '.repeat(n)
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n')
}

/** A trigger made outside the config still has events worth listing: ask the server whether it exists. */
async function serverHasTrigger(s: Session, name: string): Promise<boolean> {
  const metadata = (await s.api.call('export_metadata', {})) as {
    sources?: { tables?: { event_triggers?: { name: string }[] }[] }[]
  }
  return (metadata.sources ?? []).some((src) =>
    (src.tables ?? []).some((t) => (t.event_triggers ?? []).some((et) => et.name === name)),
  )
}
