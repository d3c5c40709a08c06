import { ApiError, parseFailed } from '../errors.js'
import { normalizeCron } from './cron-triggers.js'
import { normalizeTriggerEntry, qualifiedTable } from './event-triggers.js'
import {
  byName,
  defaultSource,
  type JsonObject,
  type Metadata,
  orderKeys,
  type SourceEntry,
  TABLE_KEY_ORDER,
  type TableEntry,
} from './model.js'
import { describe, parseWith } from './parse.js'

/**
 * replace_metadata input → stored metadata. Accepts v3 (and v2: top-level tables become the default
 * source). Event triggers are validated and put in export form; unknown keys stay as they are.
 */
export function normalizeMetadata(input: unknown, base = '$.args'): Metadata {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw parseFailed(`parsing Metadata failed, expected Object, but encountered ${describe(input)}`, base)
  const raw = structuredClone(input) as JsonObject
  const version = raw.version ?? 1
  let sources: JsonObject[]
  const rest: JsonObject = { ...raw }
  delete rest.version
  delete rest.sources
  delete rest.tables
  delete rest.functions
  if (version === 3) {
    if (raw.sources !== undefined && !Array.isArray(raw.sources))
      throw parseFailed(
        `parsing [] failed, expected Array, but encountered ${describe(raw.sources)}`,
        `${base}.sources`,
      )
    sources = (raw.sources ?? []) as JsonObject[]
  } else if (version === 1 || version === 2) {
    const src: JsonObject = defaultSource()
    src.tables = raw.tables ?? []
    if (raw.functions) src.functions = raw.functions
    sources = [src]
  } else {
    throw parseFailed(`unexpected metadata version: ${JSON.stringify(version)}`, `${base}.version`)
  }
  const outSources: SourceEntry[] = sources.map((s, si) => {
    const sp = `${base}.sources[${si}]`
    if (typeof s !== 'object' || s === null) throw parseFailed('expecting an object for source', sp)
    if (typeof s.name !== 'string') throw parseFailed('key "name" not found', sp)
    const kind = typeof s.kind === 'string' ? s.kind : 'postgres'
    if (s.tables !== undefined && !Array.isArray(s.tables))
      throw parseFailed(
        `parsing [] failed, expected Array, but encountered ${describe(s.tables)}`,
        `${sp}.tables`,
      )
    const tables = ((s.tables ?? []) as JsonObject[]).map((t, ti) => {
      const tp = `${sp}.tables[${ti}]`
      if (typeof t !== 'object' || t === null || t.table === undefined)
        throw parseFailed('key "table" not found', tp)
      const entry: JsonObject = { ...t }
      if (kind === 'postgres' || kind === 'citus' || kind === 'cockroach') {
        const qt = parseWith(qualifiedTable, t.table, `${tp}.table`)
        entry.table = { name: qt.name, schema: qt.schema }
      }
      if (t.event_triggers !== undefined) {
        if (!Array.isArray(t.event_triggers))
          throw parseFailed(
            `parsing [] failed, expected Array, but encountered ${describe(t.event_triggers)}`,
            `${tp}.event_triggers`,
          )
        const seen = new Set<string>()
        entry.event_triggers = (t.event_triggers as unknown[])
          .map((et, ei) => normalizeTriggerEntry(et, `${tp}.event_triggers[${ei}]`))
          .filter((et) => {
            if (seen.has(et.name)) return false
            seen.add(et.name)
            return true
          })
          .sort(byName)
      }
      return orderKeys(entry, TABLE_KEY_ORDER) as TableEntry
    })
    const seenTables = new Map<string, number>()
    for (const t of tables) {
      const k = `${t.table.schema}.${t.table.name}`
      seenTables.set(k, (seenTables.get(k) ?? 0) + 1)
    }
    const dups = [...seenTables].filter(([, n]) => n > 1).map(([k]) => k.replace(/^public\./, ''))
    if (dups.length > 0)
      throw parseFailed(
        `multiple declarations exist for the following tables: ${dups.join(', ')}`,
        `${sp}.tables`,
      )
    tables.sort((a, b) => {
      const ka = [a.table.schema ?? '', a.table.name ?? '']
      const kb = [b.table.schema ?? '', b.table.name ?? '']
      return ka[0]! < kb[0]! ? -1 : ka[0]! > kb[0]! ? 1 : ka[1]! < kb[1]! ? -1 : ka[1]! > kb[1]! ? 1 : 0
    })
    const out: JsonObject = { ...s, name: s.name, kind, tables }
    return orderKeys(out, ['name', 'kind', 'tables', 'functions', 'configuration']) as SourceEntry
  })
  const meta: JsonObject = { version: 3, sources: outSources, ...rest }
  if (raw.cron_triggers !== undefined) {
    if (!Array.isArray(raw.cron_triggers))
      throw parseFailed(
        `parsing [] failed, expected Array, but encountered ${describe(raw.cron_triggers)}`,
        `${base}.cron_triggers`,
      )
    meta.cron_triggers = (raw.cron_triggers as unknown[])
      .map((c, i) => normalizeCron(c, `${base}.cron_triggers[${i}]`))
      .sort(byName)
  }
  return meta as Metadata
}

/** Hasura refuses the whole replace when one source holds the same trigger name twice. */
export function checkDuplicateTriggerNames(meta: Metadata, raw: unknown): void {
  const rawSources = ((raw as JsonObject)?.sources ?? []) as JsonObject[]
  for (const s of rawSources) {
    const seen = new Set<string>()
    for (const t of (s?.tables ?? []) as JsonObject[]) {
      for (const et of (t?.event_triggers ?? []) as JsonObject[]) {
        const n = et?.name
        if (typeof n !== 'string') continue
        if (seen.has(n))
          throw new ApiError(
            400,
            'not-supported',
            `Event trigger with duplicate names not allowed: "${n}"`,
            '$.args',
          )
        seen.add(n)
      }
    }
  }
  void meta
}
