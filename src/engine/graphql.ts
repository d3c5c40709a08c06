import type { Queryable } from './db.js'
import type { Metadata } from './metadata/model.js'

/**
 * Just enough of /v1/graphql for tools that read column types through introspection: one OBJECT type
 * per tracked table (named like Hasura: `<table>` in public, `<schema>_<table>` elsewhere) whose fields
 * are the columns, with Hasura's scalar names. Queries and mutations are not served.
 */

const SCALARS: Record<string, string> = {
  int4: 'Int',
  serial: 'Int',
  text: 'String',
  varchar: 'String',
  bool: 'Boolean',
  float8: 'Float',
  int8: 'bigint',
  int2: 'smallint',
}

interface Col {
  s: string
  t: string
  c: string
  udt: string
  notnull: boolean
  dims: number
}

type TypeRef = { kind: string; name: string | null; ofType: TypeRef | null }
const named = (kind: string, name: string): TypeRef => ({ kind, name, ofType: null })
const wrap = (kind: string, of: TypeRef): TypeRef => ({ kind, name: null, ofType: of })

export async function introspection(db: Queryable, meta: Metadata): Promise<unknown> {
  const tables = meta.sources
    .filter((s) => s.kind === 'postgres')
    .flatMap((s) => s.tables.map((t) => t.table))
  const { rows } = tables.length
    ? await db.query<Col>(
        `SELECT n.nspname AS s, c.relname AS t, a.attname AS c, ty.typname AS udt, a.attnotnull AS notnull,
                a.attndims AS dims
           FROM pg_attribute a
           JOIN pg_class c ON c.oid = a.attrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_type ty ON ty.oid = a.atttypid
          WHERE a.attnum > 0 AND NOT a.attisdropped
            AND (n.nspname, c.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))
          ORDER BY n.nspname, c.relname, a.attnum`,
        [tables.map((t) => t.schema), tables.map((t) => t.name)],
      )
    : { rows: [] as Col[] }
  const scalars = new Set(['Int', 'String', 'Boolean', 'Float', 'ID'])
  const objects = new Map<string, { name: string; type: TypeRef }[]>()
  for (const r of rows) {
    const typeName = r.s === 'public' ? r.t : `${r.s}_${r.t}`
    const isArray = r.udt.startsWith('_')
    const base = isArray ? r.udt.slice(1) : r.udt
    const scalar = SCALARS[base] ?? base
    scalars.add(scalar)
    let ref: TypeRef = named('SCALAR', scalar)
    if (isArray) ref = wrap('LIST', wrap('NON_NULL', ref))
    if (r.notnull) ref = wrap('NON_NULL', ref)
    const list = objects.get(typeName) ?? []
    list.push({ name: r.c, type: ref })
    objects.set(typeName, list)
  }
  const types: unknown[] = [...scalars]
    .sort()
    .map((name) => ({ kind: 'SCALAR', name, fields: null, enumValues: null }))
  for (const [name, fields] of objects)
    types.push({
      kind: 'OBJECT',
      name,
      fields: fields.map((f) => ({
        name: f.name,
        args: [],
        type: f.type,
        isDeprecated: false,
        deprecationReason: null,
      })),
      enumValues: null,
    })
  types.push({
    kind: 'OBJECT',
    name: 'query_root',
    fields: [...objects.keys()].map((n) => ({
      name: n,
      args: [],
      type: wrap('NON_NULL', wrap('LIST', wrap('NON_NULL', named('OBJECT', n)))),
      isDeprecated: false,
      deprecationReason: null,
    })),
    enumValues: null,
  })
  return {
    data: {
      __schema: {
        queryType: { name: 'query_root' },
        mutationType: null,
        subscriptionType: null,
        types,
        directives: [],
      },
    },
  }
}
