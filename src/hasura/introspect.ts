import { ClientError, GraphQLClient } from 'graphql-request'
import pg from 'pg'
import { UserError } from '../errors.js'
import { type TableRef, tableKey } from '../model/types.js'
import type { ColumnInfo } from '../scaffold/types.js'

/** Column lists keyed by `schema.table`, in the table's column order. */
export type TableColumns = Record<string, ColumnInfo[]>

export { tableKey }

/**
 * Columns from Postgres itself: information_schema.columns with udt_name (`_int4` for arrays) and
 * is_nullable, plus the labels of user-defined enum types. The exact source: what row_to_json sees.
 */
export async function columnsFromPostgres(databaseUrl: string, tables: TableRef[]): Promise<TableColumns> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 })
  try {
    await client.connect()
  } catch (err) {
    throw new UserError(`could not connect to Postgres: ${(err as Error).message}`, {
      hint: 'check --database-url (postgres://user:password@host:5432/db) and that the database is running',
      cause: err,
    })
  }
  try {
    const { rows } = await client.query<{
      table_schema: string
      table_name: string
      column_name: string
      udt_name: string
      is_nullable: 'YES' | 'NO'
      labels: string[] | null
    }>(
      `SELECT c.table_schema, c.table_name, c.column_name, c.udt_name, c.is_nullable,
              (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
                 FROM pg_catalog.pg_type t
                 JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                 JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
                WHERE n.nspname = c.udt_schema
                  AND t.typname = CASE WHEN c.data_type = 'ARRAY' THEN substr(c.udt_name, 2) ELSE c.udt_name END
              ) AS labels
         FROM information_schema.columns c
         JOIN unnest($1::text[], $2::text[]) AS wanted(s, n) ON wanted.s = c.table_schema AND wanted.n = c.table_name
        ORDER BY c.table_schema, c.table_name, c.ordinal_position`,
      [tables.map((t) => t.schema), tables.map((t) => t.name)],
    )
    const out: TableColumns = {}
    for (const r of rows) {
      const col: ColumnInfo = { name: r.column_name, type: r.udt_name, nullable: r.is_nullable === 'YES' }
      if (r.labels && r.labels.length > 0) col.enum = r.labels
      const key = `${r.table_schema}.${r.table_name}`
      out[key] ??= []
      out[key].push(col)
    }
    return out
  } catch (err) {
    if (err instanceof UserError) throw err
    throw new UserError(`could not read columns from Postgres: ${(err as Error).message}`, { cause: err })
  } finally {
    await client.end().catch(() => {})
  }
}

interface TypeRef {
  kind: string
  name: string | null
  ofType: TypeRef | null
}
interface IntrospectionType {
  name: string
  kind: string
  fields: { name: string; type: TypeRef }[] | null
  enumValues: { name: string }[] | null
}

const INTROSPECTION = `query NselfHooksColumns {
  __schema {
    types {
      name
      kind
      fields { name type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } }
      enumValues { name }
    }
  }
}`

/** Hasura's GraphQL scalar names for Postgres types: builtins are renamed, the rest keep the Postgres name. */
const SCALAR_TO_UDT: Record<string, string> = {
  Int: 'int4',
  String: 'text',
  Boolean: 'bool',
  Float: 'float8',
  ID: 'text',
  bigint: 'int8',
  smallint: 'int2',
}

/** Hasura names a table's type `<name>` in public and `<schema>_<name>` elsewhere (without custom names). */
function graphqlTypeName(t: TableRef): string {
  return t.schema === 'public' ? t.name : `${t.schema}_${t.name}`
}

/**
 * Columns through Hasura's GraphQL introspection (POST <endpoint>/v1/graphql) as the admin role.
 * Scalar and enum fields of the table's object type; relationships are skipped. Custom GraphQL names
 * and computed fields blur this view: --database-url is exact.
 */
export async function columnsFromHasura(
  endpoint: string,
  adminSecret: string | undefined,
  tables: TableRef[],
): Promise<TableColumns> {
  const url = `${endpoint.replace(/\/+$/, '')}/v1/graphql`
  const headers: Record<string, string> = adminSecret ? { 'x-hasura-admin-secret': adminSecret } : {}
  const client = new GraphQLClient(url, { headers })
  let data: { __schema: { types: IntrospectionType[] } }
  try {
    data = await client.request<{ __schema: { types: IntrospectionType[] } }>(INTROSPECTION)
  } catch (err) {
    const status = err instanceof ClientError ? err.response.status : undefined
    const first = err instanceof ClientError ? err.response.errors?.[0]?.message : (err as Error).message
    throw new UserError(
      `GraphQL introspection at ${url} failed${status ? ` (HTTP ${status})` : ''}: ${first ?? 'no answer'}`,
      {
        hint:
          status === 401 || /access|secret/i.test(first ?? '')
            ? 'set the admin secret in the env named by hasura.adminSecretEnv'
            : 'check --endpoint and that Hasura is running, or pass --database-url to read Postgres directly',
        cause: err,
      },
    )
  }
  const types = new Map(data.__schema.types.map((t) => [t.name, t]))
  const out: TableColumns = {}
  for (const table of tables) {
    const type = types.get(graphqlTypeName(table))
    if (!type?.fields || type.kind !== 'OBJECT') continue
    const cols: ColumnInfo[] = []
    for (const f of type.fields) {
      const col = fieldColumn(f.name, f.type, types)
      if (col) cols.push(col)
    }
    out[tableKey(table)] = cols
  }
  return out
}

function fieldColumn(
  name: string,
  ref: TypeRef,
  types: Map<string, IntrospectionType>,
): ColumnInfo | undefined {
  let nullable = true
  let array = false
  let t: TypeRef | null = ref
  if (t.kind === 'NON_NULL') {
    nullable = false
    t = t.ofType
  }
  if (t?.kind === 'LIST') {
    array = true
    t = t.ofType
    if (t?.kind === 'NON_NULL') t = t.ofType
  }
  if (!t?.name) return undefined
  if (t.kind === 'SCALAR') {
    let udt = SCALAR_TO_UDT[t.name] ?? t.name
    // older Hasura exposes Postgres arrays as scalars named `_text`
    if (udt.startsWith('_')) array = true
    udt = udt.replace(/^_/, '')
    return { name, type: `${array ? '_' : ''}${udt}`, nullable }
  }
  if (t.kind === 'ENUM') {
    // Hasura enum tables become GraphQL enums; the value names are the table's values
    const labels = types.get(t.name)?.enumValues?.map((v) => v.name) ?? []
    return { name, type: `${array ? '_' : ''}text`, nullable, enum: labels }
  }
  return undefined
}
