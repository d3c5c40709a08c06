import type { ColumnInfo } from '../model/columns.js'
import type { Field, FieldType } from './types.js'

/**
 * What Hasura puts in `event.data.old/new`: Postgres `row_to_json` of the row (trigger.sql.shakespeare,
 * `row_to_json(NEW)` for `*` payloads). JSON numbers for every numeric type, ISO text for dates and times,
 * nested JSON for json/jsonb, arrays as JSON arrays. Anything else Postgres renders as its text form.
 */
const NUMBER_INT = new Set(['int2', 'int4', 'int8', 'oid', 'smallserial', 'serial', 'bigserial'])
const NUMBER_FLOAT = new Set(['float4', 'float8', 'numeric'])
const STRING = new Set([
  'text',
  'varchar',
  'bpchar',
  'char',
  'name',
  'citext',
  'uuid',
  'date',
  'time',
  'timetz',
  'timestamp',
  'timestamptz',
  'interval',
  'bytea',
  'inet',
  'cidr',
  'macaddr',
  'macaddr8',
  'money',
  'xml',
  'bit',
  'varbit',
  'tsvector',
  'tsquery',
  'ltree',
  'point',
  'line',
  'lseg',
  'box',
  'path',
  'polygon',
  'circle',
  'int4range',
  'int8range',
  'numrange',
  'tsrange',
  'tstzrange',
  'daterange',
])

const NOTES: Record<string, string> = {
  int8: 'int8: row_to_json sends a JSON number; values beyond 2^53 lose precision in JavaScript',
  numeric: 'numeric: row_to_json sends a JSON number; exact decimals beyond double precision are rounded',
  timestamp: 'timestamp: ISO 8601 without time zone, e.g. 2024-01-01T09:30:00.123456',
  timestamptz: 'timestamptz: ISO 8601 with offset, e.g. 2024-01-01T09:30:00.123456+00:00',
  date: 'date: YYYY-MM-DD',
  bytea: 'bytea: hex text, e.g. \\\\x0102',
}

/** Postgres udt name → the JSON type row_to_json produces. */
export function pgFieldType(col: ColumnInfo): FieldType {
  const base = baseType(col.type, col.enum)
  return col.nullable ? { kind: 'nullable', of: base } : base
}

function baseType(udt: string, labels: string[] | undefined): FieldType {
  if (udt.startsWith('_')) return { kind: 'array', of: baseType(udt.slice(1), labels) }
  if (labels && labels.length > 0) return { kind: 'literals', values: labels }
  if (NUMBER_INT.has(udt)) return { kind: 'number', integer: true }
  if (NUMBER_FLOAT.has(udt)) return { kind: 'number', integer: false }
  if (udt === 'bool') return { kind: 'boolean' }
  if (udt === 'json' || udt === 'jsonb') return { kind: 'json' }
  if (STRING.has(udt)) return { kind: 'string' }
  // geometry/geography (GeoJSON through PostGIS's json cast), composite and unknown extension types
  return { kind: 'json' }
}

/**
 * A row column as a payload field. `listed` is true for columns named in a trigger's `payload` list:
 * Hasura builds those rows column by column (toJSONableExp), casting int8/numeric to text when the
 * server runs with HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES, so they may arrive as decimal strings.
 */
export function columnField(col: ColumnInfo, listed = false): Field {
  const elem = col.type.replace(/^_/, '')
  const note = NOTES[elem]
  const pg = `${elem}${col.type.startsWith('_') ? '[]' : ''}${col.nullable ? '' : ' not null'}`
  let type = pgFieldType(col)
  let comment = note ? `${pg}; ${note.slice(note.indexOf(':') + 2)}` : pg
  if (listed && STRINGIFIABLE.has(elem)) {
    type = markText(type)
    comment += '; a decimal string under HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES is accepted and converted'
  }
  return { name: col.name, type, comment }
}

const STRINGIFIABLE = new Set(['int8', 'numeric', 'bigserial'])

function markText(t: FieldType): FieldType {
  if (t.kind === 'number') return { ...t, text: true }
  if (t.kind === 'nullable' || t.kind === 'array') return { ...t, of: markText(t.of) }
  return t
}

/** The type of a cron's configured payload, inferred from its JSON value (Hasura sends it back unchanged). */
export function inferJsonType(value: unknown): FieldType {
  if (value === null) return { kind: 'null' }
  if (typeof value === 'string') return { kind: 'string' }
  if (typeof value === 'number') return { kind: 'number', integer: Number.isInteger(value) }
  if (typeof value === 'boolean') return { kind: 'boolean' }
  if (Array.isArray(value)) {
    if (value.length === 0) return { kind: 'array', of: { kind: 'json' } }
    const types = value.map(inferJsonType)
    const first = JSON.stringify(types[0])
    return {
      kind: 'array',
      of: types.every((t) => JSON.stringify(t) === first) ? types[0]! : { kind: 'json' },
    }
  }
  if (typeof value === 'object') {
    return {
      kind: 'object',
      fields: Object.entries(value as Record<string, unknown>).map(([name, v]) => ({
        name,
        type: inferJsonType(v),
      })),
    }
  }
  return { kind: 'json' }
}
