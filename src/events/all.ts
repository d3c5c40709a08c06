import { print } from '../context.js'
import { stringifyExact } from '../output/exact-json.js'
import { remoteLine } from '../output/remote-text.js'
import { colors } from '../output/report.js'
import {
  collectCronEvents,
  collectEvents,
  cronStatus,
  type DeliveryStatus,
  eventStatus,
  type Window,
} from './log.js'
import type { Session } from './lookup.js'
import { parseHasuraTime, shortTime } from './time.js'

/** One event of any managed trigger or cron. */
export interface AnyEvent {
  name: string
  kind: 'trigger' | 'cron'
  id: string
  op: string
  created_at: string
  status: DeliveryStatus
  attempts: number
}

/** The targets `events` lists without a name: every event trigger and cron of the config. */
export function managedTargets(s: Session): { name: string; kind: 'trigger' | 'cron' }[] {
  return [
    ...s.project.model.triggers.map((t) => ({ name: t.name, kind: 'trigger' as const })),
    ...s.project.model.crons.map((c) => ({ name: c.name, kind: 'cron' as const })),
  ]
}

/** The newest events of the given triggers and crons together, newest first. */
export async function recentEvents(
  s: Session,
  targets: { name: string; kind: 'trigger' | 'cron' }[],
  f: Window & { status?: DeliveryStatus | undefined; limit: number },
): Promise<AnyEvent[]> {
  const filter = {
    ...(f.since ? { since: f.since } : {}),
    ...(f.status ? { status: f.status } : {}),
    limit: f.limit,
  }
  const lists = await Promise.all(
    targets.map(async (t): Promise<AnyEvent[]> => {
      if (t.kind === 'cron') {
        // events scheduled in the future have not happened: not listed
        const list = await collectCronEvents(s.api, t.name, { ...filter, until: new Date() })
        return list.map((e) => ({
          name: t.name,
          kind: 'cron',
          id: e.id,
          op: 'CRON',
          created_at: e.scheduled_time,
          status: cronStatus(e.status),
          attempts: e.tries,
        }))
      }
      const list = await collectEvents(s.api, t.name, filter)
      return list.map((row) => ({
        name: t.name,
        kind: 'trigger',
        id: row.id,
        op: String((row.payload as { op?: unknown } | null)?.op ?? '?'),
        created_at: row.created_at,
        status: eventStatus(row),
        attempts: row.tries,
      }))
    }),
  )
  const time = (e: AnyEvent) => parseHasuraTime(e.created_at).getTime()
  return lists
    .flat()
    .sort((a, b) => time(b) - time(a))
    .slice(0, f.limit)
}

export function eventLine(s: Session, e: AnyEvent): string {
  const c = colors(s.ctx)
  const paint = e.status === 'failed' ? c.red : e.status === 'delivered' ? c.green : c.yellow
  return `${shortTime(e.created_at)}  ${c.bold(remoteLine(e.name))}  ${remoteLine(e.op)}  ${remoteLine(e.id)}  ${paint(e.status)}  ${e.attempts} attempt${e.attempts === 1 ? '' : 's'}`
}

/**
 * `events --follow`: prints each event that appears after it started, oldest first, until the
 * signal (Ctrl-C) stops it. It only reads the event logs.
 */
export async function followEvents(
  s: Session,
  targets: { name: string; kind: 'trigger' | 'cron' }[],
  opts: { json: boolean; intervalMs?: number; signal: AbortSignal },
): Promise<void> {
  const seen = new Set((await recentEvents(s, targets, { limit: 200 })).map((e) => e.id))
  if (!opts.json) print(s.ctx, `following ${targets.map((t) => t.name).join(', ')}; Ctrl+C stops`)
  while (!opts.signal.aborted) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, opts.intervalMs ?? 500)
      function done() {
        clearTimeout(t)
        opts.signal.removeEventListener('abort', done)
        resolve()
      }
      opts.signal.addEventListener('abort', done, { once: true })
    })
    if (opts.signal.aborted) break
    const fresh = (await recentEvents(s, targets, { limit: 200 })).filter((e) => !seen.has(e.id)).reverse()
    for (const e of fresh) {
      seen.add(e.id)
      print(s.ctx, opts.json ? stringifyExact(e) : eventLine(s, e))
    }
  }
}
