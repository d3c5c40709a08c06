import type { Context, GlobalOptions } from '../context.js'
import {
  type CronTriggerInfo,
  type EventsApi,
  type EventWithInvocations,
  hasuraCode,
  type ScheduledEvent,
} from '../hasura/events-api.js'
import type { ModelCron, ModelTrigger } from '../model/types.js'
import { type LoadedProject, loadProject } from '../project.js'
import { connect } from './connect.js'
import { type OneOffEvent, oneOffEvents } from './one-off.js'
import { redact, redactingContext, secretValues } from './secrets.js'

export interface Session {
  project: LoadedProject
  api: EventsApi
  /** the command's context with every secret value masked on the way out */
  ctx: Context
  /** masks the secrets in a text before it is cut, so no secret is printed in part */
  redact: (text: string) => string
}

const sessionSecrets = new WeakMap<Context, string[]>()

/** The project, a connection and the redacting context; the caller prints `project.warnings`. */
export async function openSession(opts: GlobalOptions, ctx: Context): Promise<Session> {
  const project = await loadProject(ctx, opts)
  const secrets = secretValues(project.model, project.env.values)
  sessionSecrets.set(ctx, secrets)
  const safe = redactingContext(ctx, secrets)
  return { project, api: connect(project, safe), ctx: safe, redact: (text) => redact(text, secrets) }
}

/**
 * Runs a command so that an error escaping it carries no secret either: its message and hint are
 * printed by the top-level handler, outside the redacting context.
 */
export async function guarded(ctx: Context, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn()
  } catch (err) {
    const secrets = sessionSecrets.get(ctx) ?? []
    if (err instanceof Error && secrets.length > 0) {
      err.message = redact(err.message, secrets)
      const e = err as Error & { hint?: string }
      if (typeof e.hint === 'string') Object.defineProperty(e, 'hint', { value: redact(e.hint, secrets) })
    }
    throw err
  }
}

export type Target =
  | { kind: 'trigger'; name: string; trigger?: ModelTrigger }
  | { kind: 'cron'; name: string; cron?: ModelCron; server?: CronTriggerInfo }

/** A name from the command line: an event trigger or a cron, from the config, else from the server. */
export async function resolveTarget(s: Session, name: string): Promise<Target> {
  const { model } = s.project
  const trigger = model.triggers.find((t) => t.name === name)
  if (trigger) return { kind: 'trigger', name, trigger }
  const cron = model.crons.find((c) => c.name === name)
  if (cron) {
    const server = (await s.api.cronTriggers().catch(() => [])).find((c) => c.name === name)
    return { kind: 'cron', name, cron, ...(server ? { server } : {}) }
  }
  const server = (await s.api.cronTriggers().catch(() => [])).find((c) => c.name === name)
  if (server) return { kind: 'cron', name, server }
  return { kind: 'trigger', name }
}

export type FoundEvent =
  | { kind: 'trigger'; data: EventWithInvocations }
  | { kind: 'cron'; cron: string; event: ScheduledEvent }
  | { kind: 'one_off'; event: OneOffEvent }

/**
 * An event id: first the event log, then the cron events of every cron the config or server knows,
 * then the one-off scheduled events (a replayed cron event).
 */
export async function findEvent(s: Session, id: string): Promise<FoundEvent | undefined> {
  try {
    return { kind: 'trigger', data: await s.api.eventById(id) }
  } catch (err) {
    if (hasuraCode(err) !== 'not-exists') throw err
  }
  const names = new Set(s.project.model.crons.map((c) => c.name))
  for (const c of await s.api.cronTriggers().catch(() => [])) names.add(c.name)
  for (const cron of names) {
    for (let offset = 0; ; offset += 500) {
      const page = await s.api.cronEvents({ triggerName: cron, limit: 500, offset })
      const hit = page.find((e) => e.id === id)
      if (hit) return { kind: 'cron', cron, event: hit }
      if (page.length < 500) break
    }
  }
  const oneOff = (await oneOffEvents(s.api, [id])).get(id)
  return oneOff ? { kind: 'one_off', event: oneOff } : undefined
}
