import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Engine, EngineOptionError, startEngine } from '../../src/engine/index.js'
import { client, SECRET, uniq } from '../helpers/engine.js'
import { type Handler, startHandler } from '../helpers/http.js'
import { postgisDatabase } from '../helpers/pg.js'
import { waitFor } from '../helpers/wait.js'

/**
 * Payload columns built the way Hasura builds them (docs/hasura-compatibility.md, "Payload
 * columns"): PostGIS geometry and geography as GeoJSON objects, and int8 / numeric / float8 / money
 * as strings under HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES, as a real handler receives them.
 */

const CRS_4326 = { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::4326' } }
const STRINGIFY = 'HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES'

const postgis = await postgisDatabase()
const skip = 'skip' in postgis ? postgis.skip : undefined

async function track(api: ReturnType<typeof client>, table: string, trigger: Record<string, unknown>) {
  await api.ok('pg_track_table', { table: { schema: 'public', name: table } })
  await api.ok('pg_create_event_trigger', { table: { schema: 'public', name: table }, ...trigger })
}

describe('PostGIS columns and stringified numerics on PostgreSQL', () => {
  let hook: Handler
  let engine: Engine | undefined
  const it = skip ? test.skip : test
  if (skip) test.skip(`skipped: ${skip}`, () => {})

  const start = async (env: Record<string, string>) => {
    if ('skip' in postgis) throw new Error(postgis.skip)
    engine = await startEngine({
      port: 0,
      adminSecret: SECRET,
      pollIntervalMs: 100,
      databaseUrl: postgis.url,
      env,
    })
    return client(engine)
  }
  const stop = async () => {
    await engine?.stop()
    engine = undefined
  }
  beforeAll(async () => {
    hook = await startHandler()
  })
  afterAll(async () => {
    await stop()
    await hook?.close()
    if (!('skip' in postgis)) await postgis.drop()
  })

  const TABLE = uniq('places')
  const ALL = uniq('all')
  const LISTED = uniq('listed')

  it('geometry and geography arrive as GeoJSON objects; numerics as numbers with every digit', async () => {
    const api = await start({})
    await api.sql(`CREATE TABLE public.${TABLE} (
      id int8 PRIMARY KEY,
      loc geometry(Point, 4326),
      area geography,
      plain geometry,
      amount numeric,
      ratio float8,
      price money,
      n int4,
      ids int8[],
      name text)`)
    await track(api, TABLE, {
      name: ALL,
      insert: { columns: '*' },
      update: { columns: ['amount', 'loc'] },
      webhook: `${hook.url}/all`,
    })
    await api.ok('pg_create_event_trigger', {
      name: LISTED,
      table: { schema: 'public', name: TABLE },
      insert: { columns: '*', payload: ['id', 'loc', 'amount'] },
      webhook: `${hook.url}/listed`,
    })
    await api.sql(`INSERT INTO public.${TABLE} VALUES (
      9007199254740993, 'SRID=4326;POINT(13.404954 52.520008)',
      'SRID=4326;POLYGON((0 0, 1 0, 1 1, 0 0))', 'POINT EMPTY',
      12345678901234567890.125, 0.1, 1.5, 7, '{1,2}', 'Berlin')`)
    const [all] = await waitFor(() => hook.forTrigger(ALL).length === 1 && hook.forTrigger(ALL), 'insert')
    const row = all!.body.event.data.new
    expect(row.loc).toEqual({ type: 'Point', crs: CRS_4326, coordinates: [13.404954, 52.520008] })
    expect(row.area).toEqual({
      type: 'Polygon',
      crs: CRS_4326,
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      ],
    })
    expect(row.plain).toEqual({ type: 'Point', coordinates: [] })
    expect(all!.raw).toContain('"id":9007199254740993')
    expect(all!.raw).toContain('"amount":12345678901234567890.125')
    expect(row).toMatchObject({ ratio: 0.1, price: '$1.50', n: 7, ids: [1, 2], name: 'Berlin' })
    expect(Object.keys(row).sort()).toEqual(
      ['id', 'loc', 'area', 'plain', 'amount', 'ratio', 'price', 'n', 'ids', 'name'].sort(),
    )

    const [listed] = await waitFor(
      () => hook.forTrigger(LISTED).length === 1 && hook.forTrigger(LISTED),
      'listed',
    )
    expect(listed!.body.event.data.new.loc).toEqual(row.loc)
    expect(Object.keys(listed!.body.event.data.new).sort()).toEqual(['amount', 'id', 'loc'])

    // a listened geometry that moves is a change (json has no equality: Hasura's fallback compares bytes)
    await api.sql(`UPDATE public.${TABLE} SET loc = 'SRID=4326;POINT(2 3)'`)
    const [moved] = await waitFor(
      () =>
        hook.forTrigger(ALL).filter((r) => r.body.event.op === 'UPDATE').length === 1 &&
        hook.forTrigger(ALL).filter((r) => r.body.event.op === 'UPDATE'),
      'update',
    )
    expect(moved!.body.event.data.old.loc.coordinates).toEqual([13.404954, 52.520008])
    expect(moved!.body.event.data.new.loc).toEqual({ type: 'Point', crs: CRS_4326, coordinates: [2, 3] })
    // no listened column changed: no event
    await api.sql(`UPDATE public.${TABLE} SET name = 'x'`)
    await api.sql(`UPDATE public.${TABLE} SET amount = 1`)
    await waitFor(() => hook.forTrigger(ALL).length === 3, 'the amount = 1 update')
    // the digits as sent: insert, loc moved, amount = 1
    const amounts = hook
      .forTrigger(ALL)
      .map((r) => /"amount":([^,}]+)/.exec(r.raw.slice(r.raw.indexOf('"new":')))?.[1])
    expect(amounts).toEqual(['12345678901234567890.125', '12345678901234567890.125', '1'])
    await stop()
    expect(engine).toBeUndefined()
  }, 60_000)

  it('with HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES=true (read at start) int8, numeric, float8 and money are strings', async () => {
    expect(engine, 'the table from the previous test').toBeUndefined()
    // the same database: the engine rebuilds the trigger functions for the new setting when it starts
    const api = await start({ [STRINGIFY]: 'True' })
    hook.requests.length = 0
    await api.sql(`DELETE FROM public.${TABLE}`)
    await api.sql(`INSERT INTO public.${TABLE} VALUES (
      9007199254740993, 'SRID=4326;POINT(1 2)', NULL, NULL,
      12345678901234567890.125, 0.1, 1.5, 7, '{1,2}', 'Berlin')`)
    const [all] = await waitFor(() => hook.forTrigger(ALL).length === 1 && hook.forTrigger(ALL), 'insert')
    const row = all!.body.event.data.new
    expect(row).toMatchObject({
      id: '9007199254740993',
      amount: '12345678901234567890.125',
      ratio: '0.1',
      price: '$1.50',
      // int4 and arrays are not converted (Hasura: isBigNum, scalar columns only)
      n: 7,
      ids: [1, 2],
      area: null,
      loc: { type: 'Point', crs: CRS_4326, coordinates: [1, 2] },
    })
    const [listed] = await waitFor(
      () => hook.forTrigger(LISTED).length === 1 && hook.forTrigger(LISTED),
      'listed',
    )
    expect(listed!.body.event.data.new).toEqual({
      id: '9007199254740993',
      loc: row.loc,
      amount: '12345678901234567890.125',
    })
    // the listened columns compare as text too: 1.0 → 1.00 is a change, as in Hasura
    await api.sql(`UPDATE public.${TABLE} SET amount = 1.0`)
    await api.sql(`UPDATE public.${TABLE} SET amount = 1.00`)
    const updates = await waitFor(
      () =>
        hook.forTrigger(ALL).filter((r) => r.body.event.op === 'UPDATE').length === 2 &&
        hook.forTrigger(ALL).filter((r) => r.body.event.op === 'UPDATE'),
      'two updates',
    )
    expect(updates.map((r) => r.body.event.data.new.amount).sort()).toEqual(['1.0', '1.00'])
    await stop()
  }, 60_000)
})

describe('stringified numerics without PostGIS (PGlite)', () => {
  let hook: Handler
  beforeAll(async () => {
    hook = await startHandler()
  })
  afterAll(async () => {
    await hook?.close()
  })

  test.each([
    { setting: undefined, strings: false },
    { setting: 'yes', strings: true },
    { setting: 'false', strings: false },
  ])(
    'HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES=$setting: strings $strings, digits exact',
    async ({ setting, strings }) => {
      const engine = await startEngine({
        port: 0,
        adminSecret: SECRET,
        pollIntervalMs: 100,
        env: setting === undefined ? {} : { [STRINGIFY]: setting },
      })
      try {
        const api = client(engine)
        const t = uniq('nums')
        await api.sql(`CREATE TABLE public.${t} (id int8 PRIMARY KEY, amount numeric, n int2)`)
        await track(api, t, { name: t, insert: { columns: '*' }, webhook: `${hook.url}/${t}` })
        await api.sql(`INSERT INTO public.${t} VALUES (9007199254740993, 12345678901234567890.125, 3)`)
        const [r] = await waitFor(() => hook.forTrigger(t).length === 1 && hook.forTrigger(t), 'insert')
        const q = strings ? '"' : ''
        expect(r!.raw).toContain(`"id":${q}9007199254740993${q}`)
        expect(r!.raw).toContain(`"amount":${q}12345678901234567890.125${q}`)
        expect(r!.raw).toContain('"n":3')
      } finally {
        await engine.stop()
      }
    },
    60_000,
  )

  test('a value Hasura would not start with stops the engine before it starts', async () => {
    const started = startEngine({ port: 0, env: { [STRINGIFY]: 'sometimes' } })
    await expect(started).rejects.toBeInstanceOf(EngineOptionError)
    await expect(started).rejects.toThrow(`${STRINGIFY}="sometimes" is not a boolean Hasura accepts`)
  })
})
