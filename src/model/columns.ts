import type { TableRef } from './types.js'

/**
 * A table's columns, the one form every reader produces (Postgres, Hasura's GraphQL schema, the
 * committed cache): scaffold types rows from it, config validation checks column names against it,
 * `send` makes sample rows from it.
 */
export interface ColumnInfo {
  name: string
  /** Postgres udt name as information_schema.columns has it: `int4`, `timestamptz`, `_text` for text[] */
  type: string
  nullable: boolean
  /** labels of a user-defined enum type, in their declared order */
  enum?: string[]
}

/** Column lists keyed by `schema.table`, in the table's column order. */
export type TableColumns = Record<string, ColumnInfo[]>

/** `schema.table`: the key of a table in column lists and the column cache. */
export const tableKey = (t: TableRef): string => `${t.schema}.${t.name}`
