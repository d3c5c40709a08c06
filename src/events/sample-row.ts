import { randomUUID } from 'node:crypto'
import type { ColumnInfo } from '../model/columns.js'

const INTEGER = new Set(['int2', 'int4', 'int8'])
const DECIMAL = new Set(['numeric', 'float4', 'float8'])
/** the types Hasura sends as strings under HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES (docs/hasura-compatibility.md) */
const BIG_NUM = new Set(['int8', 'numeric', 'float8'])

/** How Hasura builds rows: int8, numeric and float8 as strings when the project env says so. */
export interface SampleOptions {
  stringifyNumbers?: boolean | undefined
}

/**
 * A row of plausible values for `send`, one per column, in the JSON form Hasura sends: numbers for
 * integers (decimal strings under HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES), ISO text for times,
 * objects for json, GeoJSON points for PostGIS columns.
 */
export function sampleRow(
  columns: readonly ColumnInfo[],
  seed = 1,
  now = new Date(),
  opts: SampleOptions = {},
): Record<string, unknown> {
  const row: Record<string, unknown> = {}
  for (const c of columns) {
    const v = sampleValue(c, seed, now)
    row[c.name] = opts.stringifyNumbers && BIG_NUM.has(c.type) ? String(v) : v
  }
  return row
}

function sampleValue(c: ColumnInfo, seed: number, now: Date): unknown {
  const t = c.type
  const n = c.name.toLowerCase()
  if (t.startsWith('_')) return []
  if (INTEGER.has(t)) return seed
  if (DECIMAL.has(t)) return seed + 0.5
  if (t === 'money') return `$${seed}.50`
  if (t === 'geometry' || t === 'geography') return { type: 'Point', coordinates: [seed, seed] }
  if (t === 'bool') return seed % 2 === 1
  if (t === 'uuid') return randomUUID()
  if (t === 'json' || t === 'jsonb') return {}
  if (t === 'date') return now.toISOString().slice(0, 10)
  if (t === 'timestamptz') return `${now.toISOString().slice(0, 23)}+00:00`
  if (t === 'timestamp') return now.toISOString().slice(0, 23)
  if (t === 'time' || t === 'timetz') return now.toISOString().slice(11, 19)
  if (t === 'interval') return '00:00:00'
  if (n.includes('email')) return `user${seed}@example.com`
  if (n === 'status' || n === 'state') return seed === 1 ? 'pending' : 'completed'
  return `${c.name} ${seed}`
}

/** An UPDATE's new row: the old one with the listened columns changed (else every column). */
export function changedRow(
  old: Record<string, unknown>,
  columns: readonly ColumnInfo[],
  listened: '*' | string[],
  now = new Date(),
  opts: SampleOptions = {},
): Record<string, unknown> {
  const next = sampleRow(columns, 2, now, opts)
  const out = { ...old }
  for (const c of columns) {
    if (listened !== '*' && !listened.includes(c.name)) continue
    if (/^id$|_id$/.test(c.name) && listened === '*') continue
    out[c.name] = next[c.name]
  }
  return out
}
