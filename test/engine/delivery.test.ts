import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { backends, type Client, engineFor, uniq } from '../helpers/engine.js'
import { type Handler, startHandler } from '../helpers/http.js'
import { waitFor } from '../helpers/wait.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const CREATED_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3}|\.\d{6})?$/

describe.each(backends)('event delivery on $name', (backend) => {
  let ctx: Awaited<ReturnType<typeof engineFor>>
  let api: Client
  let hook: Handler
  beforeAll(async () => {
    if (backend.skip) return
    hook = await startHandler((r) => {
      const m = /status=(\d+)/.exec(r.path)
      if (r.path.startsWith('/slow')) return { delayMs: 2500 }
      if (r.path.startsWith('/retry-after')) {
        const seen = hook.requests.filter((x) => x.body?.id === r.body?.id).length
        return seen === 1 ? { status: 503, headers: { 'Retry-After': '1' } } : { status: 200 }
      }
      return m ? { status: Number(m[1]), body: '{"error":"nope"}' } : undefined
    })
    ctx = await engineFor(backend, {
      env: { HOOK_BASE: hook.url, HOOK_URL: `${hook.url}/from-env`, SECRET_VALUE: 's3cr3t' },
    })
    api = ctx.api
  })
  afterAll(async () => {
    await ctx?.stop()
    await hook?.close()
  })
  const it = backend.skip ? test.skip : test

  async function setup(opts: {
    cols?: string
    trigger?: Record<string, unknown>
  }): Promise<{ t: string; name: string }> {
    const t = uniq('t')
    const name = uniq('tr')
    await api.sql(`CREATE TABLE public.${t} (${opts.cols ?? 'id int primary key, email text, name text'})`)
    await api.ok('pg_track_table', { table: { schema: 'public', name: t } })
    await api.ok('pg_create_event_trigger', {
      name,
      table: { schema: 'public', name: t },
      webhook: `${hook.url}/h`,
      ...opts.trigger,
    })
    return { t, name }
  }
  const eventsOf = async (name: string) => (await api.ok('pg_get_event_logs', { name })) as any[]

  it('INSERT, UPDATE and DELETE bodies are Hasura’s', async () => {
    const { t, name } = await setup({
      trigger: {
        insert: { columns: '*' },
        update: { columns: '*' },
        delete: { columns: '*' },
        retry_conf: { num_retries: 3, interval_sec: 1 },
      },
    })
    await api.sql(`INSERT INTO ${t} VALUES (1, 'a@b.c', 'A')`)
    const [ins] = await waitFor(() => hook.forTrigger(name).length === 1 && hook.forTrigger(name), 'insert')
    expect(ins!.body).toEqual({
      id: expect.stringMatching(UUID),
      created_at: expect.stringMatching(CREATED_AT),
      table: { schema: 'public', name: t },
      trigger: { name },
      event: {
        op: 'INSERT',
        data: { old: null, new: { id: 1, email: 'a@b.c', name: 'A' } },
        session_variables: null,
        trace_context: null,
      },
      delivery_info: { current_retry: 0, max_retries: 3 },
    })
    expect(Object.keys(ins!.body)).toEqual(['id', 'table', 'trigger', 'event', 'delivery_info', 'created_at'])
    expect(ins!.headers['content-type']).toBe('application/json')
    expect(ins!.headers['user-agent']).toBe('hasura-graphql-engine/v2.48.5')
    await api.sql(`UPDATE ${t} SET email = 'x@y.z' WHERE id = 1`)
    await api.sql(`DELETE FROM ${t} WHERE id = 1`)
    const all = await waitFor(
      () => hook.forTrigger(name).length === 3 && hook.forTrigger(name),
      'update+delete',
    )
    const byOp = Object.fromEntries(all.map((r) => [r.body.event.op, r.body.event.data]))
    expect(byOp.UPDATE).toEqual({
      old: { id: 1, email: 'a@b.c', name: 'A' },
      new: { id: 1, email: 'x@y.z', name: 'A' },
    })
    expect(byOp.DELETE).toEqual({ old: { id: 1, email: 'x@y.z', name: 'A' }, new: null })
    // the event_log row matches what was sent
    const logs = await waitFor(async () => {
      const l = await eventsOf(name)
      return l.length === 3 && l.every((e) => e.delivered) && l
    }, 'three delivered')
    const sent = all.find((r) => r.body.event.op === 'INSERT')!.body
    const row = logs.find((l) => l.id === sent.id)
    expect(row).toMatchObject({
      schema_name: 'public',
      table_name: t,
      trigger_name: name,
      delivered: true,
      error: false,
      tries: 1,
      archived: false,
    })
    // the event logs give UTC with a Z (UTCTime); the body Hasura sends has no zone (LocalTime)
    expect(row.created_at).toBe(`${sent.created_at}Z`)
  })

  it('UPDATE fires only when a listened column changed; payload picks the columns', async () => {
    const { t, name } = await setup({
      trigger: {
        update: { columns: ['email'], payload: ['id', 'email'] },
        insert: { columns: '*', payload: ['name'] },
      },
    })
    await api.sql(`INSERT INTO ${t} VALUES (1, 'a', 'A')`)
    await api.sql(`UPDATE ${t} SET name = 'B' WHERE id = 1`) // not listened
    await api.sql(`UPDATE ${t} SET email = NULL WHERE id = 1`) // listened, to NULL
    await api.sql(`UPDATE ${t} SET email = 'c' WHERE id = 1`) // listened, from NULL
    await waitFor(() => hook.forTrigger(name).length >= 3, 'three events')
    const got = hook.forTrigger(name).map((r) => [r.body.event.op, r.body.event.data])
    expect(got).toHaveLength(3)
    expect(got).toContainEqual(['INSERT', { old: null, new: { name: 'A' } }])
    expect(got).toContainEqual(['UPDATE', { old: { id: 1, email: 'a' }, new: { id: 1, email: null } }])
    expect(got).toContainEqual(['UPDATE', { old: { id: 1, email: null }, new: { id: 1, email: 'c' } }])
  })

  it('int8 above 2^53 and long numerics reach the webhook digit for digit, as Hasura sends them', async () => {
    const { t, name } = await setup({
      cols: 'id int8 primary key, n numeric, note text',
      trigger: { insert: { columns: '*' } },
    })
    await api.sql(
      `INSERT INTO ${t} VALUES (9007199254740993, 12345678901234567890.125, 'a "quoted" text, with: spaces')`,
    )
    const [r] = await waitFor(() => hook.forTrigger(name).length === 1 && hook.forTrigger(name), 'insert')
    // jsonb orders keys its own way; what matters is the digits, and strings left as they were
    expect(r!.raw).toContain('"id":9007199254740993')
    expect(r!.raw).toContain('"n":12345678901234567890.125')
    expect(r!.raw).toContain('"note":"a \\"quoted\\" text, with: spaces"')
    expect(r!.raw).toMatch(
      /^\{"id":"[0-9a-f-]{36}","table":\{"schema":"public","name":"[^"]+"\},"trigger":\{"name":"[^"]+"\},"event":\{/,
    )
  })

  it('UPDATE on a table with a json column (no equality operator) still compares rows', async () => {
    const { t, name } = await setup({
      cols: 'id int primary key, doc json',
      trigger: { update: { columns: '*' } },
    })
    await api.sql(`INSERT INTO ${t} VALUES (1, '{"a":1}')`)
    await api.sql(`UPDATE ${t} SET doc = '{"a":1}' WHERE id = 1`) // same bytes: no event
    await api.sql(`UPDATE ${t} SET doc = '{"a":2}' WHERE id = 1`)
    const [r] = await waitFor(() => hook.forTrigger(name).length === 1 && hook.forTrigger(name), 'update')
    expect(r!.body.event.data).toEqual({ old: { id: 1, doc: { a: 1 } }, new: { id: 1, doc: { a: 2 } } })
    await new Promise((res) => setTimeout(res, 300))
    expect(hook.forTrigger(name)).toHaveLength(1)
  })

  it('run_sql DDL: dropped listened column is a dependency error; * survives; renames are followed; drops untrack', async () => {
    const cols = await setup({ trigger: { insert: { columns: ['email'] } } })
    const dep = await api.post('/v2/query', {
      type: 'run_sql',
      args: { sql: `ALTER TABLE ${cols.t} DROP COLUMN email` },
    })
    expect(dep.status).toBe(400)
    expect(dep.body).toEqual({
      error: `cannot drop due to the following dependent objects: event-trigger ${cols.t}.${cols.name} in source "default"`,
      path: '$',
      code: 'dependency-error',
    })
    // with cascade the trigger goes, the column too
    const cascaded = await api.post('/v2/query', {
      type: 'run_sql',
      args: { sql: `ALTER TABLE ${cols.t} DROP COLUMN email`, cascade: true },
    })
    expect(cascaded.status).toBe(200)
    expect(JSON.stringify(await api.ok('export_metadata'))).not.toContain(cols.name)

    const all = await setup({ trigger: { insert: { columns: '*' } } })
    await api.sql(`ALTER TABLE ${all.t} DROP COLUMN name`)
    const renamed = `${all.t}_new`
    expect(await api.sql(`ALTER TABLE ${all.t} RENAME TO ${renamed}`)).toEqual({
      result_type: 'CommandOk',
      result: null,
    })
    const tables = (await api.ok('export_metadata')).sources[0].tables.map((x: any) => x.table.name)
    expect(tables).toContain(renamed)
    expect(tables).not.toContain(all.t)
    await api.sql(`INSERT INTO ${renamed} VALUES (2, 'dan')`)
    const [r] = await waitFor(
      () => hook.forTrigger(all.name).length === 1 && hook.forTrigger(all.name),
      'after rename',
    )
    expect(r!.body.table).toEqual({ schema: 'public', name: renamed })
    expect(r!.body.event.data.new).toEqual({ id: 2, email: 'dan' })

    // a renamed listened column is followed too
    const listened = await setup({ trigger: { update: { columns: ['email'], payload: ['id', 'email'] } } })
    await api.sql(`ALTER TABLE ${listened.t} RENAME COLUMN email TO mail`)
    const def = (await api.ok('export_metadata')).sources[0].tables.find(
      (x: any) => x.table.name === listened.t,
    ).event_triggers[0].definition
    expect(def.update).toEqual({ columns: ['mail'], payload: ['id', 'mail'] })
    await api.sql(`INSERT INTO ${listened.t} VALUES (1, 'a', 'n'); UPDATE ${listened.t} SET mail = 'b'`)
    const [u] = await waitFor(
      () => hook.forTrigger(listened.name).length === 1 && hook.forTrigger(listened.name),
      'renamed column',
    )
    expect(u!.body.event.data).toEqual({ old: { id: 1, mail: 'a' }, new: { id: 1, mail: 'b' } })

    expect(await api.sql(`DROP TABLE ${renamed}`)).toEqual({ result_type: 'CommandOk', result: null })
    expect(JSON.stringify(await api.ok('export_metadata'))).not.toContain(all.name)
  })

  it('session variables come from hasura.user; MANUAL events from pg_invoke_event_trigger', async () => {
    const { t, name } = await setup({ trigger: { insert: { columns: '*' }, enable_manual: true } })
    await api.sql(
      `SELECT set_config('hasura.user', '{"x-hasura-role":"user","x-hasura-user-id":"7"}', true); INSERT INTO ${t} VALUES (5, 'e', 'n')`,
    )
    const r = await api.post(
      '/v1/metadata',
      { type: 'pg_invoke_event_trigger', args: { name, source: 'default', payload: { hello: 'world' } } },
      { 'X-Hasura-User-Id': '42' },
    )
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ event_id: expect.stringMatching(UUID) })
    await waitFor(() => hook.forTrigger(name).length === 2, 'two events')
    const ins = hook.forTrigger(name).find((x) => x.body.event.op === 'INSERT')!
    expect(ins.body.event.session_variables).toEqual({ 'x-hasura-role': 'user', 'x-hasura-user-id': '7' })
    const man = hook.forTrigger(name).find((x) => x.body.event.op === 'MANUAL')!
    expect(man.body.id).toBe(r.body.event_id)
    expect(man.body.event.data).toEqual({ old: null, new: { hello: 'world' } })
    expect(man.body.event.session_variables).toEqual({ 'x-hasura-role': 'admin', 'x-hasura-user-id': '42' })
  })

  it('invoking a trigger without enable_manual is refused', async () => {
    const { name } = await setup({ trigger: { insert: { columns: '*' } } })
    const r = await api.metadata('pg_invoke_event_trigger', { name, payload: {} })
    expect(r.status).toBe(400)
    expect(r.body).toMatchObject({
      code: 'not-supported',
      error: 'manual mode is not enabled for event trigger',
    })
  })

  it('headers: value, value_from_env and {{ENV}} templates; the defaults win', async () => {
    const { t, name } = await setup({
      trigger: {
        insert: { columns: '*' },
        webhook: '{{HOOK_BASE}}/templated',
        headers: [
          { name: 'X-Plain', value: 'plain' },
          { name: 'X-From-Env', value_from_env: 'SECRET_VALUE' },
          { name: 'X-Templated', value: 'Bearer {{SECRET_VALUE}}' },
          { name: 'Content-Type', value: 'text/plain' },
          { name: 'User-Agent', value: 'mine' },
        ],
      },
    })
    await api.sql(`INSERT INTO ${t} VALUES (1, 'a', 'b')`)
    const [r] = await waitFor(() => hook.forTrigger(name).length === 1 && hook.forTrigger(name), 'delivery')
    expect(r!.path).toBe('/templated')
    expect(r!.headers['x-plain']).toBe('plain')
    expect(r!.headers['x-from-env']).toBe('s3cr3t')
    expect(r!.headers['x-templated']).toBe('Bearer s3cr3t')
    expect(r!.headers['content-type']).toBe('application/json')
    expect(r!.headers['user-agent']).toBe('hasura-graphql-engine/v2.48.5')
    // the invocation log keeps the configured headers, not the secret values
    const [inv] = await waitFor(async () => {
      const logs = (await api.ok('pg_get_event_invocation_logs', { name })) as any[]
      return logs.length > 0 && logs
    }, 'invocation log')
    expect(JSON.stringify(inv.request.headers)).not.toContain('s3cr3t')
    expect(inv.request.headers).toContainEqual({ name: 'X-From-Env', value_from_env: 'SECRET_VALUE' })
  })

  it('request_transform: Kriti body template, query params, url, method and header changes', async () => {
    const { t, name } = await setup({
      trigger: {
        insert: { columns: '*' },
        request_transform: {
          version: 2,
          template_engine: 'Kriti',
          method: 'PUT',
          url: '{{$base_url}}/transformed',
          query_params: {
            foo: 'bar',
            email: '{{$body.event.data.new.email}}',
            missing: '{{$body.event?.nope}}',
          },
          request_headers: { remove_headers: ['user-agent'], add_headers: { 'X-Op': '{{$body.event.op}}' } },
          body: {
            action: 'transform',
            template:
              '{"userId": {{$body.event.data.new.id}}, "note": "hi {{$body.event.data.new.name}}", "row": {{$body.event.data.new}}}',
          },
        },
      },
    })
    await api.sql(`INSERT INTO ${t} VALUES (7, 'a@b.c', 'Ann')`)
    const [r] = await waitFor(
      () =>
        hook.requests.filter((x) => x.path.startsWith('/h/transformed')).length > 0 &&
        hook.requests.filter((x) => x.path.startsWith('/h/transformed')),
      'transformed',
    )
    expect(r!.path).toBe('/h/transformed?foo=bar&email=a%40b.c')
    expect(r!.body).toEqual({ userId: 7, note: 'hi Ann', row: { id: 7, email: 'a@b.c', name: 'Ann' } })
    expect(r!.headers['user-agent']).toBeUndefined()
    expect(r!.headers['x-op']).toBe('INSERT')
    const ev = await waitFor(
      async () => (await eventsOf(name))[0]?.delivered && (await eventsOf(name))[0],
      'delivered',
    )
    const { invocations } = await api.ok('pg_get_event_by_id', { event_id: ev.id })
    expect(invocations[0].request.payload).toEqual(r!.body)
  })

  it('a request_transform that cannot render fails the event without an invocation', async () => {
    const { t, name } = await setup({
      trigger: {
        insert: { columns: '*' },
        retry_conf: { num_retries: 3, interval_sec: 1 },
        request_transform: {
          version: 2,
          template_engine: 'Kriti',
          body: { action: 'transform', template: '{"x": {{ toUpper($body.id) }} }' },
        },
      },
    })
    await api.sql(`INSERT INTO ${t} VALUES (1, 'a', 'b')`)
    const ev = await waitFor(
      async () => (await eventsOf(name))[0]?.error && (await eventsOf(name))[0],
      'error',
    )
    expect(ev.tries).toBe(0)
    expect((await api.ok('pg_get_event_by_id', { event_id: ev.id })).invocations).toEqual([])
    expect(hook.forTrigger(name)).toHaveLength(0)
  })

  it('webhook_from_env is read from the engine env', async () => {
    const { t, name } = await setup({
      trigger: { insert: { columns: '*' }, webhook: undefined, webhook_from_env: 'HOOK_URL' },
    })
    await api.sql(`INSERT INTO ${t} VALUES (1, 'a', 'b')`)
    const [r] = await waitFor(() => hook.forTrigger(name).length === 1 && hook.forTrigger(name), 'delivery')
    expect(r!.path).toBe('/from-env')
  })

  it('2xx is success; 4xx, 5xx and timeouts are failures with their invocation logs', async () => {
    const cases = [
      { path: '/h?status=201', delivered: true, status: 201, type: 'webhook_response' },
      { path: '/h?status=404', delivered: false, status: 404, type: 'client_error' },
      { path: '/h?status=500', delivered: false, status: 500, type: 'client_error' },
      { path: '/h?status=302', delivered: false, status: 302, type: 'client_error' },
      { path: '/slow', delivered: false, status: null, type: 'client_error' },
    ]
    const made = await Promise.all(
      cases.map((c) =>
        setup({
          trigger: {
            insert: { columns: '*' },
            webhook: `${hook.url}${c.path}`,
            retry_conf: { num_retries: 0, interval_sec: 1, timeout_sec: 1 },
          },
        }),
      ),
    )
    for (const m of made) await api.sql(`INSERT INTO ${m.t} VALUES (1, 'a', 'b')`)
    for (const [i, c] of cases.entries()) {
      const name = made[i]!.name
      const ev = await waitFor(async () => {
        const e = (await eventsOf(name))[0]
        return e && (e.delivered || e.error) && e
      }, c.path)
      expect({ path: c.path, delivered: ev.delivered, error: ev.error, tries: ev.tries }).toEqual({
        path: c.path,
        delivered: c.delivered,
        error: !c.delivered,
        tries: 1,
      })
      const { invocations } = await api.ok('pg_get_event_by_id', { event_id: ev.id })
      expect(invocations[0].http_status).toBe(c.status)
      expect(invocations[0].response.type).toBe(c.type)
      expect(invocations[0].request).toMatchObject({
        version: '2',
        payload: { id: ev.id, trigger: { name } },
      })
      if (c.type === 'webhook_response') {
        // the body as text, never parsed (Hasura's SerializableBlob)
        expect(invocations[0].response.data).toMatchObject({ status: 201, body: '{"error":"nope"}' })
        expect(invocations[0].response.data.headers).toContainEqual({
          name: 'Content-Type',
          value: 'application/json',
        })
      } else if (c.status !== null)
        expect(invocations[0].response.data).toEqual({ message: '{"error":"nope"}' })
    }
  })

  it('retries: num_retries + 1 attempts at interval_sec, current_retry counting up, then error', async () => {
    const { t, name } = await setup({
      trigger: {
        insert: { columns: '*' },
        webhook: `${hook.url}/h?status=500`,
        retry_conf: { num_retries: 2, interval_sec: 1, timeout_sec: 5 },
      },
    })
    await api.sql(`INSERT INTO ${t} VALUES (1, 'a', 'b')`)
    const ev = await waitFor(
      async () => {
        const e = (await eventsOf(name))[0]
        return e?.error && e
      },
      'error after retries',
      20_000,
    )
    expect(ev).toMatchObject({ tries: 3, error: true, delivered: false })
    const attempts = hook.forTrigger(name)
    expect(attempts.map((a) => a.body.delivery_info)).toEqual([
      { current_retry: 0, max_retries: 2 },
      { current_retry: 1, max_retries: 2 },
      { current_retry: 2, max_retries: 2 },
    ])
    // fixed interval, no backoff: about a second apart
    for (let i = 1; i < attempts.length; i++) {
      const gap = attempts[i]!.at - attempts[i - 1]!.at
      expect(gap).toBeGreaterThanOrEqual(900)
      expect(gap).toBeLessThan(3000)
    }
    const { invocations } = await api.ok('pg_get_event_by_id', { event_id: ev.id })
    expect(invocations).toHaveLength(3)
    expect(new Set(attempts.map((a) => a.body.id)).size).toBe(1)
  })

  it('Retry-After forces another attempt even with num_retries 0', async () => {
    const { t, name } = await setup({
      trigger: {
        insert: { columns: '*' },
        webhook: `${hook.url}/retry-after`,
        retry_conf: { num_retries: 0, interval_sec: 60 },
      },
    })
    await api.sql(`INSERT INTO ${t} VALUES (1, 'a', 'b')`)
    const ev = await waitFor(
      async () => (await eventsOf(name))[0]?.delivered && (await eventsOf(name))[0],
      'delivered',
      10_000,
    )
    expect(ev.tries).toBe(2)
    const attempts = hook.forTrigger(name)
    expect(attempts.map((a) => a.body.delivery_info.current_retry)).toEqual([0, 1])
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(900)
  })

  it('pg_redeliver_event sends a failed event again from tries 0; unknown ids are not-exists', async () => {
    const { t, name } = await setup({
      trigger: {
        insert: { columns: '*' },
        webhook: `${hook.url}/h?status=400`,
        retry_conf: { num_retries: 0, interval_sec: 1 },
      },
    })
    await api.sql(`INSERT INTO ${t} VALUES (1, 'a', 'b')`)
    const ev = await waitFor(
      async () => (await eventsOf(name))[0]?.error && (await eventsOf(name))[0],
      'error',
    )
    // the handler is fixed: redelivery now succeeds
    await api.ok('pg_create_event_trigger', {
      name,
      table: { schema: 'public', name: t },
      insert: { columns: '*' },
      webhook: `${hook.url}/h`,
      replace: true,
    })
    expect(await api.ok('pg_redeliver_event', { event_id: ev.id })).toEqual({ message: 'success' })
    const done = await waitFor(
      async () => (await eventsOf(name))[0]?.delivered && (await eventsOf(name))[0],
      'redelivered',
    )
    expect(done).toMatchObject({ id: ev.id, delivered: true, error: false, tries: 1 })
    const attempts = hook.forTrigger(name)
    expect(attempts.map((a) => a.body.delivery_info.current_retry)).toEqual([0, 0])
    const bad = await api.metadata('pg_redeliver_event', { event_id: 'nope' })
    expect(bad.status).toBe(400)
    expect(bad.body).toMatchObject({ code: 'not-exists', error: 'event not found' })
    // a freshly locked event is busy
    await ctx.engine.query(
      `UPDATE hdb_catalog.event_log SET locked = now(), delivered = false WHERE id = $1`,
      [ev.id],
    )
    const busy = await api.metadata('pg_redeliver_event', { event_id: ev.id })
    expect(busy.status).toBe(400)
    expect(busy.body).toMatchObject({ code: 'busy', error: 'event is already being processed' })
    await ctx.engine.query(`UPDATE hdb_catalog.event_log SET locked = NULL, delivered = true WHERE id = $1`, [
      ev.id,
    ])
  })

  it('pg_get_event_logs filters pending and processed, newest first, with limit and offset', async () => {
    const { t, name } = await setup({
      trigger: {
        insert: { columns: '*' },
        webhook: `${hook.url}/h?status=500`,
        retry_conf: { num_retries: 0, interval_sec: 1 },
      },
    })
    await api.sql(`INSERT INTO ${t} VALUES (1, 'a', 'b')`)
    await waitFor(async () => (await eventsOf(name))[0]?.error, 'first processed')
    // a second event, held back so it stays pending
    await ctx.engine.query(
      `INSERT INTO hdb_catalog.event_log (schema_name, table_name, trigger_name, payload, next_retry_at)
       VALUES ('public', $1, $2, '{"op":"INSERT","data":{"old":null,"new":{"id":2}}}', now() + interval '1 hour')`,
      [t, name],
    )
    const pending = await api.ok('pg_get_event_logs', { name, status: 'pending' })
    const processed = await api.ok('pg_get_event_logs', { name, status: 'processed' })
    expect(pending).toHaveLength(1)
    expect(pending[0].payload.data.new).toEqual({ id: 2 })
    expect(processed).toHaveLength(1)
    expect(processed[0].error).toBe(true)
    const all = await api.ok('pg_get_event_logs', { name })
    expect(all.map((e: any) => e.id)).toEqual([pending[0].id, processed[0].id])
    expect(Object.keys(all[0])).toEqual([
      'id',
      'schema_name',
      'table_name',
      'trigger_name',
      'payload',
      'delivered',
      'error',
      'tries',
      'created_at',
      'locked',
      'next_retry_at',
      'archived',
    ])
    expect(await api.ok('pg_get_event_logs', { name, limit: 1, offset: 1 })).toEqual([all[1]])
  })
})
