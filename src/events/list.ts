import { UserError } from '../errors.js'
import { collectCronEvents, collectEvents, type DeliveryStatus } from './log.js'
import { resolveTarget, type Session } from './lookup.js'
import { type EventSummary, summarizeCronEvents, summarizeEvents } from './summary.js'

/** What `events <trigger>` lists: the newest events of one trigger or cron, with their last attempt. */
export interface EventList {
  trigger: string
  kind: 'trigger' | 'cron'
  events: EventSummary[]
}

export interface EventListQuery {
  trigger: string
  status?: DeliveryStatus | undefined
  since?: Date | undefined
  limit: number
}

/** The newest `limit` events of a trigger or cron (config or server), filtered by status and time. */
export async function listEvents(s: Session, q: EventListQuery): Promise<EventList> {
  const target = await resolveTarget(s, q.trigger)
  const window = q.since ? { since: q.since } : {}
  const status = q.status ? { status: q.status } : {}
  if (target.kind === 'cron') {
    // Hasura keeps ~100 future events per cron: those have not happened yet, so they are not listed
    const list = await collectCronEvents(s.api, target.name, {
      ...window,
      until: new Date(),
      ...status,
      limit: q.limit,
    })
    return { trigger: target.name, kind: 'cron', events: await summarizeCronEvents(s.api, list) }
  }
  const list = await collectEvents(s.api, target.name, { ...window, ...status, limit: q.limit })
  const events = await summarizeEvents(s.api, list)
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
  return { trigger: target.name, kind: 'trigger', events }
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
