import { UserError } from '../errors.js'
import type { Session } from './lookup.js'

const FULL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const MIN_PREFIX = 6
const SHOWN = 10

/**
 * An event id from the command line: a full id as given, or a unique prefix of at least 6
 * characters (the short ids `dev` and `events` print). An ambiguous prefix is an error listing the
 * candidates; a prefix nothing matches is returned as given, so the caller says "no event".
 */
export async function resolveEventId(s: Session, given: string): Promise<string> {
  const id = given.trim()
  if (FULL_ID.test(id)) return id
  if (!/^[0-9a-f-]+$/i.test(id)) return id
  if (id.length < MIN_PREFIX)
    throw new UserError(`event id "${id}" is too short: give at least ${MIN_PREFIX} characters of it`, {
      hint: 'the ids are in nself-hooks events <trigger> (or the live lines of dev)',
    })
  const prefix = id.toLowerCase()
  const found = new Set<string>()
  if (s.api.sql) {
    // the event log, in the source (its ids are uuids: the prefix is [0-9a-f-] only, safe to inline)
    const rows = await s.api.sql(
      `SELECT id::text FROM hdb_catalog.event_log WHERE id::text LIKE '${prefix}%' LIMIT ${SHOWN + 1}`,
      { source: s.api.source, readOnly: true },
    )
    for (const r of rows.slice(1)) found.add(String(r[0]))
  }
  const names = new Set(s.project.model.crons.map((c) => c.name))
  for (const c of await s.api.cronTriggers().catch(() => [])) names.add(c.name)
  for (const cron of names) {
    for (let offset = 0; ; offset += 500) {
      const page = await s.api.cronEvents({ triggerName: cron, limit: 500, offset })
      for (const e of page) if (e.id.toLowerCase().startsWith(prefix)) found.add(e.id)
      if (page.length < 500) break
    }
  }
  if (found.size === 1) return [...found][0]!
  if (found.size > 1) {
    const list = [...found].sort()
    throw new UserError(
      `event id prefix "${id}" matches ${list.length > SHOWN ? `more than ${SHOWN}` : list.length} events`,
      {
        hint: `give more characters; candidates:\n${list
          .slice(0, SHOWN)
          .map((c) => `  ${c}`)
          .join('\n')}`,
      },
    )
  }
  return id
}
