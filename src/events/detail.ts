import type { EventLogRow } from '../hasura/events-api.js'
import { cronStatus, type DeliveryStatus, eventStatus } from './log.js'
import { findEvent, type Session } from './lookup.js'
import type { OneOffEvent } from './one-off.js'
import { fromEnvHeaderNames, maskHeadersDeep } from './secrets.js'

/** One event with every attempt, header values that carry secrets masked (`events show`, the console). */
export type EventDetail =
  | {
      kind: 'trigger'
      event: EventLogRow
      status: DeliveryStatus
      invocations: Record<string, unknown>[]
    }
  | {
      kind: 'cron'
      cron: string
      event: Record<string, unknown> & { id: string; scheduled_time: string; status: string; tries: number }
      status: DeliveryStatus
      /** the payload the config gives the cron (Hasura's cron event log does not keep it) */
      payload?: unknown
      invocations: Record<string, unknown>[]
    }
  | {
      /** a one-off scheduled event: how a cron event is replayed */
      kind: 'one_off'
      event: OneOffEvent
      status: DeliveryStatus
      invocations: Record<string, unknown>[]
    }

export async function eventDetail(s: Session, id: string): Promise<EventDetail | undefined> {
  const found = await findEvent(s, id)
  if (!found) return undefined
  if (found.kind === 'cron') {
    const invocations = await s.api.scheduledInvocations('cron', found.event.id).catch(() => [])
    const cronModel = s.project.model.crons.find((x) => x.name === found.cron)
    const masked = fromEnvHeaderNames(cronModel?.headers ?? [])
    return {
      kind: 'cron',
      cron: found.cron,
      event: found.event,
      status: cronStatus(found.event.status),
      ...(cronModel?.payload !== undefined ? { payload: cronModel.payload } : {}),
      invocations: invocations.map((i) => maskHeadersDeep(i, masked) as Record<string, unknown>),
    }
  }
  if (found.kind === 'one_off') {
    // its headers came from a cron's configuration: mask every from-env header any cron names
    const masked = fromEnvHeaderNames(s.project.model.crons.flatMap((x) => x.headers))
    const invocations = await s.api.scheduledInvocations('one_off', found.event.id).catch(() => [])
    return {
      kind: 'one_off',
      event: found.event,
      status: cronStatus(found.event.status),
      invocations: invocations.map((i) => maskHeadersDeep(i, masked) as Record<string, unknown>),
    }
  }
  const { event, invocations } = found.data
  const trigger = s.project.model.triggers.find((t) => t.name === event.trigger_name)
  const masked = fromEnvHeaderNames(trigger?.headers ?? [])
  return {
    kind: 'trigger',
    event,
    status: eventStatus(event),
    invocations: invocations.map((i) => maskHeadersDeep(i, masked) as Record<string, unknown>),
  }
}
