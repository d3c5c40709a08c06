/**
 * A language-neutral description of payload shapes. The TypeScript (zod) and Python (pydantic)
 * emitters both read it, so the two templates cannot disagree about what Hasura sends.
 */

export type FieldType =
  | { kind: 'string' }
  | { kind: 'number'; integer: boolean }
  | { kind: 'boolean' }
  | { kind: 'null' }
  | { kind: 'json' }
  /** a GeoJSON geometry object: what Hasura sends for PostGIS geometry and geography */
  | { kind: 'geojson' }
  | { kind: 'unknown' }
  | { kind: 'literals'; values: string[] }
  | { kind: 'array'; of: FieldType }
  | { kind: 'object'; fields: Field[] }
  | { kind: 'nullable'; of: FieldType }

export interface Field {
  name: string
  type: FieldType
  /** a comment for the generated code: the Postgres type, precision notes */
  comment?: string
}
