import { plural } from '../output/text.js'
import type { ActualSide, Ownership } from './diff.js'

/**
 * Triggers and crons that exist (in the metadata files or on a server) and that the config does not
 * manage: not drift, but worth a line, since `nself-hooks import` takes them in.
 */
export interface Unmanaged {
  eventTriggers: { source: string; name: string }[]
  cronTriggers: string[]
}

export function unmanagedOf(actual: ActualSide, owned: Ownership): Unmanaged {
  const et = new Map<string, { source: string; name: string }>()
  for (const e of actual.eventTriggers) {
    if (!owned.eventTriggers(e.source, e.trigger.name))
      et.set(`${e.source}\u0000${e.trigger.name}`, { source: e.source, name: e.trigger.name })
  }
  const ct = new Set(actual.cronTriggers.map((c) => c.cron.name).filter((n) => !owned.cronTriggers(n)))
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
  return {
    eventTriggers: [...et.values()].sort((a, b) => cmp(a.source, b.source) || cmp(a.name, b.name)),
    cronTriggers: [...ct].sort(cmp),
  }
}

/** "3 triggers and 1 cron are not managed by the config: nself-hooks import takes them in" (undefined: none). */
export function unmanagedLine(u: Unmanaged, against: 'files' | 'server'): string | undefined {
  const t = u.eventTriggers.length
  const c = u.cronTriggers.length
  if (t + c === 0) return undefined
  const parts = [...(t > 0 ? [plural(t, 'trigger')] : []), ...(c > 0 ? [plural(c, 'cron')] : [])]
  const verb = t + c === 1 ? 'is' : 'are'
  const cmd = against === 'files' ? 'nself-hooks import' : 'nself-hooks import --from server'
  return `${parts.join(' and ')} ${verb} not managed by the config: ${cmd} takes them in`
}

/** The JSON form (format_version 1 envelopes of diff and sync). */
export function unmanagedJson(u: Unmanaged): {
  event_triggers: { source: string; name: string }[]
  cron_triggers: string[]
} {
  return { event_triggers: u.eventTriggers, cron_triggers: u.cronTriggers }
}
