import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { diff } from '../../src/commands/diff.js'
import { generate } from '../../src/commands/generate.js'
import { sync } from '../../src/commands/sync.js'
import type { Context } from '../../src/context.js'
import { type Engine, startEngine } from '../../src/engine/index.js'
import { client, SECRET, serverProject } from '../helpers/engine.js'
import { freshDatabase, postgresUnavailable } from '../helpers/pg.js'
import { config } from '../helpers/project.js'

// After `sync --rollback`, the record of what sync applied to a server follows the server back;
// after a trigger whose table nself-hooks tracked is deleted, the files and the server both stop
// tracking the table, and `diff --against server` says when the server still does.

const pgReason = await postgresUnavailable()

function run(cwd: string) {
  let out = ''
  let err = ''
  const sink = (add: (s: string) => void) =>
    new Writable({
      write: (c, _e, cb) => {
        add(String(c))
        cb()
      },
    })
  const ctx: Context = {
    cwd,
    env: {},
    stdout: sink((s) => (out += s)),
    stderr: sink((s) => (err += s)),
    isTTY: false,
    color: false,
    verbose: false,
  }
  return { ctx, out: () => out, err: () => err }
}

const USERS_TRIGGER = `user_created: { table: 'users', on: { insert: true }, webhook: 'http://hooks.local/u' }`
const ORDERS_TRIGGER = `order_paid: { table: { schema: 'shop', name: 'orders' }, on: { update: { columns: ['status'] } }, webhook: 'http://hooks.local/o' }`

const engines = [
  {
    name: 'PGlite',
    start: async () => ({
      engine: await startEngine({ port: 0, adminSecret: SECRET }),
      drop: async () => {},
    }),
  },
  {
    name: 'PostgreSQL',
    skip: pgReason,
    start: async () => {
      const db = await freshDatabase()
      return {
        engine: await startEngine({ databaseUrl: db.url, port: 0, adminSecret: SECRET }),
        drop: db.drop,
      }
    },
  },
]

describe.each(engines)('the records of what is managed, on $name', ({ start, skip }) => {
  let engine: Engine
  let drop: () => Promise<void>
  beforeAll(async () => {
    if (skip) return
    ;({ engine, drop } = await start())
    await engine.query(
      'CREATE TABLE public.users (id serial primary key, email text); CREATE SCHEMA shop; CREATE TABLE shop.orders (id serial primary key, status text)',
    )
    // users is tracked as a project's table would be; shop.orders is not tracked by anyone yet
    await client(engine.url).ok('pg_track_table', {
      source: 'default',
      table: { schema: 'public', name: 'users' },
    })
  }, 120_000)
  afterAll(async () => {
    await engine?.stop()
    await drop?.()
  })

  it.skipIf(skip)(
    'after --rollback the record of what sync applied there follows the server back, and undoing the rollback brings it back too',
    async () => {
      const url = engine.url
      const dir = serverProject(url, `{ hasura: { endpoint: 'ENDPOINT' }, triggers: { ${USERS_TRIGGER} } }`)
      const record = () =>
        JSON.parse(readFileSync(join(dir, '.nself-hooks/synced.json'), 'utf8')).endpoints[url] as unknown
      const applied = { eventTriggers: [{ source: 'default', name: 'user_created' }], cronTriggers: [] }
      expect(await sync({ yes: true }, run(dir).ctx)).toBe(0)
      expect(Object.keys(await client(url).triggers())).toEqual(['user_created'])
      expect(record()).toEqual(applied)

      // back to before the sync: the trigger is gone from the server, and from the record of it
      expect(await sync({ rollback: true, yes: true }, run(dir).ctx)).toBe(0)
      expect(await client(url).triggers()).toEqual({})
      expect(record()).toBeUndefined()
      const after = run(dir)
      expect(await diff({ against: 'server' }, after.ctx)).toBe(2)
      expect(after.out()).toContain('+ event_trigger user_created')

      // undoing the rollback brings the trigger back as sync applied it: still ours, nothing to adopt
      expect(await sync({ rollback: true, yes: true }, run(dir).ctx)).toBe(0)
      expect(Object.keys(await client(url).triggers())).toEqual(['user_created'])
      expect(record()).toEqual(applied)
      const plan = run(dir)
      expect(await sync({ dryRun: true }, plan.ctx)).toBe(0)
      expect(plan.out()).toContain('no changes: the server matches the config')
      expect(plan.out()).not.toContain('adopt')

      // and once more: gone again, from the server and the record
      expect(await sync({ rollback: true, yes: true }, run(dir).ctx)).toBe(0)
      expect(await client(url).triggers()).toEqual({})
      expect(record()).toBeUndefined()
    },
    120_000,
  )

  it.skipIf(skip)(
    'a trigger deleted from the config untracks the table nself-hooks tracked for it, in the files and on the server; diff says when the server still tracks it',
    async () => {
      const url = engine.url
      const dir = serverProject(
        url,
        `{ hasura: { endpoint: 'ENDPOINT' }, triggers: { ${USERS_TRIGGER}, ${ORDERS_TRIGGER} } }`,
      )
      const tableFile = join(dir, 'hasura/metadata/databases/default/tables/shop_orders.yaml')
      const tracked = async () =>
        (((await client(url).export()).metadata.sources as any[])[0].tables as any[]).map(
          (t) => `${t.table.schema}.${t.table.name}`,
        )
      const first = run(dir)
      expect(await sync({ yes: true }, first.ctx)).toBe(0)
      expect(first.out()).toContain('+ track table shop.orders')
      expect(existsSync(tableFile)).toBe(true)
      expect((await tracked()).sort()).toEqual(['public.users', 'shop.orders'])

      // the trigger leaves the config; generate alone untracks the table in the files
      writeFileSync(
        join(dir, 'webhooks.config.ts'),
        config(`{ hasura: { endpoint: '${url}' }, triggers: { ${USERS_TRIGGER} } }`),
      )
      expect(await generate({}, run(dir).ctx)).toBe(0)
      expect(existsSync(tableFile)).toBe(false)
      // and the trigger is deleted on the server by hand: triggers agree, table tracking does not
      await client(url).ok('pg_delete_event_trigger', { name: 'order_paid', source: 'default' })

      const text = run(dir)
      expect(await diff({ against: 'all' }, text.ctx)).toBe(2)
      expect(text.out()).toMatch(/config vs metadata files[^\n]*:\n {2}in sync\n/)
      expect(text.out()).toContain('- table shop.orders still tracked')
      const json = run(dir)
      expect(await diff({ against: 'server', json: true }, json.ctx)).toBe(2)
      const body = JSON.parse(json.out())
      expect(body.format_version).toBe(1)
      expect(body.in_sync).toBe(false)
      expect(body.changes).toEqual([])
      expect(body.untracked_tables).toEqual({
        server: [{ source: 'default', schema: 'shop', name: 'orders' }],
      })

      // sync untracks it: files and server agree again, and diff says so
      const dry = run(dir)
      expect(await sync({ dryRun: true, exitCode: true }, dry.ctx)).toBe(2)
      expect(dry.out()).toContain('- untrack table shop.orders')
      expect((await tracked()).sort()).toEqual(['public.users', 'shop.orders'])
      const apply = run(dir)
      expect(await sync({ yes: true }, apply.ctx)).toBe(0)
      expect(apply.out()).toContain('and 1 table untracked')
      expect(await tracked()).toEqual(['public.users'])
      expect(await diff({ against: 'all' }, run(dir).ctx)).toBe(0)
      // a table the server tracked before nself-hooks came (users) stays tracked when its trigger goes
      writeFileSync(
        join(dir, 'webhooks.config.ts'),
        config(`{ hasura: { endpoint: '${url}' }, triggers: {} }`),
      )
      expect(await sync({ yes: true, allowDeleteAll: true }, run(dir).ctx)).toBe(0)
      expect(await tracked()).toEqual(['public.users'])
      expect(JSON.parse(readFileSync(join(dir, '.nself-hooks/synced.json'), 'utf8')).endpoints[url]).toEqual({
        eventTriggers: [],
        cronTriggers: [],
      })
    },
    120_000,
  )
})
