import { UserError } from '../errors.js'

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }

/**
 * `--since` / `--until`: a duration back from now (`30m`, `24h`, `7d`, `1w`, combined `1h30m`)
 * or an ISO date (`2024-05-01`, `2024-05-01T10:00:00Z`; no zone means UTC, like Hasura's timestamps).
 */
export function parseTimeBound(text: string | Date, flag: string, now = new Date()): Date {
  if (text instanceof Date) return text // already read by the command line (src/cli.ts)
  const s = text.trim()
  if (/^(\d+(?:\.\d+)?[smhdw])+$/i.test(s)) {
    let ms = 0
    for (const m of s.toLowerCase().matchAll(/(\d+(?:\.\d+)?)([smhdw])/g))
      ms += Number(m[1]) * UNIT_MS[m[2]!]!
    return new Date(now.getTime() - ms)
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(s)) {
    const d = parseHasuraTime(s)
    if (!Number.isNaN(d.getTime())) return d
  }
  throw new UserError(`${flag} ${JSON.stringify(text)} is neither a duration nor a date`, {
    hint: `use a duration like 30m, 24h, 7d, or an ISO date like 2024-05-01 or 2024-05-01T10:00:00Z`,
  })
}

/** Hasura's event timestamps carry no zone and are UTC; the docs show a trailing Z: accept both. */
export function parseHasuraTime(text: string): Date {
  const s = text.trim().replace(' ', 'T')
  const zoned = /(Z|[+-]\d{2}(:?\d{2})?)$/i.test(s) && /T/.test(s)
  return new Date(zoned ? s : /T/.test(s) ? `${s}Z` : `${s}T00:00:00Z`)
}

/** `2024-05-01 10:00:03` (UTC), short enough for a table column. */
export function shortTime(text: string | null | undefined): string {
  if (!text) return '-'
  const d = parseHasuraTime(text)
  if (Number.isNaN(d.getTime())) return text
  return d.toISOString().replace('T', ' ').slice(0, 19)
}
