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
})
