import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { parse } from 'yaml'
import { backends, type Client, engineFor } from '../helpers/engine.js'
import { type Handler, startHandler } from '../helpers/http.js'
import { HAS_SHARED, NO_SHARED_REASON, SHARED } from '../helpers/project.js'
import { waitFor } from '../helpers/wait.js'

/**
 * Hasura's own event trigger fixtures (server/tests-py/queries/event_triggers), run against the
 * engine. Webhooks at Hasura's test handler (127.0.0.1:5592) are pointed at ours.
 */
const DIR = join(SHARED, 'hasura', 'hasura-tests', 'server', 'tests-py', 'queries', 'event_triggers')
const available = HAS_SHARED && existsSync(DIR)

interface Case {
  description?: string
  url: string
  status: number
  response?: unknown
  query: unknown
}

/**
 * Messages that differ from this fixture collection on purpose: the create-args parser in Hasura's
 * source (docs/hasura-compatibility.md "Event triggers") says "atleast one amongst ...", the
 * fixture another wording.
 */
const MESSAGE_DIFFERENCES: Record<string, string> = {
  'at least one among the insert/update/delete/manual specs must be provided':
    'atleast one amongst insert/update/delete/enable_manual spec must be provided',
}

if (!available) test.skip(`Hasura fixtures: ${NO_SHARED_REASON}`, () => {})

describe.skipIf(!available)('Hasura fixtures', () => {
  describe.each(backends)('on $name', (backend) => {
    let ctx: Awaited<ReturnType<typeof engineFor>>
    let api: Client
    let hook: Handler
    beforeAll(async () => {
      if (backend.skip) return
      hook = await startHandler((r) => (r.path.startsWith('/fail') ? { status: 500 } : undefined))
      ctx = await engineFor(backend, {
        env: {
          EVENT_WEBHOOK_HANDLER: hook.url,
          EVENT_WEBHOOK_HEADER: 'MyEnvValue',
          WEBHOOK_FROM_ENV: hook.url,
        },
        timeScale: 0.1,
      })
      api = ctx.api
      await api.sql('CREATE SCHEMA hge_tests')
    })
    afterAll(async () => {
      await ctx?.stop()
      await hook?.close()
    })
    // each case starts from nothing, like Hasura's per-test setup and teardown
    beforeEach(async () => {
      if (backend.skip) return
      await api.ok('clear_metadata')
      await api.sql('DROP TABLE IF EXISTS hge_tests.test_t1 CASCADE')
      hook.requests.length = 0
    })
    const it = backend.skip ? test.skip : test

    const load = (file: string): unknown =>
      parse(readFileSync(join(DIR, file), 'utf8').replaceAll('http://127.0.0.1:5592', hook.url))

    /** A setup/teardown file: one query to /v1/query. */
    async function run(file: string, expectStatus = 200) {
      const r = await api.post('/v1/query', load(file))
      expect({ file, status: r.status, body: r.status === expectStatus ? undefined : r.body }).toEqual({
        file,
        status: expectStatus,
        body: undefined,
      })
      return r.body
    }

    /** A file of test cases: each query, its status, and the response when the fixture gives one. */
    async function cases(file: string) {
      const loaded = load(file) as Case | Case[]
      for (const c of Array.isArray(loaded) ? loaded : [loaded]) {
        const r = await api.post(c.url, c.query)
        expect({ file, description: c.description, status: r.status }).toEqual({
          file,
          description: c.description,
          status: c.status,
        })
        if (c.response === undefined) continue
        const want = structuredClone(c.response) as Record<string, unknown>
        if (typeof want.error === 'string' && MESSAGE_DIFFERENCES[want.error])
          want.error = MESSAGE_DIFFERENCES[want.error]
        expect(r.body).toEqual(want)
      }
    }

    const events = (trigger: string) => hook.forTrigger(trigger)

    it('create-delete: create, delete, illegal name, missing operation specs', async () => {
      for (const f of [
        'create-delete/create_and_delete.yaml',
        'create-delete/create_trigger_illegal_name_err.yaml',
        'create-delete/create_trigger_operation_specs_not_provided_err.yaml',
      ]) {
        await run('create-delete/setup.yaml')
        await cases(f)
        await api.sql('DROP TABLE IF EXISTS hge_tests.test_t1')
      }
      // the tracked table went with the DROP
      const meta = await api.ok('export_metadata')
      expect(meta.sources[0].tables).toEqual([])
    })

    it('create-delete: clear_metadata drops the event log', async () => {
      await run('create-delete/setup.yaml')
      await cases('create-delete/create_and_reset.yaml')
      await api.sql('DROP TABLE IF EXISTS hge_tests.test_t1')
      // a trigger after a reset brings the catalog back
      await run('basic/setup.yaml')
      await api.sql(`INSERT INTO hge_tests.test_t1 VALUES (1, 'x')`)
      await waitFor(() => events('t1_all').length === 1, 'delivery after reset')
      await run('basic/teardown.yaml')
      hook.requests.length = 0
    })

    it('basic: INSERT, UPDATE and DELETE reach the handler; delete_query removes the trigger', async () => {
      await run('basic/setup.yaml')
      await api.sql(`INSERT INTO hge_tests.test_t1 VALUES (1, 'hello')`)
      await api.sql(`UPDATE hge_tests.test_t1 SET c2 = 'world' WHERE c1 = 1`)
      await api.sql(`DELETE FROM hge_tests.test_t1 WHERE c1 = 1`)
      const got = await waitFor(() => events('t1_all').length === 3 && events('t1_all'), 'three events')
      const byOp = Object.fromEntries(got.map((r) => [r.body.event.op, r.body]))
      expect(byOp.INSERT.table).toEqual({ schema: 'hge_tests', name: 'test_t1' })
      expect(byOp.INSERT.event.data).toEqual({ old: null, new: { c1: 1, c2: 'hello' } })
      expect(byOp.UPDATE.event.data).toEqual({ old: { c1: 1, c2: 'hello' }, new: { c1: 1, c2: 'world' } })
      expect(byOp.DELETE.event.data).toEqual({ old: { c1: 1, c2: 'world' }, new: null })
      await run('delete_query/setup.yaml')
      await api.sql(`INSERT INTO hge_tests.test_t1 VALUES (2, 'gone')`)
      await run('delete_query/teardown.yaml')
      expect(events('t1_all')).toHaveLength(3)
      hook.requests.length = 0
    })

    it('headers: a literal value and one from the env', async () => {
      await run('headers/setup.yaml')
      await api.sql(`INSERT INTO hge_tests.test_t1 VALUES (1, 'h')`)
      const [r] = await waitFor(() => events('t1_all').length === 1 && events('t1_all'), 'delivery')
      expect(r!.headers['x-header-from-value']).toBe('MyValue')
      expect(r!.headers['x-header-from-env']).toBe('MyEnvValue')
      await run('basic/teardown.yaml')
      hook.requests.length = 0
    })

    it('insert_only: updates and deletes send nothing', async () => {
      await run('insert_only/setup.yaml')
      await api.sql(`INSERT INTO hge_tests.test_t1 VALUES (1, 'a')`)
      await api.sql(`UPDATE hge_tests.test_t1 SET c2 = 'b'`)
      await api.sql(`DELETE FROM hge_tests.test_t1`)
      await waitFor(() => events('t1_insert').length === 1, 'insert')
      await run('insert_only/teardown.yaml')
      expect(events('t1_insert').map((r) => r.body.event.op)).toEqual(['INSERT'])
      hook.requests.length = 0
    })

    it('selected_payload and selected_cols: payload columns and listened columns', async () => {
      await run('selected_payload/setup.yaml')
      await api.sql(`INSERT INTO hge_tests.test_t1 VALUES (1, 'a')`)
      await api.sql(`UPDATE hge_tests.test_t1 SET c2 = 'b'`)
      await api.sql(`DELETE FROM hge_tests.test_t1`)
      const got = await waitFor(
        () => events('t1_payload').length === 3 && events('t1_payload'),
        'payload events',
      )
      const data = Object.fromEntries(got.map((r) => [r.body.event.op, r.body.event.data]))
      expect(data).toEqual({
        INSERT: { old: null, new: { c1: 1, c2: 'a' } },
        UPDATE: { old: { c1: 1 }, new: { c1: 1 } },
        DELETE: { old: { c2: 'b' }, new: null },
      })
      await run('selected_payload/teardown.yaml')
      await api.sql('DROP TABLE IF EXISTS hge_tests.test_t1')

      await run('selected_cols/setup.yaml')
      await api.sql(`INSERT INTO hge_tests.test_t1 VALUES (1, 'a')`)
      await api.sql(`UPDATE hge_tests.test_t1 SET c2 = 'b'`) // c1 is the listened column
      await api.sql(`UPDATE hge_tests.test_t1 SET c1 = 2`)
      await api.sql(`DELETE FROM hge_tests.test_t1`)
      await waitFor(() => events('t1_cols').length === 3, 'cols events')
      expect(
        events('t1_cols')
          .map((r) => r.body.event.op)
          .sort(),
      ).toEqual(['DELETE', 'INSERT', 'UPDATE'])
      const upd = events('t1_cols').find((r) => r.body.event.op === 'UPDATE')!
      expect(upd.body.event.data.new).toEqual({ c1: 2, c2: 'b', c3: null })
      await api.metadata('delete_event_trigger', { name: 't1_cols' })
      await api.sql('DROP TABLE IF EXISTS hge_tests.test_t1')
      hook.requests.length = 0
    })

    it('listen_cols and empty_cols: an empty column list is refused', async () => {
      for (const f of ['listen_cols/setup.yaml', 'empty_cols/setup.yaml']) {
        const body = await run(f, 400)
        expect(body).toMatchObject({ code: 'parse-failed', error: 'found empty column specification' })
        // bulk failed after creating the table: clean up
        await api.sql('DROP TABLE IF EXISTS hge_tests.test_t1')
      }
    })

    it('webhook_env and webhook_template_url resolve from the env', async () => {
      await run('webhook_env/setup.yaml')
      await api.sql(`INSERT INTO hge_tests.test_t1 VALUES (1, 'a')`)
      await waitFor(() => events('t1_all').length === 1, 'from env')
      expect(events('t1_all')[0]!.path).toBe('/')
      await run('basic/teardown.yaml')
      await run('webhook_template_url/setup.yaml')
      await api.sql(`INSERT INTO hge_tests.test_t1 VALUES (1, 'a')`)
      await waitFor(() => events('t1_all').length === 2, 'template')
      expect(events('t1_all')[1]!.path).toBe('/trigger')
      await run('webhook_template_url/teardown.yaml')
      await api.sql('DROP TABLE IF EXISTS hge_tests.test_t1')
      hook.requests.length = 0
    })

    it('manual_events: enabled returns an event id, disabled is refused', async () => {
      await run('manual_events/setup.yaml')
      const ok = await api.post('/v1/metadata', load('manual_events/enabled.yaml'))
      expect(ok.status).toBe(200)
      expect(ok.body).toEqual({ event_id: expect.any(String) })
      const [r] = await waitFor(() => events('t1_enabled').length === 1 && events('t1_enabled'), 'manual')
      expect(r!.body.event).toMatchObject({
        op: 'MANUAL',
        data: { old: null, new: { some_key: 'some_value' } },
      })
      const refused = await api.post('/v1/metadata', load('manual_events/disabled.yaml'))
      expect(refused.status).toBe(400)
      expect(refused.body).toMatchObject({
        code: 'not-supported',
        error: 'manual mode is not enabled for event trigger',
      })
      await run('manual_events/teardown.yaml')
      hook.requests.length = 0
    })

    it('retry_conf: num_retries 4 means 5 attempts', async () => {
      await run('retry_conf/setup.yaml')
      await api.sql(`INSERT INTO hge_tests.test_t1 VALUES (1, 'a')`)
      const logs = await waitFor(async () => {
        const l = (await api.ok('pg_get_event_logs', { name: 't1_retry' })) as any[]
        return l[0]?.error && l
      }, 'retries exhausted')
      expect(logs[0].tries).toBe(5)
      expect(events('t1_retry').map((r) => r.body.delivery_info)).toEqual(
        [0, 1, 2, 3, 4].map((n) => ({ current_retry: n, max_retries: 4 })),
      )
      await run('retry_conf/teardown.yaml')
      hook.requests.length = 0
    })

    it('update_query: replace changes ops and webhook; export shows the new trigger', async () => {
      await run('update_query/create-setup.yaml')
      await run('update_query/update-setup.yaml')
      const [exported] = await run('update_query/dump-export-metadata.yaml')
      const table = exported.sources[0].tables.find((t: any) => t.table.name === 'test_t1')
      expect(table.event_triggers).toEqual([
        {
          name: 't1_cols',
          definition: { enable_manual: false, update: { columns: ['c1'] }, delete: { columns: '*' } },
          retry_conf: { interval_sec: 5, num_retries: 5 },
          webhook: `${hook.url}/new`,
        },
      ])
      await api.sql(`INSERT INTO hge_tests.test_t1 VALUES (1, 'a')`)
      await api.sql(`DELETE FROM hge_tests.test_t1`)
      await waitFor(() => events('t1_cols').length === 1, 'delete')
      expect(events('t1_cols')[0]!).toMatchObject({ path: '/new', body: { event: { op: 'DELETE' } } })
      await run('update_query/teardown.yaml')
      hook.requests.length = 0
    })

    it('pause_event_triggers: the unknown `pause` key is ignored', async () => {
      await run('pause_event_triggers/setup.yaml')
      await waitFor(
        () => events('t1_all').length === 1 && events('t1_all_without_pause').length === 1,
        'both',
      )
      await api.post('/v1/query', {
        type: 'bulk',
        args: [
          { type: 'delete_event_trigger', args: { name: 't1_all' } },
          { type: 'delete_event_trigger', args: { name: 't1_all_without_pause' } },
          { type: 'run_sql', args: { sql: 'drop table hge_tests.test_t1' } },
        ],
      })
      hook.requests.length = 0
    })

    it('transform: request transforms are validated and kept', async () => {
      for (const f of [
        'transform/basic_transform.yaml',
        'transform/content_type_transform.yaml',
        'transform/url_encoded_transform.yaml',
        'transform/bad_content_type_transform.yaml',
        'transform/bad_header_transform.yaml',
        'transform/bad_template_transform.yaml',
      ]) {
        await run('transform/setup.yaml')
        await cases(f)
        await run('transform/teardown.yaml')
      }
    })

    it('scheduled_triggers teardown runs', async () => {
      const r = await api.post(
        '/v1/query',
        parse(readFileSync(join(DIR, '..', 'scheduled_triggers', 'teardown.yaml'), 'utf8')),
      )
      expect(r.status).toBe(200)
    })
  })
})
