import type { Context, GlobalOptions } from '../context.js'
import { print } from '../context.js'
import { UserError } from '../errors.js'
import type { Window } from '../events/log.js'
import { guarded, openSession, type Session } from '../events/lookup.js'
import { outcomeLine } from '../events/one-off.js'
import { parseCount } from '../events/options.js'
import { resolveEventId } from '../events/prefix.js'
import {
  type BulkReplayResult,
  CRON_NOTE,
  type CronReplayResult,
  type FailedSelection,
  replayEvent,
  replayEventTo,
  replayFailed,
  selectFailed,
} from '../events/replay.js'
import { parseTimeBound, shortTime } from '../events/time.js'
import { printJson } from '../output/json.js'
import { printPosted, warner } from '../output/post-result.js'
import { createProgress } from '../output/progress.js'
import { remoteLine } from '../output/remote-text.js'
import { colors, printWarnings } from '../output/report.js'
import { plural } from '../output/text.js'

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
  printWarnings(s.ctx, s.project.warnings)
  const eventId = await resolveEventId(s, opts.eventId)
  if (opts.to !== undefined) {
    const posted = await replayEventTo(s, eventId, opts.to, warner(s.ctx))
    return printPosted(s.ctx, posted, { json: opts.json, full: opts.full, redact: s.redact })
  }
  const c = colors(s.ctx)
  const result = await replayEvent(s, eventId, { wait: opts.wait, timeoutMs: timeoutMs(opts) })
  if (result.kind === 'cron') return printCronReplay(s, result, opts)
  const id = result.event_id
  const outcome = result.waited?.outcome
  if (opts.json) {
    printJson(s.ctx, {
      event_id: id,
      redelivered: true,
      ...(result.waited ? { outcome: outcome ?? 'timeout' } : {}),
    })
    return result.waited && outcome?.status !== 'delivered' ? 1 : 0
  }
  print(
    s.ctx,
    `${c.green('✓')} event ${id} queued for redelivery${result.trigger ? ` (trigger ${result.trigger})` : ''}`,
  )
  if (!result.waited) {
    print(s.ctx, c.dim(`follow it with nself-hooks events show ${id}, or replay with --wait`))
    return 0
  }
  if (!outcome) {
    print(
      s.ctx,
      `${c.yellow('…')} still pending after ${timeoutMs(opts) / 1000}s; follow it with nself-hooks events show ${id}`,
    )
    return 1
  }
  const http = outcome.http_status === undefined ? '' : ` HTTP ${outcome.http_status},`
  const attempts = plural(outcome.tries, 'attempt')
  if (outcome.status === 'delivered') {
    print(s.ctx, `${c.green('✓')} delivered:${http} ${attempts}`)
    return 0
  }
  print(s.ctx, `${c.red('✗')} failed:${http} ${attempts}; see nself-hooks events show ${id}`)
  return 1
}

/** --timeout is read only when --wait uses it. */
function timeoutMs(opts: ReplayOptions): number {
  if (!opts.wait) return 0
  return parseCount(opts.timeout, '--timeout', 120) * 1000
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
  printWarnings(s.ctx, s.project.warnings)
  const sel = await selectFailed(s, opts.trigger, window, limit)
  if (!(await confirmBulk(s, opts, sel))) return sel.events.length === 0 || opts.dryRun ? 0 : 1

  const n = sel.events.length
  const cron = sel.target.kind === 'cron'
  if (cron && !opts.json) print(s.ctx, colors(s.ctx).dim(CRON_NOTE))
  const progress =
    opts.json || (cron && n < 2) ? undefined : createProgress(s.ctx, n, cron ? 'scheduled' : 'redelivered')
  const result = await replayFailed(s, sel, {
    concurrency,
    wait: opts.wait,
    timeoutMs: timeoutMs(opts),
    onDone: (ok) => progress?.tick(ok),
  })
  progress?.done()
  if (result.kind === 'cron') return printCronReplay(s, result, opts, { noted: true })
  return printBulk(s, result, opts)
}

function printBulk(
  s: Session,
  r: Extract<BulkReplayResult, { kind: 'trigger' }>,
  opts: ReplayOptions,
): number {
  const c = colors(s.ctx)
  const { outcome, failed } = r
  if (opts.json) {
    printJson(s.ctx, {
      trigger: r.trigger,
      matched: r.matched,
      redelivered: r.redelivered,
      failed,
      ...(outcome ? { outcome } : {}),
    })
  } else {
    const mark = failed.length === 0 ? c.green('✓') : c.red('✗')
    print(
      s.ctx,
      `${mark} redelivered ${r.redelivered} of ${r.matched} events of trigger ${r.trigger} in ${r.seconds.toFixed(1)}s (concurrency ${r.concurrency})`,
    )
    for (const f of failed.slice(0, 10)) print(s.ctx, `  ${c.red('✗')} ${f.id}: ${remoteLine(f.reason)}`)
    if (failed.length > 10) print(s.ctx, `  … and ${failed.length - 10} more`)
    if (outcome) {
      print(
        s.ctx,
        `after delivery: ${outcome.delivered} delivered, ${outcome.failed} failed again, ${outcome.pending} still pending`,
      )
    } else if (failed.length < r.matched) {
      print(
        s.ctx,
        c.dim(
          `Hasura delivers them in the background; check with nself-hooks events ${r.trigger} --status failed`,
        ),
      )
    }
  }
  return failed.length > 0 || (outcome !== undefined && (outcome.failed > 0 || outcome.pending > 0)) ? 1 : 0
}

function windowText(w: Window): string {
  const f = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 19)
  if (w.since && w.until) return ` between ${f(w.since)} and ${f(w.until)} UTC`
  if (w.since) return ` since ${f(w.since)} UTC`
  if (w.until) return ` until ${f(w.until)} UTC`
  return ''
}

/** Shows what matched and asks; false when nothing should be sent (none, dry run, declined). */
async function confirmBulk(s: Session, opts: ReplayOptions, sel: FailedSelection): Promise<boolean> {
  const c = colors(s.ctx)
  const n = sel.events.length
  const range = windowText(sel.window)
  const head = `${plural(n, 'failed event')} of ${sel.what}${range}`
  if (n === 0) {
    if (opts.json) printJson(s.ctx, { target: sel.what, matched: 0, redelivered: 0, failed: [] })
    else print(s.ctx, `no failed events of ${sel.what}${range}: nothing to replay`)
    return false
  }
  if (opts.dryRun) {
    if (opts.json) {
      printJson(s.ctx, { target: sel.what, matched: n, dry_run: true, events: sel.events })
      return false
    }
    print(s.ctx, head)
    for (const e of sel.events.slice(0, 20))
      print(s.ctx, `  ${e.id}  ${shortTime(e.at)}  ${plural(e.tries, 'attempt')}`)
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
  const yes = await s.ctx.confirm(`Redeliver ${plural(n, 'event')}?`)
  if (!yes) print(s.ctx, 'nothing was redelivered')
  return yes
}

// ---- crons --------------------------------------------------------------------------------------------

function printCronReplay(
  s: Session,
  r: CronReplayResult,
  opts: ReplayOptions,
  o: { noted?: boolean } = {},
): number {
  const c = colors(s.ctx)
  if (opts.json) {
    printJson(s.ctx, {
      cron: r.cron,
      matched: r.matched,
      scheduled: r.scheduled,
      failed: r.failed,
      ...(r.outcomes ? { outcomes: r.outcomes } : {}),
      note: CRON_NOTE,
    })
  } else {
    if (!o.noted) print(s.ctx, c.dim(CRON_NOTE))
    for (const x of r.scheduled.slice(0, 10))
      print(s.ctx, `${c.green('✓')} cron event ${x.from} → one-off scheduled event ${x.id}`)
    if (r.scheduled.length > 10) print(s.ctx, `  … and ${r.scheduled.length - 10} more`)
    for (const f of r.failed.slice(0, 10))
      print(s.ctx, `${c.red('✗')} ${remoteLine(f.id)}: ${remoteLine(f.reason)}`)
    if (r.matched > 1) print(s.ctx, `replayed ${r.scheduled.length} of ${r.matched} events of cron ${r.cron}`)
    for (const o of r.outcomes ?? [])
      print(s.ctx, `${o.status === 'delivered' ? c.green('✓') : c.red('✗')} ${remoteLine(outcomeLine(o))}`)
    if (r.outcomes === undefined && r.scheduled.length > 0)
      print(
        s.ctx,
        c.dim(`follow it with nself-hooks events show ${r.scheduled[0]?.id}, or replay with --wait`),
      )
    if (r.outcome)
      print(
        s.ctx,
        `after delivery: ${r.outcome.delivered} delivered, ${r.outcome.not_delivered} not delivered`,
      )
  }
  if (r.outcome) return r.outcome.not_delivered > 0 ? 1 : 0
  return r.failed.length > 0 ? 1 : 0
}
