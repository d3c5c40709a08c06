import { maskUrlCredentials } from '../config/url-credentials.js'
import type { Context, GlobalOptions } from '../context.js'
import { print } from '../context.js'
import { UserError } from '../errors.js'
import { redeliverAll, redeliverReason, runBounded, waitForMany, waitForOutcome } from '../events/bulk.js'
import { collectCronEvents, collectEvents, type Window } from '../events/log.js'
import {
  type FoundEvent,
  findEvent,
  guarded,
  openSession,
  resolveTarget,
  type Session,
} from '../events/lookup.js'
import { followOneOffs, outcomeLine } from '../events/one-off.js'
import { bodyFromEvent } from '../events/payload.js'
import { postEvent } from '../events/post.js'
import { maskHeaderRecord } from '../events/secrets.js'
import { resolveHeaders } from '../events/target.js'
import { parseTimeBound, shortTime } from '../events/time.js'
import { type CronTriggerInfo, hasuraCode, type ScheduledEvent } from '../hasura/events-api.js'
import { emitCronTrigger } from '../metadata/emit.js'
import type { Header } from '../model/types.js'
import { createProgress } from '../output/progress.js'
import { remoteLine, remoteText } from '../output/remote-text.js'
import { colors } from '../output/report.js'
import { parseCount } from './events.js'

export interface ReplayOptions extends GlobalOptions {
  eventId?: string
  /** follow the redelivery until it is delivered or fails */
  wait?: boolean
  /** seconds --wait waits (default 120) */
  timeout?: string | number
  /** post the stored body to this URL instead of asking Hasura */
  to?: string
  failed?: boolean
  trigger?: string
  since?: string
  until?: string
  limit?: string | number
  concurrency?: string | number
  dryRun?: boolean
  yes?: boolean
  json?: boolean
  /** with --to: print the handler's answer whole instead of cut */
  full?: boolean
}

const CRON_NOTE =
  'Hasura cannot redeliver a cron event: it is replayed as a one-off scheduled event with the same webhook, headers and payload (its body carries created_at instead of name)'

export async function replay(opts: ReplayOptions, ctx: Context): Promise<number> {
  return guarded(ctx, () => replayCommand(opts, ctx))
}

async function replayCommand(opts: ReplayOptions, ctx: Context): Promise<number> {
  if (opts.failed && opts.eventId !== undefined) {
    throw new UserError(`give an event id or --failed, not both`, {
      hint: `nself-hooks replay ${opts.eventId}, or nself-hooks replay --failed --trigger <name>`,
    })
  }
  if (opts.failed || (opts.trigger !== undefined && opts.eventId === undefined)) return replayBulk(opts, ctx)
  if (!opts.eventId) {
    throw new UserError('replay needs an event id, or --failed --trigger <name>', {
      hint: 'nself-hooks replay <event-id>, or nself-hooks replay --failed --trigger user_created --since 24h',
    })
  }
  const s = await openSession(opts, ctx)
  if (opts.to !== undefined) return replayTo(s, opts.eventId, opts.to, opts)
  return replayOne(s, opts.eventId, opts)
}

// ---- one event through Hasura ----------------------------------------------------------------------

async function replayOne(s: Session, id: string, opts: ReplayOptions): Promise<number> {
  const c = colors(s.ctx)
  let trigger: string | undefined
  try {
    await s.api.redeliver(id)
  } catch (err) {
    const code = hasuraCode(err)
    if (code === 'busy') {
      throw new UserError(
        `event ${id} is being delivered right now (Hasura locked it less than 30 minutes ago)`,
        {
          hint: `wait for the attempt to finish (nself-hooks events show ${id}), then replay again`,
          cause: err,
        },
      )
    }
    if (code !== 'not-exists') throw err
    const found = await findEvent(s, id)
    if (found?.kind === 'cron') return replayCronEvents(s, found.cron, [found.event], opts)
    if (found?.kind === 'one_off') throw oneOffRefused(id)
    throw new UserError(`no event with id ${id} on ${s.project.model.hasura.endpoint}`, {
      hint: `list event ids with nself-hooks events <trigger> (source ${s.project.model.hasura.source})`,
      cause: err,
    })
  }
  const wait = opts.wait ? await waitForOutcome(s.api, id, { timeoutMs: timeoutMs(opts) }) : undefined
  if (!opts.wait) {
    const ev = await s.api.eventById(id, 1).catch(() => undefined)
    trigger = ev?.event.trigger_name
  }
  if (opts.json) {
    print(
      s.ctx,
      JSON.stringify(
        { event_id: id, redelivered: true, ...(opts.wait ? { outcome: wait ?? 'timeout' } : {}) },
        null,
        2,
      ),
    )
    return opts.wait && wait?.status !== 'delivered' ? 1 : 0
  }
  print(s.ctx, `${c.green('✓')} event ${id} queued for redelivery${trigger ? ` (trigger ${trigger})` : ''}`)
  if (!opts.wait) {
    print(s.ctx, c.dim(`follow it with nself-hooks events show ${id}, or replay with --wait`))
    return 0
  }
  if (!wait) {
    print(
      s.ctx,
      `${c.yellow('…')} still pending after ${timeoutMs(opts) / 1000}s; follow it with nself-hooks events show ${id}`,
    )
    return 1
  }
  const http = wait.httpStatus === undefined ? '' : ` HTTP ${wait.httpStatus},`
  const attempts = `${wait.tries} attempt${wait.tries === 1 ? '' : 's'}`
  if (wait.status === 'delivered') {
    print(s.ctx, `${c.green('✓')} delivered:${http} ${attempts}`)
    return 0
  }
  print(s.ctx, `${c.red('✗')} failed:${http} ${attempts}; see nself-hooks events show ${id}`)
  return 1
}

function timeoutMs(opts: ReplayOptions): number {
  return parseCount(opts.timeout, '--timeout', 120) * 1000
}

// ---- one event to a local handler -------------------------------------------------------------------

async function replayTo(s: Session, id: string, to: string, opts: ReplayOptions): Promise<number> {
  const found = await findEvent(s, id)
  if (!found) {
    throw new UserError(`no event with id ${id} on ${s.project.model.hasura.endpoint}`, {
      hint: 'list event ids with nself-hooks events <trigger>',
    })
  }
  if (found.kind === 'one_off') throw oneOffRefused(id)
  const { body, headers, label, timeoutSec } = storedRequest(s, found)
  const resolved = resolveHeaders(headers, s.project.env.values)
  for (const m of resolved.missing) {
    s.ctx.stderr.write(
      `${colors(s.ctx).yellow('warning')} header ${m.header} takes its value from ${m.env}, which is not set locally: sent without it\n`,
    )
  }
  const res = await postEvent(to, body, resolved.headers, timeoutSec)
  return printPostResult(s, {
    to,
    label,
    res,
    fromEnv: resolved.fromEnv,
    json: opts.json,
    full: opts.full,
    body,
  })
}

/** The request Hasura made for a stored event: the body rebuilt from the log, the configured headers. */
function storedRequest(
  s: Session,
  found: Exclude<FoundEvent, { kind: 'one_off' }>,
): { body: unknown; headers: Header[]; label: string; timeoutSec: number } {
  const { model } = s.project
  if (found.kind === 'cron') {
    const cron = model.crons.find((c) => c.name === found.cron)
    const body: Record<string, unknown> = {
      id: found.event.id,
      name: found.cron,
      scheduled_time: found.event.scheduled_time,
      payload: cron?.payload ?? null,
    }
    if (cron?.comment !== undefined) body.comment = cron.comment
    return {
      body,
      headers: cron?.headers ?? [],
      label: `cron ${found.cron}`,
      timeoutSec: cron?.retry.timeoutSec ?? 60,
    }
  }
  const { event, invocations } = found.data
  const trigger = model.triggers.find((t) => t.name === event.trigger_name)
  // what Hasura itself logged as sent wins for max_retries (the server's retry_conf)
  const sent = invocations
    .map(
      (i) =>
        (i.request as { payload?: { delivery_info?: { max_retries?: unknown } } } | null)?.payload
          ?.delivery_info,
    )
    .find((d) => typeof d?.max_retries === 'number')
  const maxRetries = (sent?.max_retries as number | undefined) ?? trigger?.retry.numRetries ?? 0
  if (!trigger) {
    s.ctx.stderr.write(
      `${colors(s.ctx).yellow('warning')} trigger ${event.trigger_name} is not in webhooks.config.ts: sent without its headers\n`,
    )
  }
  return {
    body: bodyFromEvent(event, maxRetries, 0),
    headers: trigger?.headers ?? [],
    label: `trigger ${event.trigger_name}`,
    timeoutSec: trigger?.retry.timeoutSec ?? 60,
  }
}

export function printPostResult(
  s: Session,
  r: {
    to: string
    label: string
    res: { status: number; headers: Record<string, string>; body: string; ms: number }
    fromEnv: Set<string>
    json: boolean | undefined
    full: boolean | undefined
    body: unknown
  },
): number {
  const ok = r.res.status >= 200 && r.res.status < 300
  if (r.json) {
    print(
      s.ctx,
      JSON.stringify(
        {
          url: maskUrlCredentials(r.to),
          sent: r.body,
          status: r.res.status,
          ok,
          ms: r.res.ms,
          response: { headers: maskHeaderRecord(r.res.headers, r.fromEnv), body: r.res.body },
        },
        null,
        2,
      ),
    )
    return ok ? 0 : 1
  }
  const c = colors(s.ctx)
  const id = (r.body as { id?: string }).id
  print(s.ctx, `→ POST ${maskUrlCredentials(r.to)}  (${r.label}, event ${id})`)
  print(
    s.ctx,
    `${ok ? c.green('←') : c.red('←')} HTTP ${r.res.status} in ${r.res.ms} ms${ok ? '' : ' (Hasura would count this as a failure: only 2xx is success)'}`,
  )
  // the handler's answer is the remote's text: shown, never acted on by the terminal
  if (r.res.body) print(s.ctx, remoteText(r.res.body, { full: r.full, redact: s.redact }))
  return ok ? 0 : 1
}

// ---- bulk ---------------------------------------------------------------------------------------------

async function replayBulk(opts: ReplayOptions, ctx: Context): Promise<number> {
  if (!opts.trigger) {
    throw new UserError('replay --failed needs --trigger <name>', {
      hint: 'nself-hooks replay --failed --trigger user_created --since 24h',
    })
  }
  if (!opts.failed) {
    throw new UserError('replay --trigger replays failed events only: add --failed', {
      hint: `nself-hooks replay --failed --trigger ${opts.trigger}`,
    })
  }
  if (opts.to !== undefined) {
    throw new UserError('--to replays one event: give its id', {
      hint: 'nself-hooks replay <event-id> --to <url>',
    })
  }
  const window: Window = {}
  if (opts.since !== undefined) window.since = parseTimeBound(opts.since, '--since')
  if (opts.until !== undefined) window.until = parseTimeBound(opts.until, '--until')
  const limit = opts.limit === undefined ? undefined : parseCount(opts.limit, '--limit', 1)
  const concurrency = parseCount(opts.concurrency, '--concurrency', 10)
  const s = await openSession(opts, ctx)
  const c = colors(s.ctx)
  const target = await resolveTarget(s, opts.trigger)
  const range = windowText(window)

  if (target.kind === 'cron') {
    const list = await collectCronEvents(s.api, target.name, {
      ...window,
      status: 'failed',
      ...(limit ? { limit } : {}),
    })
    if (
      !(await confirmBulk(
        s,
        opts,
        list.length,
        `cron ${target.name}`,
        range,
        list.map((e) => [e.id, e.scheduled_time, e.tries]),
      ))
    )
      return list.length === 0 || opts.dryRun ? 0 : 1
    return replayCronEvents(s, target.name, list, opts, concurrency)
  }

  const list = await collectEvents(s.api, target.name, {
    ...window,
    status: 'failed',
    ...(limit ? { limit } : {}),
  })
  if (
    !(await confirmBulk(
      s,
      opts,
      list.length,
      `trigger ${target.name}`,
      range,
      list.map((e) => [e.id, e.created_at, e.tries]),
    ))
  )
    return list.length === 0 || opts.dryRun ? 0 : 1

  const started = Date.now()
  const progress = opts.json ? undefined : createProgress(s.ctx, list.length, 'redelivered')
  const results = await redeliverAll(
    s.api,
    list.map((e) => e.id),
    concurrency,
    (ok) => progress?.tick(ok),
  )
  progress?.done()
  const failed = results.filter((r) => !r.ok)
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  let outcome: Map<string, string> | undefined
  if (opts.wait) {
    const ok = results.filter((r) => r.ok).map((r) => r.id)
    outcome = await waitForMany(s.api, target.name, ok, { timeoutMs: timeoutMs(opts) })
  }
  const count = (st: string) => [...(outcome?.values() ?? [])].filter((v) => v === st).length
  if (opts.json) {
    print(
      s.ctx,
      JSON.stringify(
        {
          trigger: target.name,
          matched: list.length,
          redelivered: list.length - failed.length,
          failed: failed.map((f) => ({ id: f.id, reason: f.reason })),
          ...(outcome
            ? {
                outcome: {
                  delivered: count('delivered'),
                  failed: count('failed'),
                  pending: count('pending'),
                },
              }
            : {}),
        },
        null,
        2,
      ),
    )
  } else {
    const mark = failed.length === 0 ? c.green('✓') : c.red('✗')
    print(
      s.ctx,
      `${mark} redelivered ${list.length - failed.length} of ${list.length} events of trigger ${target.name} in ${seconds}s (concurrency ${concurrency})`,
    )
    for (const f of failed.slice(0, 10))
      print(s.ctx, `  ${c.red('✗')} ${f.id}: ${remoteLine(String(f.reason))}`)
    if (failed.length > 10) print(s.ctx, `  … and ${failed.length - 10} more`)
    if (outcome) {
      print(
        s.ctx,
        `after delivery: ${count('delivered')} delivered, ${count('failed')} failed again, ${count('pending')} still pending`,
      )
    } else if (failed.length < list.length) {
      print(
        s.ctx,
        c.dim(
          `Hasura delivers them in the background; check with nself-hooks events ${target.name} --status failed`,
        ),
      )
    }
  }
  return failed.length > 0 || (outcome !== undefined && (count('failed') > 0 || count('pending') > 0)) ? 1 : 0
}

function windowText(w: Window): string {
  const f = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 19)
  if (w.since && w.until) return ` between ${f(w.since)} and ${f(w.until)} UTC`
  if (w.since) return ` since ${f(w.since)} UTC`
  if (w.until) return ` until ${f(w.until)} UTC`
  return ''
}

/** Shows what matched and asks; false when nothing should be sent (none, dry run, declined). */
async function confirmBulk(
  s: Session,
  opts: ReplayOptions,
  n: number,
  what: string,
  range: string,
  sample: [string, string, number][],
): Promise<boolean> {
  const c = colors(s.ctx)
  const head = `${n} failed event${n === 1 ? '' : 's'} of ${what}${range}`
  if (n === 0) {
    if (opts.json)
      print(s.ctx, JSON.stringify({ target: what, matched: 0, redelivered: 0, failed: [] }, null, 2))
    else print(s.ctx, `no failed events of ${what}${range}: nothing to replay`)
    return false
  }
  if (opts.dryRun) {
    if (opts.json) {
      print(
        s.ctx,
        JSON.stringify(
          {
            target: what,
            matched: n,
            dryRun: true,
            events: sample.map(([id, at, tries]) => ({ id, at, tries })),
          },
          null,
          2,
        ),
      )
      return false
    }
    print(s.ctx, head)
    for (const [id, at, tries] of sample.slice(0, 20))
      print(s.ctx, `  ${id}  ${shortTime(at)}  ${tries} attempt${tries === 1 ? '' : 's'}`)
    if (n > 20) print(s.ctx, `  … and ${n - 20} more`)
    print(s.ctx, c.dim('dry run: nothing was redelivered'))
    return false
  }
  if (!opts.json) print(s.ctx, head)
  if (opts.yes) return true
  if (!s.ctx.confirm) {
    throw new UserError(
      `refusing to redeliver ${n} events without confirmation: there is no terminal to ask on`,
      {
        hint: 'pass --yes to confirm, or --dry-run to only list them',
      },
    )
  }
  const yes = await s.ctx.confirm(`Redeliver ${n} event${n === 1 ? '' : 's'}?`)
  if (!yes) print(s.ctx, 'nothing was redelivered')
  return yes
}

// ---- crons --------------------------------------------------------------------------------------------

async function replayCronEvents(
  s: Session,
  cronName: string,
  events: ScheduledEvent[],
  opts: ReplayOptions,
  concurrency = 10,
): Promise<number> {
  const c = colors(s.ctx)
  const def = await cronDefinition(s, cronName)
  if (!opts.json) print(s.ctx, c.dim(CRON_NOTE))
  const progress =
    opts.json || events.length < 2 ? undefined : createProgress(s.ctx, events.length, 'scheduled')
  const created: { from: string; id: string }[] = []
  const results = await runBounded(
    events,
    concurrency,
    async (e) => {
      const args: Parameters<typeof s.api.createScheduledEvent>[0] = {
        webhook: def.webhook,
        schedule_at: new Date().toISOString(),
        payload: def.payload ?? null,
        comment: `nself-hooks replay of cron ${cronName} event ${e.id} (scheduled ${e.scheduled_time})`,
      }
      if (def.headers && def.headers.length > 0) args.headers = def.headers
      if (def.retry_conf) args.retry_conf = def.retry_conf
      created.push({ from: e.id, id: await s.api.createScheduledEvent(args) })
    },
    (_e, ok) => progress?.tick(ok),
  )
  progress?.done()
  const failed = results.filter((r) => !r.ok)
  const report = {
    cron: cronName,
    matched: events.length,
    scheduled: created,
    failed: failed.map((f) => ({ id: f.item.id, reason: redeliverReason(f.err) })),
    note: CRON_NOTE,
  }
  if (opts.json && !(opts.wait && created.length > 0)) print(s.ctx, JSON.stringify(report, null, 2))
  if (!opts.json) {
    for (const x of created.slice(0, 10))
      print(s.ctx, `${c.green('✓')} cron event ${x.from} → one-off scheduled event ${x.id}`)
    if (created.length > 10) print(s.ctx, `  … and ${created.length - 10} more`)
    for (const f of failed.slice(0, 10))
      print(s.ctx, `${c.red('✗')} ${remoteLine(f.item.id)}: ${remoteLine(redeliverReason(f.err))}`)
    if (events.length > 1)
      print(s.ctx, `replayed ${created.length} of ${events.length} events of cron ${cronName}`)
  }
  if (opts.wait && created.length > 0) {
    const outcomes = await followOneOffs(
      s.api,
      created.map((x) => x.id),
      timeoutMs(opts),
    )
    const bad = outcomes.filter((o) => o.status !== 'delivered').length
    if (opts.json) print(s.ctx, JSON.stringify({ ...report, outcomes }, null, 2))
    else {
      for (const o of outcomes)
        print(s.ctx, `${o.status === 'delivered' ? c.green('✓') : c.red('✗')} ${remoteLine(outcomeLine(o))}`)
      print(s.ctx, `after delivery: ${outcomes.length - bad} delivered, ${bad} not delivered`)
    }
    return bad > 0 || failed.length > 0 ? 1 : 0
  }
  if (!opts.json && created.length > 0)
    print(s.ctx, c.dim(`follow it with nself-hooks events show ${created[0]!.id}, or replay with --wait`))
  return failed.length > 0 ? 1 : 0
}

function oneOffRefused(id: string): UserError {
  return new UserError(`event ${id} is a one-off scheduled event: Hasura cannot redeliver it`, {
    hint: `see what became of it with nself-hooks events show ${id}; replay the cron event it came from instead`,
  })
}

/** The cron as the server has it (what Hasura would send), else as the config describes it. */
async function cronDefinition(s: Session, name: string): Promise<CronTriggerInfo> {
  const server = (await s.api.cronTriggers()).find((x) => x.name === name)
  if (server) return server
  const local = s.project.model.crons.find((x) => x.name === name)
  if (!local) throw new UserError(`no cron trigger ${name} on the server or in webhooks.config.ts`)
  return JSON.parse(JSON.stringify(emitCronTrigger(local))) as CronTriggerInfo
}
