import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { columnsFromHasura } from '../../src/hasura/introspect.js'
import { backends, type Client, engineFor, SECRET, uniq } from '../helpers/engine.js'

/** Hasura's /v1/metadata wraps an argument parse failure in this text (see the transform fixtures). */
const wrapped = (cmd: string, msg: string) =>
  `Error when parsing command ${cmd}.\nSee our documentation at https://hasura.io/docs/latest/graphql/core/api-reference/metadata-api/index.html#metadata-apis.\nInternal error message: ${msg}`

/** A table with an insert trigger, as export_metadata shows it. */
function triggerEntry(name: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    definition: { enable_manual: false, insert: { columns: '*' } },
    retry_conf: { interval_sec: 10, num_retries: 0, timeout_sec: 60 },
    webhook: 'http://127.0.0.1:9/hook',
    ...extra,
  }
}

describe.each(backends)('metadata API on $name', (backend) => {
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
  const createTrigger = (name: string, t: string, extra: Record<string, unknown> = {}) =>
    api.metadata('pg_create_event_trigger', {
      name,
      source: 'default',
      table: { schema: 'public', name: t },
      insert: { columns: '*' },
      webhook: 'http://127.0.0.1:9/hook',
      ...extra,
    })

  it('GET /healthz answers 200 OK', async () => {
    const res = await fetch(`${ctx.engine.url}/healthz`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('OK')
  })

  it('a wrong or missing admin secret is refused with 401 and Hasura bodies', async () => {
    const wrong = await api.post(
      '/v1/metadata',
      { type: 'export_metadata', args: {} },
      { 'X-Hasura-Admin-Secret': 'nope' },
    )
    expect(wrong.status).toBe(401)
    expect(wrong.body).toEqual({
      error: 'invalid x-hasura-admin-secret/x-hasura-access-key',
      path: '$',
      code: 'access-denied',
    })
    const res = await fetch(`${ctx.engine.url}/v1/metadata`, {
      method: 'POST',
      body: '{"type":"export_metadata","args":{}}',
    })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({
      error: 'x-hasura-admin-secret/x-hasura-access-key required, but not found',
      path: '$',
      code: 'access-denied',
    })
    // header names are case-insensitive
    const upper = await fetch(`${ctx.engine.url}/v1/metadata`, {
      method: 'POST',
      headers: { 'X-HASURA-ADMIN-SECRET': SECRET },
      body: '{"type":"export_metadata","args":{}}',
    })
    expect(upper.status).toBe(200)
  })

  it('export_metadata v1 returns the metadata, v2 wraps it with resource_version', async () => {
    const v1 = await api.ok('export_metadata')
    expect(v1.version).toBe(3)
    expect(v1.sources[0]).toMatchObject({ name: 'default', kind: 'postgres' })
    const v2 = await api.ok('export_metadata', {}, { version: 2 })
    expect(Object.keys(v2)).toEqual(['resource_version', 'metadata'])
    expect(typeof v2.resource_version).toBe('number')
    expect(v2.metadata).toEqual(v1)
  })

  it('replace_metadata keeps unknown keys verbatim and bumps resource_version', async () => {
    const t = uniq('t')
    await api.sql(`CREATE TABLE ${t} (id int, owner_id int)`)
    const before = await api.ok('export_metadata', {}, { version: 2 })
    const metadata = structuredClone(before.metadata)
    const src = metadata.sources.find((s: any) => s.name === 'default')
    src.tables.push({
      table: { name: t, schema: 'public' },
      object_relationships: [{ name: 'owner', using: { foreign_key_constraint_on: 'owner_id' } }],
      select_permissions: [{ role: 'user', permission: { columns: ['id'], filter: {} } }],
      event_triggers: [triggerEntry(uniq('keep'))],
      some_future_key: { x: [1, 2] },
    })
    metadata.actions = [{ name: 'login', definition: { handler: 'http://x', kind: 'synchronous' } }]
    metadata.remote_schemas = [{ name: 'rs', definition: { url: 'http://rs' } }]
    const r = await api.metadata(
      'replace_metadata',
      { metadata, allow_inconsistent_metadata: false },
      { version: 2 },
    )
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ is_consistent: true, inconsistent_objects: [] })
    // the same table twice is refused, as Hasura does
    const twice = structuredClone(metadata)
    twice.sources[0].tables.push({ table: { name: t, schema: 'public' } })
    const dup = await api.metadata('replace_metadata', { metadata: twice }, { version: 2 })
    expect(dup.status).toBe(400)
    expect(dup.body).toMatchObject({
      code: 'parse-failed',
      error: `multiple declarations exist for the following tables: ${t}`,
    })
    const after = await api.ok('export_metadata', {}, { version: 2 })
    expect(after.resource_version).toBe(before.resource_version + 1)
    const exported = after.metadata.sources[0].tables.find((x: any) => x.table.name === t)
    expect(exported.object_relationships).toEqual([
      { name: 'owner', using: { foreign_key_constraint_on: 'owner_id' } },
    ])
    expect(exported.some_future_key).toEqual({ x: [1, 2] })
    expect(after.metadata.actions).toEqual(metadata.actions)
    expect(after.metadata.remote_schemas).toEqual(metadata.remote_schemas)
    // key order of a table: Hasura's export order
    expect(Object.keys(exported)).toEqual([
      'table',
      'object_relationships',
      'select_permissions',
      'event_triggers',
      'some_future_key',
    ])
  })

  it('a stale resource_version is a 409 conflict', async () => {
    const { resource_version } = await api.ok('export_metadata', {}, { version: 2 })
    const t = await table()
    const r = await api.post('/v1/metadata', {
      type: 'pg_create_event_trigger',
      resource_version,
      args: { name: uniq('c'), table: t, insert: { columns: '*' }, webhook: 'http://x' },
    })
    expect(r.status).toBe(409)
    expect(r.body).toEqual({
      error: `metadata resource version referenced (${resource_version}) did not match current version`,
      path: '$',
      code: 'conflict',
    })
    const current = (await api.ok('export_metadata', {}, { version: 2 })).resource_version
    const ok = await api.post('/v1/metadata', {
      type: 'pg_create_event_trigger',
      resource_version: current,
      args: { name: uniq('c'), table: t, insert: { columns: '*' }, webhook: 'http://x' },
    })
    expect(ok.status).toBe(200)
  })

  it('inconsistent metadata is refused in strict mode and reported when allowed', async () => {
    const t = await table('id int, email text')
    const base = (await api.ok('export_metadata')) as any
    const metadata = structuredClone(base)
    metadata.sources[0].tables.push({ table: { name: 'no_such_table', schema: 'public' } })
    metadata.cron_triggers = [
      ...(metadata.cron_triggers ?? []),
      { name: uniq('badsched'), webhook: 'http://x', schedule: 'every day', include_in_metadata: true },
    ]
    metadata.sources[0].tables.find((x: any) => x.table.name === t).event_triggers = [
      {
        ...triggerEntry(uniq('badcol')),
        definition: { enable_manual: false, update: { columns: ['nope'] } },
      },
    ]
    const strict = await api.metadata('replace_metadata', { metadata }, { version: 2 })
    expect(strict.status).toBe(400)
    expect(strict.body).toMatchObject({
      error: 'cannot continue due to inconsistent metadata',
      code: 'unexpected',
    })
    expect(await api.ok('export_metadata')).toEqual(base)

    const loose = await api.metadata(
      'replace_metadata',
      { metadata, allow_inconsistent_metadata: true },
      { version: 2 },
    )
    expect(loose.status).toBe(200)
    expect(loose.body.is_consistent).toBe(false)
    const types = loose.body.inconsistent_objects.map((o: any) => [o.type, o.name])
    expect(types).toContainEqual(['table', 'table no_such_table in source default'])
    expect(loose.body.inconsistent_objects.find((o: any) => o.type === 'table').reason).toBe(
      'Inconsistent object: no such table/view exists in source: "no_such_table"',
    )
    expect(types.some(([type]: string[]) => type === 'event_trigger')).toBe(true)
    expect(types.some(([type]: string[]) => type === 'cron_trigger')).toBe(true)
    const inc = await api.ok('get_inconsistent_metadata')
    expect(inc.is_consistent).toBe(false)
    expect(await (await fetch(`${ctx.engine.url}/healthz`)).text()).toBe(
      'WARN: inconsistent objects in schema',
    )
    expect(inc.inconsistent_objects).toHaveLength(loose.body.inconsistent_objects.length)
    // back to consistent
    await api.ok('replace_metadata', { metadata: base }, { version: 2 })
    expect((await api.ok('get_inconsistent_metadata')).is_consistent).toBe(true)
    expect(await (await fetch(`${ctx.engine.url}/healthz`)).text()).toBe('OK')
  })

  it('duplicate trigger names inside replace_metadata are refused', async () => {
    const a = await table()
    const b = await table()
    const metadata = structuredClone(await api.ok('export_metadata')) as any
    metadata.sources[0].tables.push(
      { table: { name: a, schema: 'public' }, event_triggers: [triggerEntry('dup_x')] },
      { table: { name: b, schema: 'public' }, event_triggers: [triggerEntry('dup_x')] },
    )
    const r = await api.metadata('replace_metadata', { metadata }, { version: 2 })
    expect(r.status).toBe(400)
    expect(r.body).toMatchObject({
      code: 'not-supported',
      error: 'Event trigger with duplicate names not allowed: "dup_x"',
    })
  })

  it('pg_create_event_trigger argument errors carry Hasura codes and messages', async () => {
    const t = await table()
    const cases: [Record<string, unknown>, number, string, string][] = [
      [
        { name: "bad'name" },
        400,
        'parse-failed',
        'only alphanumeric and underscore and hyphens allowed for name',
      ],
      [{ name: 'a'.repeat(43) }, 400, 'parse-failed', 'event trigger name can be at most 42 characters'],
      [
        { insert: undefined },
        400,
        'parse-failed',
        'atleast one amongst insert/update/delete/enable_manual spec must be provided',
      ],
      [
        { webhook_from_env: 'X' },
        400,
        'parse-failed',
        'only one of webhook or webhook_from_env should be given',
      ],
      [{ webhook: undefined }, 400, 'parse-failed', 'must provide webhook or webhook_from_env'],
      [{ insert: { columns: [] } }, 400, 'parse-failed', 'found empty column specification'],
      [{ insert: { columns: '*', payload: [] } }, 400, 'parse-failed', 'found empty payload specification'],
    ]
    for (const [override, status, code, error] of cases) {
      const args: Record<string, unknown> = {
        name: uniq('e'),
        table: { schema: 'public', name: t },
        insert: { columns: '*' },
        webhook: 'http://x',
        ...override,
      }
      for (const k of Object.keys(args)) if (args[k] === undefined) delete args[k]
      const r = await api.metadata('pg_create_event_trigger', args)
      expect({ status: r.status, code: r.body.code, error: r.body.error, path: r.body.path }).toEqual({
        status,
        code,
        error: wrapped('create_event_trigger', error),
        path: '$.args',
      })
    }
    const max = 'a'.repeat(42)
    expect((await createTrigger(max, t)).status).toBe(200)
  })

  it('duplicate, unknown, replace and untracked-table errors', async () => {
    const t = await table()
    const name = uniq('dupe')
    expect((await createTrigger(name, t)).status).toBe(200)
    const dup = await createTrigger(name, t)
    expect(dup.status).toBe(400)
    expect(dup.body).toMatchObject({
      code: 'already-exists',
      error: `Event trigger with name "${name}" already exists`,
    })

    const del = await api.metadata('pg_delete_event_trigger', { name: 'never_was', source: 'default' })
    expect(del.status).toBe(400)
    expect(del.body).toMatchObject({ code: 'not-exists', error: 'event trigger "never_was" does not exist' })

    const rep = await createTrigger(uniq('ghost'), t, { replace: true })
    expect(rep.status).toBe(400)
    expect(rep.body.code).toBe('not-exists')

    const other = await table()
    const move = await createTrigger(name, other, { replace: true })
    expect(move.status).toBe(400)

    // a missing payload column makes the trigger itself inconsistent: invalid-configuration with the reason
    const badCol = await createTrigger(uniq('badcol'), t, {
      update: { columns: ['email'], payload: ['nope'] },
    })
    expect(badCol.status).toBe(400)
    expect(badCol.body.code).toBe('invalid-configuration')
    expect(badCol.body.error).toMatch(/^Inconsistent object: .*"nope"/)

    const raw = uniq('raw')
    await api.sql(`CREATE TABLE ${raw} (id int)`)
    const untracked = await createTrigger(uniq('u'), raw)
    expect(untracked.status).toBe(400)
    expect(untracked.body.code).toBe('not-exists')
  })

  it('untrack fails while triggers depend on the table unless cascade', async () => {
    const t = await table()
    const name = uniq('dep')
    expect((await createTrigger(name, t)).status).toBe(200)
    const r = await api.metadata('pg_untrack_table', {
      table: { schema: 'public', name: t },
      source: 'default',
    })
    expect(r.status).toBe(400)
    expect(r.body).toMatchObject({
      code: 'dependency-error',
      error: `cannot drop due to the following dependent objects: event-trigger ${t}.${name} in source "default"`,
    })
    const c = await api.metadata('pg_untrack_table', { table: { schema: 'public', name: t }, cascade: true })
    expect(c.status).toBe(200)
    const exported = await api.ok('export_metadata')
    expect(exported.sources[0].tables.some((x: any) => x.table.name === t)).toBe(false)
    const fns = await ctx.engine.query(`SELECT 1 FROM pg_trigger WHERE tgname = $1`, [
      `notify_hasura_${name}_INSERT`,
    ])
    expect(fns.rows).toHaveLength(0)
  })

  it('Postgres triggers follow the metadata: created, replaced, dropped; deleted triggers archive events', async () => {
    const t = await table('id int, email text, name text')
    const name = uniq('pgt')
    expect((await createTrigger(name, t, { update: { columns: ['email'] } })).status).toBe(200)
    const names = async () =>
      (
        await ctx.engine.query(`SELECT tgname FROM pg_trigger WHERE tgname LIKE $1 ORDER BY 1`, [
          `notify_hasura_${name}_%`,
        ])
      ).rows.map((r) => r.tgname)
    expect(await names()).toEqual([`notify_hasura_${name}_INSERT`, `notify_hasura_${name}_UPDATE`])
    await api.sql(`INSERT INTO ${t} VALUES (1, 'a', 'b')`)
    // replace: insert gone, delete added
    expect(
      (
        await createTrigger(name, t, {
          insert: undefined,
          delete: { columns: '*' },
          update: undefined,
          replace: true,
        })
      ).status,
    ).toBe(200)
    expect(await names()).toEqual([`notify_hasura_${name}_DELETE`])
    // replace_metadata without it: dropped, and its events archived
    const metadata = (await api.ok('export_metadata')) as any
    for (const tb of metadata.sources[0].tables)
      if (tb.event_triggers) tb.event_triggers = tb.event_triggers.filter((e: any) => e.name !== name)
    await api.ok('replace_metadata', { metadata, allow_inconsistent_metadata: true }, { version: 2 })
    expect(await names()).toEqual([])
    const ev = await ctx.engine.query(`SELECT archived FROM hdb_catalog.event_log WHERE trigger_name = $1`, [
      name,
    ])
    expect(ev.rows.length).toBeGreaterThan(0)
    expect(ev.rows.every((r) => r.archived === true)).toBe(true)
  })

  it('cron triggers: create, duplicates, defaults, include_in_metadata', async () => {
    const name = uniq('cron')
    const hidden = uniq('hidden')
    await api.ok('create_cron_trigger', {
      name,
      webhook: 'http://127.0.0.1:9/cron',
      schedule: '0 9 * * *',
      payload: { k: 'v' },
      include_in_metadata: true,
      comment: 'daily',
    })
    await api.ok('create_cron_trigger', {
      name: hidden,
      webhook: 'http://127.0.0.1:9/cron',
      schedule: '*/5 * * * *',
      include_in_metadata: false,
      retry_conf: { num_retries: 2 },
    })
    const dup = await api.metadata('create_cron_trigger', {
      name,
      webhook: 'http://x',
      schedule: '* * * * *',
      include_in_metadata: true,
    })
    expect(dup.status).toBe(400)
    expect(dup.body).toMatchObject({
      code: 'already-exists',
      error: `cron trigger with name: ${name} already exists`,
    })
    for (const schedule of ['* * * *', '*/5 * * * * *', 'every day']) {
      const bad = await api.metadata('create_cron_trigger', {
        name: uniq('badcron'),
        webhook: 'http://x',
        schedule,
        include_in_metadata: true,
      })
      expect(bad.status).toBe(400)
      expect(bad.body.code).toBe('parse-failed')
    }
    const exported = (await api.ok('export_metadata')) as any
    expect(exported.cron_triggers.map((c: any) => c.name)).toContain(name)
    expect(exported.cron_triggers.map((c: any) => c.name)).not.toContain(hidden)
    const mine = exported.cron_triggers.find((c: any) => c.name === name)
    expect(Object.keys(mine)).toEqual([
      'name',
      'webhook',
      'schedule',
      'include_in_metadata',
      'payload',
      'comment',
    ])

    const list = (await api.ok('get_cron_triggers')).cron_triggers
    const h = list.find((c: any) => c.name === hidden)
    expect(h.retry_conf).toEqual({
      num_retries: 2,
      retry_interval_seconds: 10,
      timeout_seconds: 60,
      tolerance_seconds: 21600,
    })
    expect(h.include_in_metadata).toBe(false)
    // replace_metadata keeps the non-metadata cron
    await api.ok(
      'replace_metadata',
      { metadata: exported, allow_inconsistent_metadata: true },
      { version: 2 },
    )
    expect((await api.ok('get_cron_triggers')).cron_triggers.map((c: any) => c.name)).toContain(hidden)
    expect((await api.ok('delete_cron_trigger', { name: hidden })).message).toBe('success')
    const gone = await api.metadata('delete_cron_trigger', { name: hidden })
    expect(gone.status).toBe(400)
    expect(gone.body).toMatchObject({
      code: 'not-exists',
      error: `cron trigger with name: ${hidden} does not exist`,
    })
  })

  it('run_sql returns TuplesOk rows as text and CommandOk for commands', async () => {
    const r = await api.sql(`SELECT 1 AS a, 'x'::text AS b, NULL AS c, true AS d, '{"k":1}'::jsonb AS e`)
    expect(r).toEqual({
      result_type: 'TuplesOk',
      result: [
        ['a', 'b', 'c', 'd', 'e'],
        ['1', 'x', 'NULL', 't', '{"k": 1}'],
      ],
    })
    expect(await api.sql(`CREATE TABLE ${uniq('cmd')} (id int)`)).toEqual({
      result_type: 'CommandOk',
      result: null,
    })
    // Engine.query: one statement with params, or a script (the last statement's rows)
    expect((await ctx.engine.query('SELECT $1::int + 1 AS n', [41])).rows).toEqual([{ n: 42 }])
    expect((await ctx.engine.query('SELECT 1 AS a; SELECT 2 AS b')).rows).toEqual([{ b: 2 }])
    const bad = await api.post('/v2/query', { type: 'run_sql', args: { sql: 'SELEC 1' } })
    expect(bad.status).toBe(400)
    expect(bad.body.code).toBe('postgres-error')
  })

  it('bulk stops at the first failure; bulk_keep_going reports each command', async () => {
    const t = await table()
    const good = uniq('bulk')
    const bulk = await api.post('/v1/metadata', {
      type: 'bulk',
      args: [
        { type: 'pg_delete_event_trigger', args: { name: 'nope_nope' } },
        {
          type: 'pg_create_event_trigger',
          args: { name: good, table: t, insert: { columns: '*' }, webhook: 'http://x' },
        },
      ],
    })
    expect(bulk.status).toBe(400)
    expect(bulk.body.code).toBe('not-exists')
    // all or nothing: a failure after a success leaves the metadata as it was
    const before = await api.ok('export_metadata')
    const undone = await api.post('/v1/metadata', {
      type: 'bulk',
      args: [
        {
          type: 'pg_create_event_trigger',
          args: { name: good, table: t, insert: { columns: '*' }, webhook: 'http://x' },
        },
        { type: 'pg_delete_event_trigger', args: { name: 'nope_nope' } },
      ],
    })
    expect(undone.status).toBe(400)
    expect(await api.ok('export_metadata')).toEqual(before)
    const fn = await ctx.engine.query(`SELECT 1 FROM pg_trigger WHERE tgname = $1`, [
      `notify_hasura_${good}_INSERT`,
    ])
    expect(fn.rows).toHaveLength(0)
    const keep = await api.post('/v1/metadata', {
      type: 'bulk_keep_going',
      args: [
        { type: 'pg_delete_event_trigger', args: { name: 'nope_nope' } },
        {
          type: 'pg_create_event_trigger',
          args: { name: good, table: t, insert: { columns: '*' }, webhook: 'http://x' },
        },
      ],
    })
    expect(keep.status).toBe(200)
    expect(keep.body[0]).toMatchObject({ code: 'not-exists' })
    expect(keep.body[1]).toEqual({ message: 'success' })
  })

  it('requests that do not parse get parse-failed / invalid-json', async () => {
    const noType = await api.post('/v1/metadata', { args: {} })
    expect(noType.status).toBe(400)
    expect(noType.body.code).toBe('parse-failed')
    const junk = await api.post('/v1/metadata', '{not json')
    expect(junk.status).toBe(400)
    expect(junk.body.code).toBe('invalid-json')
    const missing = await api.metadata('pg_delete_event_trigger', {})
    expect(missing.status).toBe(400)
    expect(missing.body).toMatchObject({
      code: 'parse-failed',
      error: wrapped('delete_event_trigger', 'key "name" not found'),
      path: '$.args',
    })
  })

  it('/v1/graphql answers schema introspection with the tracked tables and Hasura scalar names', async () => {
    const t = uniq('gql')
    await api.sql(`CREATE SCHEMA IF NOT EXISTS shop;
      CREATE TABLE shop.${t} (id int NOT NULL, email text, big bigint, tags text[], doc jsonb, at timestamptz NOT NULL)`)
    await api.ok('pg_track_table', { table: { schema: 'shop', name: t } })
    const cols = await columnsFromHasura(ctx.engine.url, SECRET, [{ schema: 'shop', name: t }])
    expect(cols[`shop.${t}`]).toEqual([
      { name: 'id', type: 'int4', nullable: false },
      { name: 'email', type: 'text', nullable: true },
      { name: 'big', type: 'int8', nullable: true },
      { name: 'tags', type: '_text', nullable: true },
      { name: 'doc', type: 'jsonb', nullable: true },
      { name: 'at', type: 'timestamptz', nullable: false },
    ])
    const version = await fetch(`${ctx.engine.url}/v1/version`)
    expect(await version.json()).toEqual({ version: expect.stringMatching(/^v2\.\d+\.\d+$/) })
  })

  it('reload_metadata bumps resource_version and reports consistency', async () => {
    const { resource_version } = await api.ok('export_metadata', {}, { version: 2 })
    // a trigger dropped behind the engine's back comes back on reload
    const t = await table()
    const name = uniq('reload')
    expect((await createTrigger(name, t)).status).toBe(200)
    await ctx.engine.query(`DROP TRIGGER "notify_hasura_${name}_INSERT" ON public.${t}`)
    await api.ok('reload_metadata', { recreate_event_triggers: true })
    const back = await ctx.engine.query(`SELECT 1 FROM pg_trigger WHERE tgname = $1`, [
      `notify_hasura_${name}_INSERT`,
    ])
    expect(back.rows).toHaveLength(1)
    const r = await api.ok('reload_metadata', { reload_remote_schemas: true })
    expect(r.message).toBe('success')
    expect(typeof r.is_consistent).toBe('boolean')
    expect((await api.ok('export_metadata', {}, { version: 2 })).resource_version).toBe(resource_version + 4)
  })
})
