/**
 * A language-neutral description of payload shapes. The TypeScript (zod) and Python (pydantic)
 * emitters both read it, so the two templates cannot disagree about what Hasura sends.
 */

export type FieldType =
  | { kind: 'string' }
  /** `text`: Hasura may send it as a decimal string (see columnField) */
  | { kind: 'number'; integer: boolean; text?: boolean }
  | { kind: 'boolean' }
  | { kind: 'null' }
  | { kind: 'json' }
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
