import type { ColumnInfo } from '../model/columns.js'
import type { Field, FieldType } from './types.js'

/**
 * What Hasura puts in `event.data.old/new`: each payload column built by `toJSONableExp`
 * (docs/hasura-compatibility.md, "Payload columns") and the row turned into JSON by `row_to_json`.
 * JSON numbers for numeric types, ISO text for dates and times, nested JSON for json/jsonb, arrays
 * as JSON arrays, GeoJSON objects for PostGIS geometry and geography, and int8, numeric, float8 and
 * money as text when Hasura runs with HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES. Anything else
 * Postgres renders as its text form.
 */
const NUMBER_INT = new Set(['int2', 'int4', 'int8', 'oid', 'smallserial', 'serial', 'bigserial'])
const NUMBER_FLOAT = new Set(['float4', 'float8', 'numeric'])
/** Hasura's `isBigNum`: the types HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES turns into text */
const BIG_NUM = new Set(['int8', 'bigserial', 'numeric', 'float8', 'money'])
const GEO = new Set(['geometry', 'geography'])
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
  geometry: 'geometry: a GeoJSON geometry (ST_AsGeoJSON, up to 15 decimals, crs when the SRID is set)',
  geography: 'geography: a GeoJSON geometry (ST_AsGeoJSON, up to 15 decimals, crs included)',
}

const STRINGIFIED_NOTE =
  'a decimal string, exact: the project env sets HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES'

/** How Hasura is set up to build rows. */
export interface RowSettings {
  /** HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES is on */
  stringifyNumbers: boolean
}

/** Postgres udt name → the JSON type Hasura sends for the column. */
export function pgFieldType(col: ColumnInfo, settings: RowSettings = { stringifyNumbers: false }): FieldType {
  const array = col.type.startsWith('_')
  const elem = array ? col.type.slice(1) : col.type
  // Hasura converts scalar columns only (isScalarColumnWhere): arrays keep row_to_json's form
  const base: FieldType = array
    ? { kind: 'array', of: baseType(elem, col.enum) }
    : (converted(elem, settings) ?? baseType(elem, col.enum))
  return col.nullable ? { kind: 'nullable', of: base } : base
}

function converted(udt: string, settings: RowSettings): FieldType | undefined {
  if (GEO.has(udt)) return { kind: 'geojson' }
  if (settings.stringifyNumbers && BIG_NUM.has(udt)) return { kind: 'string' }
  return undefined
}

function baseType(udt: string, labels: string[] | undefined): FieldType {
  if (labels && labels.length > 0) return { kind: 'literals', values: labels }
  if (NUMBER_INT.has(udt)) return { kind: 'number', integer: true }
  if (NUMBER_FLOAT.has(udt)) return { kind: 'number', integer: false }
  if (udt === 'bool') return { kind: 'boolean' }
  if (udt === 'json' || udt === 'jsonb') return { kind: 'json' }
  if (STRING.has(udt)) return { kind: 'string' }
  // in an array (not converted by Hasura) PostGIS's own json cast makes geometry GeoJSON, while
  // geography has none and stays hex text
  if (udt === 'geometry') return { kind: 'geojson' }
  if (udt === 'geography') return { kind: 'string' }
  // composite and unknown extension types: any JSON
  return { kind: 'json' }
}

/** A row column as a payload field, with the Postgres type and what Hasura makes of it as a comment. */
export function columnField(col: ColumnInfo, settings: RowSettings = { stringifyNumbers: false }): Field {
  const array = col.type.startsWith('_')
  const elem = col.type.replace(/^_/, '')
  const pg = `${elem}${array ? '[]' : ''}${col.nullable ? '' : ' not null'}`
  // money is text either way ($1.50)
  const stringified = !array && settings.stringifyNumbers && BIG_NUM.has(elem) && elem !== 'money'
  const note = stringified ? `${elem}: ${STRINGIFIED_NOTE}` : array && GEO.has(elem) ? undefined : NOTES[elem]
  return {
    name: col.name,
    type: pgFieldType(col, settings),
    comment: note ? `${pg}; ${note.slice(note.indexOf(':') + 2)}` : pg,
  }
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
