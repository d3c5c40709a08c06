import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { backends, type Client, engineFor, uniq } from '../helpers/engine.js'
import { startHandler } from '../helpers/http.js'
import { waitFor } from '../helpers/wait.js'

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

  async function eventOf(trigger: string, done = (e: any) => e.delivered || e.error) {
    return waitFor(async () => {
      const list = await api.ok('pg_get_event_logs', { name: trigger, source: 'default' })
      return list.find(done)
    }, `an event of ${trigger} to finish`)
  }

  it("follows up to 10 redirects like Hasura's HTTP client; an 11th fails the attempt", async () => {
    // /hop/N/<code>/... redirects N more times with that status, then /end answers 200
    const h = await startHandler((r) => {
      const m = /^\/hop\/(\d+)\/(\d+)\/(\w+)$/.exec(r.path)
      if (!m) return { status: 200, body: 'done' }
      const left = Number(m[1])
      return {
        status: Number(m[2]),
        headers: { Location: left > 1 ? `/hop/${left - 1}/${m[2]}/${m[3]}` : `/end/${m[3]}` },
      }
    })
    try {
      const t = await table()
      const make = async (hops: number, code: number) => {
        const name = uniq(`r${code}`)
        await api.ok('pg_create_event_trigger', {
          name,
          table: { schema: 'public', name: t },
          insert: { columns: '*' },
          webhook: `${h.url}/hop/${hops}/${code}/${name}`,
        })
        return name
      }
      const ten = await make(10, 307)
      const eleven = await make(11, 307)
      const seeOther = await make(2, 303)
      await api.sql(`INSERT INTO public.${t} (email) VALUES ('x@y.z')`)
      const ok = await eventOf(ten)
      expect(ok).toMatchObject({ delivered: true, error: false, tries: 1 })
      // 307 keeps the method and the body all the way
      const end = h.requests.find((r) => r.path === `/end/${ten}`)!
      expect(end.body.trigger.name).toBe(ten)
      expect(h.requests.filter((r) => r.path.endsWith(`/307/${ten}`))).toHaveLength(10)
      const failed = await eventOf(eleven)
      expect(failed).toMatchObject({ delivered: false, error: true, tries: 1 })
      expect(h.requests.some((r) => r.path === `/end/${eleven}`)).toBe(false)
      const inv = await api.ok('pg_get_event_invocation_logs', { name: eleven, source: 'default' })
      expect(inv[0].http_status).toBeNull()
      // http-client's TooManyRedirects, as Hasura's serializeHTTPExceptionWithErrorMessage words it
      expect(JSON.parse(inv[0].response.data.message).message).toBe('Too many redirects: 11 redirects')
      // 302 and 303 turn into a GET without body, as http-client does
      expect(await eventOf(seeOther)).toMatchObject({ delivered: true })
      const got = h.requests.find((r) => r.path === `/end/${seeOther}`)!
      expect(got.raw).toBe('')
      expect(got.headers['content-type']).toBeUndefined()
    } finally {
      await h.close()
    }
  })

  it('sends a real Hasura v2 User-Agent, the default headers before the configured ones', async () => {
    const h = await startHandler()
    try {
      const t = await table()
      const name = uniq('ua')
      await api.ok('pg_create_event_trigger', {
        name,
        table: { schema: 'public', name: t },
        insert: { columns: '*' },
        webhook: `${h.url}/ua`,
        headers: [
          { name: 'X-First', value: 'one' },
          { name: 'user-agent', value: 'spoofed' },
          { name: 'Content-Type', value: 'text/plain' },
        ],
      })
      await api.sql(`INSERT INTO public.${t} (email) VALUES ('ua@x.y')`)
      await eventOf(name)
      const req = h.forTrigger(name)[0]!
      expect(req.headers['user-agent']).toMatch(/^hasura-graphql-engine\/v2\.\d+\.\d+$/)
      expect(req.headers['content-type']).toBe('application/json')
      const names = req.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase())
      expect(names.indexOf('content-type')).toBeLessThan(names.indexOf('x-first'))
      expect(names.indexOf('user-agent')).toBeLessThan(names.indexOf('x-first'))
      expect(names.filter((n) => n === 'user-agent')).toHaveLength(1)
      const version = (await (await fetch(`${ctx.engine.url}/v1/version`)).json()) as { version: string }
      expect(req.headers['user-agent']).toBe(`hasura-graphql-engine/${version.version}`)
    } finally {
      await h.close()
    }
  })

  it('keeps 100 to 199 cron events ahead: 100 more once fewer than 100 remain', async () => {
    const name = uniq('horizon')
    await api.ok('create_cron_trigger', {
      name,
      webhook: 'http://127.0.0.1:9/cron',
      schedule: '0 0 1 1 *',
      include_in_metadata: true,
    })
    const ahead = async () =>
      (
        await ctx.engine.query(
          `SELECT count(*)::int AS n, max(scheduled_time) AS last FROM hdb_catalog.hdb_cron_events
            WHERE trigger_name = $1 AND status = 'scheduled' AND scheduled_time > now()`,
          [name],
        )
      ).rows[0] as { n: number; last: Date }
    await waitFor(async () => (await ahead()).n === 100, '100 cron events')
    // one short of 100: the next pass adds 100 after the latest (199 ahead), not just one
    const before = await ahead()
    await ctx.engine.query(
      `DELETE FROM hdb_catalog.hdb_cron_events WHERE trigger_name = $1 AND scheduled_time = (
         SELECT min(scheduled_time) FROM hdb_catalog.hdb_cron_events WHERE trigger_name = $1)`,
      [name],
    )
    await api.ok('reload_metadata', {})
    await waitFor(async () => (await ahead()).n === 199, '199 cron events')
    const after = await ahead()
    expect(new Date(after.last).getUTCFullYear()).toBe(new Date(before.last).getUTCFullYear() + 100)
    // at 100 or more nothing is added
    await api.ok('reload_metadata', {})
    await new Promise((r) => setTimeout(r, 600))
    expect((await ahead()).n).toBe(199)
  })

  it('an unset env name makes a trigger or cron inconsistent, as Hasura resolves them when it builds metadata', async () => {
    const env: Record<string, string | undefined> = {}
    const own = await engineFor(backend, { env })
    const h = await startHandler()
    try {
      const a = own.api
      const t = uniq('t')
      await a.sql(`CREATE TABLE public.${t} (id serial primary key, v text)`)
      await a.ok('pg_track_table', { table: { schema: 'public', name: t } })
      const base = { table: { schema: 'public', name: t }, insert: { columns: '*' } }
      const cases: [Record<string, unknown>, string][] = [
        [{ webhook_from_env: 'NH_UNSET_URL' }, "environment variable 'NH_UNSET_URL' not set"],
        [
          { webhook: '{{NH_UNSET_A}}/x/{{NH_UNSET_B}}' },
          'Value for environment variables not found: NH_UNSET_A, NH_UNSET_B',
        ],
        [
          { webhook: `${h.url}/x`, headers: [{ name: 'X-K', value_from_env: 'NH_UNSET_K' }] },
          "environment variable 'NH_UNSET_K' not set",
        ],
        [
          { webhook: `${h.url}/x`, headers: [{ name: 'Authorization', value: 'Bearer {{NH_UNSET_T}}' }] },
          'template cannot be resolved: NH_UNSET_T',
        ],
      ]
      for (const [extra, message] of cases) {
        const r = await a.metadata('pg_create_event_trigger', { name: uniq('env'), ...base, ...extra })
        expect(r.status, message).toBe(400)
        expect(r.body, message).toMatchObject({
          code: 'invalid-configuration',
          error: `Inconsistent object: ${message}`,
        })
      }
      const cron = await a.metadata('create_cron_trigger', {
        name: uniq('envcron'),
        webhook: '{{NH_UNSET_CRON}}/c',
        schedule: '* * * * *',
        include_in_metadata: false,
      })
      expect(cron.body).toMatchObject({
        code: 'invalid-configuration',
        error: 'Inconsistent object: Value for environment variables not found: NH_UNSET_CRON',
      })
      // nothing of the refused commands was kept
      const { metadata } = await a.ok('export_metadata', {}, { version: 2 })
      expect(metadata.sources[0].tables.find((x: any) => x.table.name === t).event_triggers).toBeUndefined()
      // a strict replace_metadata is refused; allowed, the trigger is inconsistent and its events wait
      const name = uniq('waits')
      metadata.sources[0].tables.find((x: any) => x.table.name === t).event_triggers = [
        {
          name,
          definition: { enable_manual: false, insert: { columns: '*' } },
          retry_conf: { interval_sec: 10, num_retries: 0, timeout_sec: 60 },
          webhook: `${h.url}/late`,
          headers: [{ name: 'X-Secret', value_from_env: 'NH_LATE_SECRET' }],
        },
      ]
      const strict = await a.metadata('replace_metadata', { metadata }, { version: 2 })
      expect(strict.status).toBe(400)
      expect(strict.body).toMatchObject({
        code: 'unexpected',
        error: 'cannot continue due to inconsistent metadata',
      })
      const loose = await a.ok(
        'replace_metadata',
        { metadata, allow_inconsistent_metadata: true },
        { version: 2 },
      )
      expect(loose.is_consistent).toBe(false)
      expect(loose.inconsistent_objects[0]).toMatchObject({
        type: 'event_trigger',
        reason: "Inconsistent object: environment variable 'NH_LATE_SECRET' not set",
      })
      await a.sql(`INSERT INTO public.${t} (v) VALUES ('waiting')`)
      await new Promise((r) => setTimeout(r, 1200))
      const [pending] = await a.ok('pg_get_event_logs', { name, status: 'pending' })
      expect(pending).toMatchObject({ delivered: false, error: false, tries: 0 })
      expect(h.requests).toHaveLength(0)
      // once the variable is there (and metadata reloaded), the waiting event goes out with it
      env.NH_LATE_SECRET = 'late-value'
      const reloaded = await a.ok('reload_metadata', {})
      expect(reloaded.is_consistent ?? true).toBe(true)
      const got = await waitFor(() => h.requests.find((r) => r.path === '/late'), 'the waiting event')
      expect(got.headers['x-secret']).toBe('late-value')
      expect(got.body.event.data.new.v).toBe('waiting')
    } finally {
      await h.close()
      await own.stop()
    }
  })
})
