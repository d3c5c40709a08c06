import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { backends, type Client, engineFor, uniq } from './helpers.js'

// Details where the engine matches what Hasura's source does (docs/hasura-compatibility.md).
describe.each(backends)('Hasura fidelity on $name', (backend) => {
  let ctx: Awaited<ReturnType<typeof engineFor>>
  let api: Client
  beforeAll(async () => {
    if (backend.skip) return
    ctx = await engineFor(backend)
    api = ctx.api
  })
  afterAll(async () => {
    await ctx?.stop()
  })
  const it = backend.skip ? test.skip : test

  async function table(cols = 'id serial primary key, email text, name text') {
    const t = uniq('t')
    await api.sql(`CREATE TABLE public.${t} (${cols})`)
    await api.ok('pg_track_table', { source: 'default', table: { schema: 'public', name: t } })
    return t
  }
  const exported = async (t: string) => {
    const { metadata } = await api.ok('export_metadata', {}, { version: 2 })
    return metadata.sources[0].tables.find((x: any) => x.table.name === t)
  }

  it('exports a definition with its keys sorted, as Hasura does: delete before enable_manual', async () => {
    const t = await table()
    const name = uniq('all_ops')
    await api.ok('pg_create_event_trigger', {
      name,
      table: { schema: 'public', name: t },
      // given in another order on purpose
      enable_manual: true,
      update: { payload: ['id'], columns: ['email'] },
      insert: { columns: '*' },
      delete: { columns: '*' },
      webhook: 'http://127.0.0.1:9/hook',
    })
    const entry = (await exported(t)).event_triggers[0]
    expect(Object.keys(entry.definition)).toEqual(['delete', 'enable_manual', 'insert', 'update'])
    expect(Object.keys(entry.definition.update)).toEqual(['columns', 'payload'])
    // replace_metadata of a hand-ordered document exports sorted too
    const { metadata } = await api.ok('export_metadata', {}, { version: 2 })
    const mine = metadata.sources[0].tables.find((x: any) => x.table.name === t)
    mine.event_triggers[0].definition = { enable_manual: false, delete: { columns: '*' } }
    await api.ok('replace_metadata', { metadata }, { version: 2 })
    expect(Object.keys((await exported(t)).event_triggers[0].definition)).toEqual(['delete', 'enable_manual'])
  })

  it("answers Hasura's codes and messages for bad trigger commands and unknown logs", async () => {
    const t = await table()
    const other = await table()
    const name = uniq('codes')
    const create = (extra: Record<string, unknown>) =>
      api.metadata('pg_create_event_trigger', {
        name,
        table: { schema: 'public', name: t },
        insert: { columns: '*' },
        webhook: 'http://127.0.0.1:9/hook',
        ...extra,
      })
    // a listened column that is not there
    const col = await create({ update: { columns: ['email', 'no"such col'] } })
    expect(col.status).toBe(400)
    expect(col.body).toMatchObject({ code: 'not-exists', error: 'column "no"such col" does not exist' })
    // a table that is missing, and one that exists but is not tracked
    const missing = await create({ table: { schema: 'public', name: 'nope_never' } })
    expect(missing.body).toMatchObject({
      code: 'not-exists',
      error: 'table "nope_never" does not exist in source: default',
    })
    const untracked = uniq('u')
    await api.sql(`CREATE SCHEMA IF NOT EXISTS other; CREATE TABLE other.${untracked} (id int)`)
    const u = await create({ table: { schema: 'other', name: untracked } })
    expect(u.status).toBe(400)
    expect(u.body.error).toBe(`table "other.${untracked}" does not exist in source: default`)
    // replacing onto another table
    expect((await create({})).status).toBe(200)
    const moved = await create({ replace: true, table: { schema: 'public', name: other } })
    expect(moved.status).toBe(400)
    expect(moved.body).toMatchObject({
      code: 'not-supported',
      error: 'cannot replace table or schema for trigger',
    })
    // logs of an unknown trigger: 400, not an empty list
    for (const cmd of ['pg_get_event_logs', 'pg_get_event_invocation_logs']) {
      const r = await api.metadata(cmd, { name: 'never_was', source: 'default' })
      expect(r.status, cmd).toBe(400)
      expect(r.body, cmd).toMatchObject({
        code: 'not-exists',
        error: 'event trigger "never_was" does not exist',
      })
    }
    expect(await api.ok('pg_get_event_logs', { name, source: 'default' })).toEqual([])
    // an unknown event id, without quotes
    const id = '6a8b2e1c-0000-4000-8000-000000000000'
    const byId = await api.metadata('pg_get_event_by_id', { event_id: id, source: 'default' })
    expect(byId.status).toBe(400)
    expect(byId.body).toMatchObject({ code: 'not-exists', error: `event id ${id} does not exist` })
  })
})
