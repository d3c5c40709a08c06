import { existsSync, readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  graphql,
} from 'graphql'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scaffold } from '../../src/commands/scaffold.js'
import { startEngine } from '../../src/engine/index.js'
import { UserError } from '../../src/errors.js'
import { sampleRow } from '../../src/events/sample-row.js'
import { HasuraClient } from '../../src/hasura/client.js'
import { columnsFromHasura, columnsFromPostgres, columnsThroughRunSql } from '../../src/hasura/introspect.js'
import { pgFieldType } from '../../src/scaffold/column-types.js'
import { readColumnsCache, renderColumnsCache } from '../../src/scaffold/columns.js'
import type { FieldType } from '../../src/scaffold/types.js'
import { captureContext } from '../helpers/cli.js'
import { freshDatabase, postgresUnavailable } from '../helpers/pg.js'
import { FIXTURE, FIXTURE_COLUMNS, testdir } from '../helpers/project.js'

const pgSkip = await postgresUnavailable()

/** Does a JSON value produced by row_to_json fit the type scaffold promised? */
function fits(t: FieldType, v: unknown): boolean {
  switch (t.kind) {
    case 'nullable':
      return v === null || fits(t.of, v)
    case 'string':
      return typeof v === 'string'
    case 'number':
      return typeof v === 'number' && (!t.integer || Number.isInteger(v))
    case 'boolean':
      return typeof v === 'boolean'
    case 'null':
      return v === null
    case 'literals':
      return typeof v === 'string' && t.values.includes(v)
    case 'array':
      return Array.isArray(v) && v.every((x) => fits(t.of, x))
    case 'object':
      return typeof v === 'object' && v !== null
    case 'geojson':
      return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string'
    case 'json':
    case 'unknown':
      return true
  }
}

describe.skipIf(pgSkip)('column types from Postgres', () => {
  let db: { url: string; drop: () => Promise<void> }
  let client: pg.Client
  beforeAll(async () => {
    db = await freshDatabase()
    client = new pg.Client({ connectionString: db.url })
    await client.connect()
    await client.query(readFileSync(join(FIXTURE, 'schema.sql'), 'utf8'))
    await client.query(`
      CREATE TYPE mood AS ENUM ('happy', 'sad', 'ok');
      CREATE TABLE public.everything (
        a_int2 int2 NOT NULL, a_int4 int4 NOT NULL, a_int8 int8 NOT NULL, a_float4 float4 NOT NULL,
        a_float8 float8 NOT NULL, a_numeric numeric(12, 4) NOT NULL, a_bool bool NOT NULL, a_text text NOT NULL,
        a_varchar varchar(20) NOT NULL, a_char char(3) NOT NULL, a_uuid uuid NOT NULL, a_date date NOT NULL,
        a_time time NOT NULL, a_timestamp timestamp NOT NULL, a_timestamptz timestamptz NOT NULL,
        a_interval interval NOT NULL, a_json json NOT NULL, a_jsonb jsonb NOT NULL, a_bytea bytea NOT NULL,
        a_inet inet NOT NULL, a_money money NOT NULL, a_ints int4[] NOT NULL, a_texts text[] NOT NULL,
        a_mood mood NOT NULL, a_moods mood[] NOT NULL, a_null_int int4, a_null_jsonb jsonb
      );
      INSERT INTO public.everything VALUES (
        1, 2, 9007199254740993, 1.5, 2.25, 12345678.1234, true, 'x', 'y', 'abc', gen_random_uuid(), '2024-02-29',
        '13:45:00.5', '2024-01-01 09:30:00.123456', '2024-01-01 09:30:00.123456+02', '1 day 2 hours',
        '{"k": [1, "two"]}', '[1, {"b": null}]', '\\x0102', '10.0.0.1', 12.5, '{1,2,3}', '{"a","b"}', 'sad',
        '{happy,ok}', NULL, NULL
      );`)
  })
  afterAll(async () => {
    await client?.end()
    await db?.drop()
  })

  it('reads the fixture schema exactly as the committed test cache says', async () => {
    const cols = await columnsFromPostgres(db.url, [
      { schema: 'public', name: 'users' },
      { schema: 'shop', name: 'orders' },
    ])
    expect(cols).toEqual(FIXTURE_COLUMNS.tables)
  })

  it('maps every column type to the JSON type row_to_json actually produces', async () => {
    const cols = (await columnsFromPostgres(db.url, [{ schema: 'public', name: 'everything' }]))[
      'public.everything'
    ]!
    expect(cols.find((c) => c.name === 'a_mood')).toEqual({
      name: 'a_mood',
      type: 'mood',
      nullable: false,
      enum: ['happy', 'sad', 'ok'],
    })
    expect(cols.find((c) => c.name === 'a_moods')?.type).toBe('_mood')
    expect(cols.find((c) => c.name === 'a_null_int')?.nullable).toBe(true)
    // the payload Hasura sends is row_to_json of the row (trigger.sql.shakespeare)
    const { rows } = await client.query('SELECT row_to_json(e)::text AS j FROM public.everything e')
    const json = JSON.parse(rows[0].j) as Record<string, unknown>
    for (const col of cols) {
      const type = pgFieldType(col)
      expect(
        fits(type, json[col.name]),
        `${col.name} (${col.type}) = ${JSON.stringify(json[col.name])} vs ${JSON.stringify(type)}`,
      ).toBe(true)
    }
    // the facts the types document
    expect(json.a_timestamptz).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+[+-]\d\d:\d\d$/)
    expect(json.a_timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+$/)
    expect(json.a_date).toBe('2024-02-29')
    expect(typeof json.a_int8).toBe('number') // a JSON number, precision beyond 2^53 is the reader's problem
    expect(json.a_jsonb).toEqual([1, { b: null }])
  })

  it("reads the same columns through Hasura's run_sql as over a direct connection, odd names included", async () => {
    const odd = { schema: `it's "odd"`, name: `t'); DROP TABLE users; --` }
    await client.query(
      `CREATE SCHEMA "it's ""odd"""; CREATE TABLE "it's ""odd"""."t'); DROP TABLE users; --" (id int8 NOT NULL, tags text[])`,
    )
    const tables = [
      { schema: 'public', name: 'users' },
      { schema: 'shop', name: 'orders' },
      { schema: 'public', name: 'everything' },
      odd,
    ]
    const engine = await startEngine({ port: 0, databaseUrl: db.url, adminSecret: 'pw' })
    try {
      const hasura = new HasuraClient({ endpoint: engine.url, adminSecret: 'pw', adminSecretEnv: 'S' })
      const viaHasura = await columnsThroughRunSql(
        async (sql, o) => (await hasura.runSql(sql, o)).result?.map((r) => r.map((v) => v ?? 'NULL')) ?? [],
        'default',
        tables,
      )
      expect(viaHasura).toEqual(await columnsFromPostgres(db.url, tables))
      expect(Object.keys(viaHasura)).toHaveLength(4)
      expect(viaHasura[`${odd.schema}.${odd.name}`]).toEqual([
        { name: 'id', type: 'int8', nullable: false },
        { name: 'tags', type: '_text', nullable: true },
      ])
      expect(viaHasura['public.everything']?.find((c) => c.name === 'a_moods')?.enum).toEqual([
        'happy',
        'sad',
        'ok',
      ])
      // send makes its sample rows from these columns: JSON types as row_to_json writes them
      const row = sampleRow(viaHasura['public.everything']!, 1, new Date('2024-05-10T12:00:00Z'))
      expect(row).toMatchObject({
        a_int8: 1,
        a_numeric: 1.5,
        a_bool: true,
        a_ints: [],
        a_jsonb: {},
        a_timestamptz: '2024-05-10T12:00:00.000+00:00',
        a_timestamp: '2024-05-10T12:00:00.000',
        a_time: '12:00:00',
      })
      expect(await columnsThroughRunSql(async () => [], 'default', [])).toEqual({})
    } finally {
      await engine.stop()
    }
  })

  it('scaffold --database-url writes webhooks.columns.json once, then works offline from it', async () => {
    const dir = testdir({
      'webhooks.config.ts': `import { defineConfig } from 'nself-hooks'
export default defineConfig({
  service: { name: 'hooks', template: 'express-ts' },
  triggers: { every: { table: 'everything', on: { insert: true }, handler: 'every' },
              gone: { table: 'not_there', on: { insert: true }, handler: 'gone' },
              // no handler: its table is cached all the same, so its columns get checked too
              outside: { table: 'shop.orders', on: { delete: true }, webhook: 'http://elsewhere/x' } },
})
`,
    })
    const run = async (opts: Record<string, unknown>) => {
      const c = captureContext(dir)
      await scaffold(opts, c.ctx)
      return { out: c.out, err: c.err }
    }
    const first = await run({ all: true, databaseUrl: db.url })
    expect(first.out).toMatch(/^created +webhooks\.columns\.json/m)
    expect(first.err).toMatch(/table public\.not_there was not found through Postgres/)
    const cache = readColumnsCache(dir)
    expect(cache?.tables['public.everything']?.length).toBe(27)
    expect(cache?.tables['shop.orders']?.map((c) => c.name)).toEqual([
      'id',
      'customer_id',
      'status',
      'total',
      'meta',
    ])
    const again = await run({ all: true, databaseUrl: db.url })
    expect(again.out).toMatch(/^unchanged +webhooks\.columns\.json/m)
    // offline: no database, the cache types the rows
    const offline = await run({ all: true })
    expect(offline.err).not.toMatch(/no webhooks\.columns\.json/)
    const ts = readFileSync(join(dir, 'services/hooks/src/webhooks/_generated/payloads.ts'), 'utf8')
    expect(ts).toContain("a_moods: Array<'happy' | 'sad' | 'ok'>".replace(/'/g, '"'))
    expect(ts).toContain('a_null_int: number | null')
  })

  it('a database that cannot be reached is a clear error', async () => {
    const err = await columnsFromPostgres('postgres://nobody@127.0.0.1:1/none', []).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UserError)
    expect((err as UserError).hint).toContain('--database-url')
  })
})

/** A GraphQL server shaped like Hasura's schema for two tables (scalars named as Hasura names them). */
async function hasuraLike(secret: string) {
  const scalar = (name: string) => new GraphQLScalarType({ name })
  const timestamptz = scalar('timestamptz')
  const bigint = scalar('bigint')
  const numeric = scalar('numeric')
  const jsonb = scalar('jsonb')
  const status = new GraphQLEnumType({ name: 'order_status_enum', values: { pending: {}, paid: {} } })
  const users: GraphQLObjectType = new GraphQLObjectType({
    name: 'users',
    fields: () => ({
      id: { type: new GraphQLNonNull(GraphQLInt) },
      email: { type: new GraphQLNonNull(GraphQLString) },
      name: { type: GraphQLString },
      created_at: { type: new GraphQLNonNull(timestamptz) },
      verified: { type: new GraphQLNonNull(GraphQLBoolean) },
      orders: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(orders))) },
    }),
  })
  const orders: GraphQLObjectType = new GraphQLObjectType({
    name: 'shop_orders',
    fields: () => ({
      id: { type: new GraphQLNonNull(bigint) },
      total: { type: new GraphQLNonNull(numeric) },
      meta: { type: jsonb, args: { path: { type: GraphQLString } } },
      tags: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)) },
      status: { type: new GraphQLNonNull(status) },
      customer: { type: users },
    }),
  })
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'query_root',
      fields: { users: { type: new GraphQLList(users) }, shop_orders: { type: new GraphQLList(orders) } },
    }),
  })
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c) => {
      body += c
    })
    req.on('end', async () => {
      res.setHeader('content-type', 'application/json')
      if (req.url !== '/v1/graphql') {
        res.statusCode = 404
        return res.end('{}')
      }
      if (req.headers['x-hasura-admin-secret'] !== secret) {
        // what Hasura answers on a wrong secret
        return res.end(
          JSON.stringify({
            errors: [
              {
                extensions: { path: '$', code: 'access-denied' },
                message: 'invalid x-hasura-admin-secret/x-hasura-access-key',
              },
            ],
          }),
        )
      }
      const { query } = JSON.parse(body) as { query: string }
      res.end(JSON.stringify(await graphql({ schema, source: query })))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() }
}

describe('column types from Hasura GraphQL introspection', () => {
  it('reads scalar and enum fields, nullability and lists; skips relationships', async () => {
    const h = await hasuraLike('s3cret')
    try {
      const cols = await columnsFromHasura(h.url, 's3cret', [
        { schema: 'public', name: 'users' },
        { schema: 'shop', name: 'orders' },
        { schema: 'public', name: 'missing' },
      ])
      expect(cols).toEqual({
        'public.users': [
          { name: 'id', type: 'int4', nullable: false },
          { name: 'email', type: 'text', nullable: false },
          { name: 'name', type: 'text', nullable: true },
          { name: 'created_at', type: 'timestamptz', nullable: false },
          { name: 'verified', type: 'bool', nullable: false },
        ],
        'shop.orders': [
          { name: 'id', type: 'int8', nullable: false },
          { name: 'total', type: 'numeric', nullable: false },
          { name: 'meta', type: 'jsonb', nullable: true },
          { name: 'tags', type: '_text', nullable: true },
          { name: 'status', type: 'text', nullable: false, enum: ['pending', 'paid'] },
        ],
      })
    } finally {
      h.close()
    }
  })

  it('a wrong admin secret is a clear error that points at the secret', async () => {
    const h = await hasuraLike('s3cret')
    try {
      const err = (await columnsFromHasura(h.url, 'wrong', []).catch((e: unknown) => e)) as UserError
      expect(err).toBeInstanceOf(UserError)
      expect(err.message).toContain('invalid x-hasura-admin-secret')
      expect(err.hint).toContain('adminSecretEnv')
    } finally {
      h.close()
    }
  })

  it('scaffold --introspect uses the config endpoint and admin secret env, and caches the result', async () => {
    const h = await hasuraLike('from-env')
    try {
      const dir = testdir({
        'webhooks.config.ts': `import { defineConfig } from 'nself-hooks'
export default defineConfig({
  hasura: { endpoint: '${h.url}' },
  service: { name: 'hooks', template: 'fastapi' },
  triggers: { user_created: { table: 'users', on: { insert: true }, handler: 'user-created' } },
})
`,
        '.env': 'HASURA_GRAPHQL_ADMIN_SECRET=from-env\n',
      })
      const c = captureContext(dir)
      await scaffold({ all: true, introspect: true }, c.ctx)
      expect(existsSync(join(dir, 'webhooks.columns.json'))).toBe(true)
      expect(readColumnsCache(dir)?.source).toBe('hasura')
      const py = readFileSync(join(dir, 'services/hooks/webhooks/_generated/payloads.py'), 'utf8')
      expect(py).toContain('verified: bool')
      expect(readFileSync(join(dir, 'webhooks.columns.json'), 'utf8')).not.toContain('from-env')
    } finally {
      h.close()
    }
  })
})

describe('column cache file', () => {
  it('round-trips and is stable text', () => {
    const text = renderColumnsCache(FIXTURE_COLUMNS)
    const dir = testdir({ 'webhooks.columns.json': text })
    const back = readColumnsCache(dir)!
    expect(back).toEqual(FIXTURE_COLUMNS)
    expect(renderColumnsCache(back)).toBe(text)
  })

  it('a broken cache file is a clear error', () => {
    const dir = testdir({ 'webhooks.columns.json': '{ nope' })
    expect(() => readColumnsCache(dir)).toThrow(/not valid JSON/)
  })
})
