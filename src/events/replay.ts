import { UserError } from '../errors.js'
import { type CronTriggerInfo, hasuraCode, type ScheduledEvent } from '../hasura/events-api.js'
import { emitCronTrigger } from '../metadata/emit.js'
import type { Header } from '../model/types.js'
import {
  type Outcome,
  redeliverAll,
  redeliverReason,
  runBounded,
  waitForMany,
  waitForOutcome,
} from './bulk.js'
import { collectCronEvents, collectEvents, type Window } from './log.js'
import { type FoundEvent, findEvent, resolveTarget, type Session, type Target } from './lookup.js'
import { followOneOffs, type OneOffOutcome } from './one-off.js'
import { bodyFromEvent } from './payload.js'
import { collect, deliver, type PostOutcome } from './post.js'
import { resolveHeaders } from './target.js'

/** Said before a cron replay: what is sent differs from the original (docs/hasura-compatibility.md "Cron triggers"). */
export const CRON_NOTE =
  'Hasura cannot redeliver a cron event: it is replayed as a one-off scheduled event with the same webhook, headers and payload (its body carries created_at instead of name)'

export interface WaitOptions {
  /** follow the redelivery until it is delivered or fails */
  wait?: boolean | undefined
  timeoutMs: number
}

/** Cron events replayed as one-off scheduled events. */
export interface CronReplayResult {
  kind: 'cron'
  cron: string
  matched: number
  scheduled: { from: string; id: string }[]
  failed: { id: string; reason: string }[]
  /** with `wait`: how the one-off events ended */
  outcome?: { delivered: number; not_delivered: number }
  /** with `wait`: each one-off event, its attempts and the handler's last answer */
  outcomes?: OneOffOutcome[]
}

/** `replay <id>`: the event queued again by Hasura (or, for a cron event, scheduled again). */
export type ReplayResult =
  | {
      kind: 'trigger'
      event_id: string
      /** the trigger's name, when the log could tell it */
      trigger?: string
      /** with `wait`: the outcome, undefined when it was still pending at the deadline */
      waited?: { outcome: Outcome | undefined }
    }
  | CronReplayResult

/**
 * Asks Hasura to deliver an event again (pg_redeliver_event). False when the event log has no such
 * id; a locked event (being delivered) is a UserError.
 */
export async function requestRedelivery(s: Session, id: string): Promise<boolean> {
  try {
    await s.api.redeliver(id)
    return true
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
    if (code === 'not-exists') return false
    throw err
  }
}

/** One event through Hasura: an event-trigger event is redelivered, a cron event scheduled again. */
export async function replayEvent(s: Session, id: string, opts: WaitOptions): Promise<ReplayResult> {
  if (!(await requestRedelivery(s, id))) {
    const found = await findEvent(s, id)
    if (found?.kind === 'cron') return replayCronEvents(s, found.cron, [found.event], opts)
    if (found?.kind === 'one_off') throw oneOffRefused(id)
    throw new UserError(`no event with id ${id} on ${s.project.model.hasura.endpoint}`, {
      hint: `list event ids with nself-hooks events <trigger> (source ${s.project.model.hasura.source})`,
    })
  }
  if (opts.wait) {
    return {
      kind: 'trigger',
      event_id: id,
      waited: { outcome: await waitForOutcome(s.api, id, { timeoutMs: opts.timeoutMs }) },
    }
  }
  const ev = await s.api.eventById(id, 1).catch(() => undefined)
  return { kind: 'trigger', event_id: id, ...(ev ? { trigger: ev.event.trigger_name } : {}) }
}

/** `replay <id> --to <url>`: the stored body posted to a handler, the way Hasura sent it. */
export async function replayEventTo(
  s: Session,
  id: string,
  to: string,
  onWarning?: (message: string) => void,
): Promise<PostOutcome & { warnings: string[] }> {
  const found = await findEvent(s, id)
  if (!found) {
    throw new UserError(`no event with id ${id} on ${s.project.model.hasura.endpoint}`, {
      hint: 'list event ids with nself-hooks events <trigger>',
    })
  }
  if (found.kind === 'one_off') throw oneOffRefused(id)
  const { warnings, warn } = collect(onWarning)
  const { body, headers, label, timeoutSec } = storedRequest(s, found, warn)
  const resolved = resolveHeaders(headers, s.project.env.values)
  for (const m of resolved.missing) {
    warn(`header ${m.header} takes its value from ${m.env}, which is not set locally: sent without it`)
  }
  return { ...(await deliver(to, body, resolved, timeoutSec, label)), warnings }
}

/** The request Hasura made for a stored event: the body rebuilt from the log, the configured headers. */
function storedRequest(
  s: Session,
  found: Exclude<FoundEvent, { kind: 'one_off' }>,
  warn: (message: string) => void,
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
    warn(`trigger ${event.trigger_name} is not in webhooks.config.ts: sent without its headers`)
  }
  return {
    body: bodyFromEvent(event, maxRetries, 0),
    headers: trigger?.headers ?? [],
    label: `trigger ${event.trigger_name}`,
    timeoutSec: trigger?.retry.timeoutSec ?? 60,
  }
}

// ---- bulk ---------------------------------------------------------------------------------------------

/** The failed events of one trigger or cron in a window: what a bulk replay would send. */
export interface FailedSelection {
  target: Target
  /** `trigger user_created`, `cron daily-report` */
  what: string
  window: Window
  events: { id: string; at: string; tries: number }[]
  /** the cron events themselves (a cron replay needs them whole) */
  cronEvents: ScheduledEvent[]
}

export async function selectFailed(
  s: Session,
  trigger: string,
  window: Window,
  limit?: number,
): Promise<FailedSelection> {
  const target = await resolveTarget(s, trigger)
  const filter = { ...window, status: 'failed' as const, ...(limit ? { limit } : {}) }
  if (target.kind === 'cron') {
    const list = await collectCronEvents(s.api, target.name, filter)
    return {
      target,
      what: `cron ${target.name}`,
      window,
      events: list.map((e) => ({ id: e.id, at: e.scheduled_time, tries: e.tries })),
      cronEvents: list,
    }
  }
  const list = await collectEvents(s.api, target.name, filter)
  return {
    target,
    what: `trigger ${target.name}`,
    window,
    events: list.map((e) => ({ id: e.id, at: e.created_at, tries: e.tries })),
    cronEvents: [],
  }
}

/** `replay --failed --trigger`: every selected event redelivered, `concurrency` at a time. */
export type BulkReplayResult =
  | {
      kind: 'trigger'
      trigger: string
      matched: number
      redelivered: number
      failed: { id: string; reason: string }[]
      seconds: number
      concurrency: number
      /** with `wait`: how the redelivered events ended */
      outcome?: { delivered: number; failed: number; pending: number }
    }
  | CronReplayResult

export async function replayFailed(
  s: Session,
  sel: FailedSelection,
  opts: WaitOptions & { concurrency: number; onDone?: (ok: boolean) => void },
): Promise<BulkReplayResult> {
  if (sel.target.kind === 'cron') {
    return replayCronEvents(s, sel.target.name, sel.cronEvents, opts, opts.concurrency, opts.onDone)
  }
  const trigger = sel.target.name
  const started = Date.now()
  const results = await redeliverAll(
    s.api,
    sel.events.map((e) => e.id),
    opts.concurrency,
    opts.onDone,
  )
  const failed = results.filter((r) => !r.ok).map((r) => ({ id: r.id, reason: String(r.reason) }))
  const seconds = (Date.now() - started) / 1000
  const result: BulkReplayResult = {
    kind: 'trigger',
    trigger,
    matched: sel.events.length,
    redelivered: sel.events.length - failed.length,
    failed,
    seconds,
    concurrency: opts.concurrency,
  }
  if (opts.wait) {
    const ok = results.filter((r) => r.ok).map((r) => r.id)
    const outcome = await waitForMany(s.api, trigger, ok, { timeoutMs: opts.timeoutMs })
    const count = (st: string) => [...outcome.values()].filter((v) => v === st).length
    result.outcome = { delivered: count('delivered'), failed: count('failed'), pending: count('pending') }
  }
  return result
}

// ---- crons --------------------------------------------------------------------------------------------

async function replayCronEvents(
  s: Session,
  cronName: string,
  events: ScheduledEvent[],
  opts: WaitOptions,
  concurrency = 10,
  onDone?: (ok: boolean) => void,
): Promise<CronReplayResult> {
  const def = await cronDefinition(s, cronName)
  const scheduled: { from: string; id: string }[] = []
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
      scheduled.push({ from: e.id, id: await s.api.createScheduledEvent(args) })
    },
    (_e, ok) => onDone?.(ok),
  )
  const failed = results.filter((r) => !r.ok).map((f) => ({ id: f.item.id, reason: redeliverReason(f.err) }))
  const result: CronReplayResult = { kind: 'cron', cron: cronName, matched: events.length, scheduled, failed }
  if (opts.wait && scheduled.length > 0 && failed.length === 0) {
    const outcomes = await followOneOffs(
      s.api,
      scheduled.map((x) => x.id),
      opts.timeoutMs,
    )
    const bad = outcomes.filter((o) => o.status !== 'delivered').length
    result.outcome = { delivered: outcomes.length - bad, not_delivered: bad }
    result.outcomes = outcomes
  }
  return result
}

/** The cron as the server has it (what Hasura would send), else as the config describes it. */
async function cronDefinition(s: Session, name: string): Promise<CronTriggerInfo> {
  const server = (await s.api.cronTriggers()).find((x) => x.name === name)
  if (server) return server
  const local = s.project.model.crons.find((x) => x.name === name)
  if (!local) throw new UserError(`no cron trigger ${name} on the server or in webhooks.config.ts`)
  return JSON.parse(JSON.stringify(emitCronTrigger(local))) as CronTriggerInfo
}

/** A one-off scheduled event (what replaying a cron event makes) has no redelivery in Hasura's API. */
function oneOffRefused(id: string): UserError {
  return new UserError(`event ${id} is a one-off scheduled event: Hasura cannot redeliver it`, {
    hint: `see what became of it with nself-hooks events show ${id}; replay the cron event it came from instead`,
  })
}
