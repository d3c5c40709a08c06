import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { createJiti } from 'jiti'
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest'
import { scaffold } from '../../src/commands/scaffold.js'
import { startEngine } from '../../src/engine/index.js'
import { captureContext } from '../helpers/cli.js'
import { client } from '../helpers/engine.js'
import { startHandler } from '../helpers/http.js'
import { postgisDatabase } from '../helpers/pg.js'
import { ROOT, testdir } from '../helpers/project.js'
import { waitFor } from '../helpers/wait.js'

/**
 * Scaffolded row types follow how Hasura builds rows (docs/hasura-compatibility.md, "Payload
 * columns"): PostGIS columns are GeoJSON geometries, and int8 / numeric / float8 are strings when the
 * project's env sets HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES, numbers otherwise.
 */

const STRINGIFY = 'HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES'

const COLUMNS = [
  { name: 'id', type: 'int8', nullable: false },
  { name: 'loc', type: 'geometry', nullable: true },
  { name: 'area', type: 'geography', nullable: true },
  { name: 'amount', type: 'numeric', nullable: true },
  { name: 'ratio', type: 'float8', nullable: false },
  { name: 'price', type: 'money', nullable: true },
  { name: 'n', type: 'int4', nullable: false },
  { name: 'ids', type: '_int8', nullable: false },
  { name: 'shapes', type: '_geometry', nullable: true },
]
const TABLE_SQL = `CREATE TABLE public.places (
  id int8 PRIMARY KEY, loc geometry(Point, 4326), area geography, amount numeric, ratio float8 NOT NULL,
  price money, n int4 NOT NULL, ids int8[] NOT NULL, shapes geometry[])`
const INSERT_SQL = `INSERT INTO public.places VALUES (9007199254740993, 'SRID=4326;POINT(13.4 52.5)',
  'SRID=4326;MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)))', 12345678901234567890.125, 0.1, 1.5, 7, '{1,2}',
  ARRAY['POINT(1 2)'::geometry, 'LINESTRING(0 0, 1 1)'::geometry])`

/** A project with one trigger on public.places, its column cache, and the setting in `.env` (or none). */
function placesProject(template: string, setting: string | undefined): string {
  return testdir({
    'webhooks.config.ts': `import { defineConfig } from 'nself-hooks'
export default defineConfig({
  service: { name: 'geo', template: '${template}', routePrefix: '' },
  triggers: { places_changed: { table: 'places', on: { insert: true }, handler: 'places' } },
})
`,
    'webhooks.columns.json': JSON.stringify({ source: 'postgres', tables: { 'public.places': COLUMNS } }),
    ...(setting === undefined ? {} : { '.env': `${STRINGIFY}=${setting}\n` }),
  })
}

async function scaffolded(template: string, setting: string | undefined) {
  const dir = placesProject(template, setting)
  const c = captureContext(dir)
  expect(await scaffold({ all: true, initService: true }, c.ctx), c.err).toBe(0)
  return { dir, service: join(dir, 'services/geo') }
}

/** Fields of a generated interface, `name: type` each. */
function fieldsOf(ts: string, name: string): string[] {
  const block = ts.slice(ts.indexOf(`export interface ${name} {`)).split('\n}')[0]!
  return [...block.matchAll(/^ {2}(\w+): (.*)$/gm)].map((m) => `${m[1]}: ${m[2]}`)
}

/**
 * tsc --strict over the generated payload module and a file that uses the row the way a handler
 * would: the value types must be exactly these (a string is not assignable to number and back).
 */
async function compileUse(service: string, numbers: 'string' | 'number'): Promise<string> {
  symlinkSync(join(ROOT, 'node_modules'), join(service, 'node_modules'))
  mkdirSync(join(service, 'check'), { recursive: true })
  writeFileSync(
    join(service, 'check/use.ts'),
    `import type { PlacesChangedRow } from '../src/webhooks/_generated/payloads.js'
export function use(row: PlacesChangedRow): number {
  const id: ${numbers} = row.id
  // @ts-expect-error the other setting's type is not what this one sends
  const wrong: ${numbers === 'string' ? 'number' : 'string'} = row.ratio
  // @ts-expect-error a geometry is an object, never PostGIS's text
  const text: string | null = row.loc
  const amount: ${numbers} | null = row.amount
  const ratio: ${numbers} = row.ratio
  const n: number = row.n
  const ids: number[] = row.ids
  const price: string | null = row.price
  let lng = 0
  if (row.loc?.type === 'Point') lng = row.loc.coordinates[0] ?? 0
  if (row.area?.type === 'MultiPolygon') lng += row.area.coordinates.length
  if (row.area?.crs) lng += Object.keys(row.area.crs.properties).length
  for (const s of row.shapes ?? []) if (s.type === 'GeometryCollection') lng += s.geometries.length
  const all = [wrong, text, id, amount, ratio, price]
  return lng + n + ids.length + all.map(String).join('').length
}
`,
  )
  writeFileSync(
    join(service, 'tsconfig.check.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
      },
      files: ['check/use.ts'],
    }),
  )
  const r = await execa(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.check.json', '--strict'], {
    cwd: service,
    reject: false,
  })
  return `${r.stdout}${r.stderr}`.trim()
}

describe('scaffolded row types with HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES off and on', () => {
  it('off (unset): numbers; PostGIS columns GeoJSON; compiles under tsc --strict', async () => {
    const { service } = await scaffolded('express-ts', undefined)
    const ts = readFileSync(join(service, 'src/webhooks/_generated/payloads.ts'), 'utf8')
    expect(fieldsOf(ts, 'PlacesChangedRow')).toEqual([
      'id: number',
      'loc: GeoJsonGeometry | null',
      'area: GeoJsonGeometry | null',
      'amount: number | null',
      'ratio: number',
      'price: string | null',
      'n: number',
      'ids: number[]',
      'shapes: GeoJsonGeometry[] | null',
    ])
    expect(ts).toContain('  loc: geoJsonGeometry.nullable(),')
    expect(ts).toContain('  id: z.number(),')
    expect(ts).toMatch(/ {2}type GeoJsonGeometry,\n/)
    expect(ts).toMatch(/ {2}geoJsonGeometry,\n/)
    expect(ts).toContain('numbers for every numeric type')
    expect(await compileUse(service, 'number')).toBe('')
  }, 120_000)

  it.each(['true', 'Yes'])(
    'on (%s in .env): int8, numeric and float8 are strings and compile as such',
    async (v) => {
      const { service } = await scaffolded('express-ts', v)
      const ts = readFileSync(join(service, 'src/webhooks/_generated/payloads.ts'), 'utf8')
      expect(fieldsOf(ts, 'PlacesChangedRow')).toEqual([
        'id: string',
        'loc: GeoJsonGeometry | null',
        'area: GeoJsonGeometry | null',
        'amount: string | null',
        'ratio: string',
        'price: string | null',
        'n: number',
        // arrays are not converted: Hasura stringifies scalar columns only
        'ids: number[]',
        'shapes: GeoJsonGeometry[] | null',
      ])
      expect(ts).toContain(
        '/** int8 not null; a decimal string, exact: the project env sets HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES */',
      )
      expect(ts).toContain('int8, numeric, float8 and money as strings')
      expect(await compileUse(service, 'string')).toBe('')
    },
    120_000,
  )

  it('fastapi: pydantic fields follow the setting', async () => {
    const off = readFileSync(
      join((await scaffolded('fastapi', undefined)).service, 'webhooks/_generated/payloads.py'),
      'utf8',
    )
    const on = readFileSync(
      join((await scaffolded('fastapi', 'true')).service, 'webhooks/_generated/payloads.py'),
      'utf8',
    )
    expect(off).toContain('from .core import GeoJsonGeometry, HasuraEvent  # noqa: F401')
    expect(off).toMatch(/^ {4}id: int {2}# int8 not null/m)
    expect(off).toMatch(/^ {4}loc: Optional\[GeoJsonGeometry\] = None {2}# geometry;/m)
    expect(off).toMatch(/^ {4}amount: Optional\[float\] = None/m)
    expect(on).toMatch(/^ {4}id: str {2}# int8 not null; a decimal string/m)
    expect(on).toMatch(/^ {4}amount: Optional\[str\] = None/m)
    expect(on).toMatch(/^ {4}ratio: str/m)
    expect(on).toMatch(/^ {4}ids: List\[int\]/m)
  }, 60_000)

  it('a value Hasura would not start with is refused, naming the fix; nothing is written', async () => {
    const dir = placesProject('express-ts', 'sometimes')
    const c = captureContext(dir)
    await expect(scaffold({ all: true, initService: true }, c.ctx)).rejects.toThrow(
      /HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES="sometimes" in the env is not a boolean Hasura accepts/,
    )
    expect(() => readFileSync(join(dir, 'services/geo/package.json'))).toThrow()
  })
})

const postgis = await postgisDatabase()
const skip = 'skip' in postgis ? postgis.skip : undefined

/** The generated zod schema (the code the express-ts service runs) over a body the engine sent. */
async function zodParse(service: string, body: unknown) {
  if (!existsSync(join(service, 'node_modules')))
    symlinkSync(join(ROOT, 'node_modules'), join(service, 'node_modules'))
  const jiti = createJiti(join(service, 'src/index.ts'), { moduleCache: false, fsCache: false })
  const mod = (await jiti.import(join(service, 'src/webhooks/_generated/payloads.ts'))) as Record<
    string,
    { safeParse: (v: unknown) => { success: boolean; error?: unknown } }
  >
  return mod.PlacesChangedPayloadSchema!.safeParse(body)
}

/** Debian's python3 with python3-fastapi and -pydantic (the fastapi runtime imports fastapi). */
const PYTHON = '/usr/bin/python3'
const pythonMissing = await (async () => {
  const r = await execa(PYTHON, ['-c', 'import fastapi, pydantic'], { reject: false }).catch(() => undefined)
  if (r?.exitCode === 0) return undefined
  const reason = `${PYTHON} lacks fastapi/pydantic: apt-get install -y python3-fastapi python3-pydantic`
  if (process.env.CI) throw new Error(reason)
  return reason
})()

/** The generated pydantic model (the fastapi service's) over the same body: '' when it validates. */
async function pydanticErrors(service: string, raw: string): Promise<string> {
  const script = `import sys, json
sys.path.insert(0, sys.argv[1])
from webhooks._generated.payloads import PlacesChangedPayload
data = json.loads(sys.stdin.read())
validate = getattr(PlacesChangedPayload, "model_validate", None) or PlacesChangedPayload.parse_obj
try:
    validate(data)
except Exception as e:
    print(e)
`
  const r = await execa(PYTHON, ['-c', script, service], { input: raw, reject: false })
  return `${r.stdout}${r.stderr}`.trim()
}

describe('the generated validation accepts what the engine sends (PostgreSQL with PostGIS)', () => {
  const it = skip ? test.skip : test
  if (skip) test.skip(`skipped: ${skip}`, () => {})
  /** the body the engine posted for the same insert, by setting */
  const bodies: Record<string, string> = {}
  beforeAll(async () => {
    if ('skip' in postgis) return
    const hook = await startHandler()
    try {
      for (const setting of ['false', 'true']) {
        const engine = await startEngine({
          port: 0,
          adminSecret: 's',
          pollIntervalMs: 100,
          databaseUrl: postgis.url,
          env: { [STRINGIFY]: setting },
        })
        try {
          const api = client(engine, 's')
          if (setting === 'false') {
            await api.sql(TABLE_SQL)
            await api.ok('pg_track_table', { table: { schema: 'public', name: 'places' } })
            await api.ok('pg_create_event_trigger', {
              name: 'places_changed',
              table: { schema: 'public', name: 'places' },
              insert: { columns: '*' },
              webhook: `${hook.url}/places`,
            })
          } else await api.sql('DELETE FROM public.places')
          const before = hook.requests.length
          await api.sql(INSERT_SQL)
          const r = await waitFor(() => hook.requests[before], `delivery with the setting ${setting}`)
          bodies[setting] = r.raw
        } finally {
          await engine.stop()
        }
      }
    } finally {
      await hook.close()
    }
  }, 120_000)
  afterAll(async () => {
    if (!('skip' in postgis)) await postgis.drop()
  })

  it.each([
    ['false', 'true'],
    ['true', 'false'],
  ])(
    'express-ts zod schema scaffolded with the setting %s: accepts that body, refuses the other',
    async (setting, other) => {
      const { service } = await scaffolded('express-ts', setting)
      const mine = await zodParse(service, JSON.parse(bodies[setting]!))
      expect(mine.success, JSON.stringify(mine.error)).toBe(true)
      expect((await zodParse(service, JSON.parse(bodies[other]!))).success).toBe(false)
    },
    60_000,
  )

  const py = skip ?? pythonMissing
  ;(py ? test.skip : test).each(['false', 'true'])(
    `fastapi pydantic model scaffolded with the setting %s accepts that body${py ? ` (skipped: ${py})` : ''}`,
    async (setting) => {
      const { service } = await scaffolded('fastapi', setting)
      expect(await pydanticErrors(service, bodies[setting]!)).toBe('')
    },
    60_000,
  )
})
