import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { events, eventsShow } from '../../src/commands/events.js'
import { replay } from '../../src/commands/replay.js'
import { send } from '../../src/commands/send.js'
import { type Engine, type EngineOptions, startEngine } from '../../src/engine/index.js'
import { UserError } from '../../src/errors.js'
import { captureContext } from '../helpers/cli.js'
import { client } from '../helpers/engine.js'
import { startCountingProxy, startHandler } from '../helpers/http.js'
import { freshDatabase, postgresUnavailable } from '../helpers/pg.js'
import { projectDir } from '../helpers/project.js'
import { waitFor } from '../helpers/wait.js'

/**
 * End to end against the embedded engine: a failing handler leaves events failed, `events` shows
 * them, `replay` brings them back, and no secret ever reaches the output.
 */

const ADMIN = 'adm1n-s3cret-value'
const HEADER_SECRET = 'hdr-s3cret-from-env'
const RESPONSE_TOKEN = 'resp-t0ken-from-handler'
const FAILED_COUNT = 7

const pgReason = await postgresUnavailable()
const backends: {
  name: string
  skip: string | undefined
  opts: () => Promise<{ opts: EngineOptions; drop: () => Promise<void> }>
}[] = [
  { name: 'pglite', skip: undefined, opts: async () => ({ opts: {}, drop: async () => {} }) },
  {
    name: 'postgres',
    skip: pgReason,
    opts: async () => {
      const db = await freshDatabase()
      return { opts: { databaseUrl: db.url }, drop: db.drop }
    },
  },
]

for (const backend of backends) {
  describe.skipIf(backend.skip !== undefined)(
    `events, replay and send on the engine (${backend.name})`,
    () => {
      let engine: Engine
      let drop: () => Promise<void>
      let handler: Awaited<ReturnType<typeof startHandler>>
      let dir: string
      let failing = true
      const outputs: string[] = []
      const run = async (
        fn: (o: any, c: any) => Promise<number>,
        opts: Record<string, unknown>,
        c: { tty?: boolean; confirm?: boolean } = {},
      ) => {
        const cap = captureContext(dir, c)
        let code: number
        let error: unknown
        try {
          code = await fn(opts, cap.ctx)
        } catch (err) {
          error = err
          code = err instanceof UserError ? err.exitCode : 99
        }
        const text =
          cap.out +
          cap.err +
          (error instanceof Error ? `${error.message}\n${(error as UserError).hint ?? ''}` : '')
        outputs.push(text)
        return {
          code,
          out: cap.out,
          err: cap.err,
          error: error as UserError | undefined,
          asked: cap.asked,
          text,
        }
      }
      const eventRows = async () =>
        (
          await engine.query(
            `SELECT id, delivered, error, tries, locked::text AS locked FROM hdb_catalog.event_log WHERE trigger_name = 'user_created' ORDER BY id`,
          )
        ).rows

      beforeAll(async () => {
        const b = await backend.opts()
        drop = b.drop
        handler = await startHandler((r) =>
          failing
            ? {
                status: 500,
                body: JSON.stringify({ error: 'boom', saw: r.headers['x-webhook-secret'] }),
                headers: { 'X-Api-Token': RESPONSE_TOKEN },
              }
            : { status: 200, body: '{"ok":true}' },
        )
        engine = await startEngine({
          ...b.opts,
          port: 0,
          adminSecret: ADMIN,
          env: { WEBHOOK_SECRET: HEADER_SECRET },
          pollIntervalMs: 50,
        })
        const hook = `${handler.url}/webhooks/user-created`
        await client(engine.url, ADMIN).sql(
          'CREATE TABLE public.users (id serial PRIMARY KEY, email text NOT NULL, name text, created_at timestamptz DEFAULT now())',
        )
        await client(engine.url, ADMIN).ok('pg_track_table', {
          source: 'default',
          table: { schema: 'public', name: 'users' },
        })
        const headers = [{ name: 'X-Webhook-Secret', value_from_env: 'WEBHOOK_SECRET' }]
        const retry_conf = { num_retries: 0, interval_sec: 1, timeout_sec: 10 }
        await client(engine.url, ADMIN).ok('pg_create_event_trigger', {
          name: 'user_created',
          source: 'default',
          table: { schema: 'public', name: 'users' },
          insert: { columns: '*' },
          webhook: hook,
          headers,
          retry_conf,
        })
        await client(engine.url, ADMIN).ok('pg_create_event_trigger', {
          name: 'user_manual',
          source: 'default',
          table: { schema: 'public', name: 'users' },
          enable_manual: true,
          webhook: `${handler.url}/webhooks/user-manual`,
          headers,
          retry_conf,
        })
        dir = projectDir(
          {
            hasura: { endpoint: engine.url },
            defaults: { headers: { 'X-Webhook-Secret': { fromEnv: 'WEBHOOK_SECRET' } } },
            triggers: {
              user_created: {
                table: 'users',
                on: { insert: true },
                webhook: hook,
                retry: { numRetries: 0, intervalSec: 1, timeoutSec: 10 },
              },
              user_manual: {
                table: 'users',
                on: { manual: true },
                webhook: `${handler.url}/webhooks/user-manual`,
                retry: { numRetries: 0, intervalSec: 1, timeoutSec: 10 },
              },
            },
          },
          { HASURA_GRAPHQL_ADMIN_SECRET: ADMIN, WEBHOOK_SECRET: HEADER_SECRET },
        )
        const values = Array.from(
          { length: FAILED_COUNT },
          (_, i) => `('u${i}@example.com', 'user ${i}')`,
        ).join(', ')
        await client(engine.url, ADMIN).sql(`INSERT INTO public.users (email, name) VALUES ${values}`)
        await waitFor(
          async () => (await eventRows()).filter((r) => r.error).length === FAILED_COUNT,
          'every event to fail',
        )
      })

      afterAll(async () => {
        await engine?.stop()
        await handler?.close()
        await drop?.()
      })

      it('lists the failed events with their counts, attempts and last HTTP status', async () => {
        const json = await run(events, { trigger: 'user_created', json: true })
        expect(json.code).toBe(0)
        const listed = JSON.parse(json.out).events
        expect(listed).toHaveLength(FAILED_COUNT)
        for (const e of listed) {
          expect(e).toMatchObject({ op: 'INSERT', status: 'failed', attempts: 1, last_http_status: 500 })
        }
        const text = await run(events, { trigger: 'user_created' })
        expect(text.out).toContain(`${FAILED_COUNT} events: 0 pending, 0 delivered, ${FAILED_COUNT} failed`)
        expect(text.out).toMatch(/ID\s+OP\s+CREATED \(UTC\)\s+STATUS\s+ATTEMPTS\s+LAST HTTP/)

        const failedOnly = await run(events, {
          trigger: 'user_created',
          status: 'failed',
          limit: '3',
          json: true,
        })
        expect(JSON.parse(failedOnly.out).events).toHaveLength(3)
        const delivered = await run(events, { trigger: 'user_created', status: 'delivered' })
        expect(delivered.out).toContain('no delivered events for trigger user_created')
        const future = await run(events, { trigger: 'user_created', since: '2999-01-01', json: true })
        expect(JSON.parse(future.out).events).toHaveLength(0)
        const recent = await run(events, { trigger: 'user_created', since: '1h', json: true })
        expect(JSON.parse(recent.out).events).toHaveLength(FAILED_COUNT)
        const bad = await run(events, { trigger: 'user_created', status: 'error' })
        expect(bad.code).toBe(1)
        expect(bad.error?.message).toContain('--status error is not one of pending, delivered, failed')
      })

      it('shows one event with its payload and invocations, secrets masked', async () => {
        const id = (await eventRows())[0]!.id
        const shown = await run(eventsShow, { eventId: id })
        expect(shown.code).toBe(0)
        expect(shown.out).toContain(`event ${id}  trigger user_created on public.users`)
        expect(shown.out).toContain('"op": "INSERT"')
        expect(shown.out).toContain('invocation 1')
        expect(shown.out).toContain('HTTP 500')
        // the handler echoed the secret header and answered with a token header: both masked
        expect(shown.out).not.toContain(RESPONSE_TOKEN)
        expect(shown.out).not.toContain(HEADER_SECRET)
        const json = await run(eventsShow, { eventId: id, json: true })
        const parsed = JSON.parse(json.out)
        expect(parsed.status).toBe('failed')
        expect(parsed.invocations[0].request.payload.id).toBe(id)
        const missing = await run(eventsShow, { eventId: '00000000-0000-0000-0000-000000000000' })
        expect(missing.code).toBe(1)
        expect(missing.error?.message).toContain('no event with id 00000000-0000-0000-0000-000000000000')
      })

      it('--dry-run lists what would be replayed and changes nothing on the server', async () => {
        const before = await eventRows()
        const requestsBefore = handler.requests.length
        const r = await run(replay, { failed: true, trigger: 'user_created', since: '24h', dryRun: true })
        expect(r.code).toBe(0)
        expect(r.out).toContain(`${FAILED_COUNT} failed events of trigger user_created since`)
        expect(r.out).toContain('dry run: nothing was redelivered')
        await new Promise((res) => setTimeout(res, 300))
        expect(await eventRows()).toEqual(before)
        expect(handler.requests.length).toBe(requestsBefore)
      })

      it('refuses a bulk replay without a terminal and without --yes, and asks on a terminal', async () => {
        const before = await eventRows()
        const r = await run(replay, { failed: true, trigger: 'user_created' })
        expect(r.code).toBe(1)
        expect(r.error?.message).toContain(
          `refusing to redeliver ${FAILED_COUNT} events without confirmation`,
        )
        expect(r.error?.hint).toContain('--yes')
        const declined = await run(
          replay,
          { failed: true, trigger: 'user_created' },
          { tty: true, confirm: false },
        )
        expect(declined.asked).toEqual([`Redeliver ${FAILED_COUNT} events?`])
        expect(declined.out).toContain('nothing was redelivered')
        expect(await eventRows()).toEqual(before)
      })

      it('--limit and --until narrow a bulk replay', async () => {
        const limited = await run(replay, {
          failed: true,
          trigger: 'user_created',
          limit: '2',
          dryRun: true,
          json: true,
        })
        expect(JSON.parse(limited.out)).toMatchObject({ matched: 2, dry_run: true })
        const old = await run(replay, { failed: true, trigger: 'user_created', until: '1h', dryRun: true })
        expect(old.out).toContain('no failed events of trigger user_created until')
      })

      it('a bulk replay that Hasura partly refuses exits 1 and names the refused event', async () => {
        const locked = (await eventRows())[2]!.id
        await engine.query(`UPDATE hdb_catalog.event_log SET locked = now() WHERE id = $1`, [locked])
        const r = await run(replay, { failed: true, trigger: 'user_created', yes: true, concurrency: '2' })
        expect(r.code).toBe(1)
        expect(r.out).toContain(
          `redelivered ${FAILED_COUNT - 1} of ${FAILED_COUNT} events of trigger user_created`,
        )
        expect(r.out).toContain(`${locked}: Hasura is delivering it right now`)
        await engine.query(`UPDATE hdb_catalog.event_log SET locked = NULL WHERE id = $1`, [locked])
        // the handler still fails: the redelivered events fail again
        await waitFor(
          async () => (await eventRows()).filter((x) => x.error).length === FAILED_COUNT,
          'the redelivered events to fail again',
        )
      })

      it('--to posts a body deep-equal to what the engine sent, with the header from the local env', async () => {
        const id = (await eventRows())[1]!.id
        const original = handler.requests.find((r) => r.body?.id === id)!
        expect(original).toBeDefined()
        const before = await eventRows()
        const n = handler.requests.length
        const r = await run(replay, { eventId: id, to: `${handler.url}/local/user-created` })
        expect(r.code).toBe(1) // the handler still answers 500
        expect(r.out).toContain(`→ POST ${handler.url}/local/user-created`)
        expect(r.out).toContain('HTTP 500')
        const replayed = handler.requests[n]!
        expect(replayed.path).toBe('/local/user-created')
        expect(replayed.body).toEqual(original.body)
        expect(replayed.headers['x-webhook-secret']).toBe(HEADER_SECRET)
        expect(replayed.headers['content-type']).toBe('application/json')
        expect(await eventRows()).toEqual(before)
      })

      it('after the handler is fixed, one bulk replay delivers them all, at most N redeliveries in flight', async () => {
        failing = false
        const proxy = await startCountingProxy(engine.url, 'pg_redeliver_event', 30)
        try {
          const r = await run(replay, {
            failed: true,
            trigger: 'user_created',
            since: '24h',
            concurrency: '3',
            yes: true,
            wait: true,
            endpoint: proxy.url,
          })
          expect(r.code).toBe(0)
          expect(proxy.total).toBe(FAILED_COUNT)
          expect(proxy.maxInFlight).toBeLessThanOrEqual(3)
          expect(proxy.maxInFlight).toBe(3)
          expect(r.out).toContain(
            `redelivered ${FAILED_COUNT} of ${FAILED_COUNT} events of trigger user_created`,
          )
          expect(r.out).toContain(
            `after delivery: ${FAILED_COUNT} delivered, 0 failed again, 0 still pending`,
          )
          // plain progress lines without a terminal
          expect(r.out).toMatch(new RegExp(`${FAILED_COUNT}/${FAILED_COUNT} redelivered`))
        } finally {
          await proxy.close()
        }
        const rows = await eventRows()
        expect(rows.every((x) => x.delivered && !x.error)).toBe(true)
        const listed = await run(events, { trigger: 'user_created', json: true })
        const summary = JSON.parse(listed.out).events
        expect(
          summary.every(
            (e: any) => e.status === 'delivered' && e.attempts === 1 && e.last_http_status === 200,
          ),
        ).toBe(true)
        const again = await run(replay, { failed: true, trigger: 'user_created', yes: true })
        expect(again.out).toContain('no failed events of trigger user_created: nothing to replay')
      })

      it('replays one event with --wait, and explains busy and unknown events', async () => {
        const [a, b] = await eventRows()
        const r = await run(replay, { eventId: a!.id, wait: true })
        expect(r.code).toBe(0)
        expect(r.out).toContain(`event ${a!.id} queued for redelivery`)
        expect(r.out).toContain('delivered: HTTP 200, 1 attempt')
        await engine.query(`UPDATE hdb_catalog.event_log SET locked = now() WHERE id = $1`, [b!.id])
        const busy = await run(replay, { eventId: b!.id })
        expect(busy.code).toBe(1)
        expect(busy.error?.message).toContain('is being delivered right now')
        await engine.query(`UPDATE hdb_catalog.event_log SET locked = NULL WHERE id = $1`, [b!.id])
        const unknown = await run(replay, { eventId: 'no-such-event' })
        expect(unknown.code).toBe(1)
        expect(unknown.error?.message).toContain('no event with id no-such-event')
      })

      it('send posts a Hasura-shaped synthetic event with rows from the column types', async () => {
        const n = handler.requests.length
        const r = await run(send, { trigger: 'user_created', to: `${handler.url}/local/send` })
        expect(r.code).toBe(0)
        expect(r.out).toContain('HTTP 200')
        const got = handler.requests[n]!
        expect(got.headers['x-webhook-secret']).toBe(HEADER_SECRET)
        expect(Object.keys(got.body)).toEqual([
          'id',
          'created_at',
          'table',
          'trigger',
          'event',
          'delivery_info',
        ])
        expect(got.body.id).toMatch(/^[0-9a-f-]{36}$/)
        expect(got.body.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/)
        expect(got.body).toMatchObject({
          table: { schema: 'public', name: 'users' },
          trigger: { name: 'user_created' },
          event: { op: 'INSERT', data: { old: null }, session_variables: null, trace_context: null },
          delivery_info: { current_retry: 0, max_retries: 0 },
        })
        const row = got.body.event.data.new
        expect(Object.keys(row)).toEqual(['id', 'email', 'name', 'created_at'])
        expect(typeof row.id).toBe('number')
        expect(row.email).toContain('@')

        const given = await run(send, {
          trigger: 'user_created',
          to: `${handler.url}/local/send`,
          new: '{"id":42,"email":"x@y.z"}',
          session: '{"x-hasura-role":"user","x-hasura-user-id":"42"}',
        })
        expect(given.code).toBe(0)
        expect(handler.requests.at(-1)!.body.event).toMatchObject({
          data: { new: { id: 42, email: 'x@y.z' } },
          session_variables: { 'x-hasura-role': 'user', 'x-hasura-user-id': '42' },
        })

        const refused = await run(send, {
          trigger: 'user_created',
          to: `http://127.0.0.1:1/${HEADER_SECRET}`,
        })
        expect(refused.code).toBe(1)
        expect(refused.error?.message).toBe('could not POST to http://127.0.0.1:1/••••••: bad port')

        const wrongOp = await run(send, { trigger: 'user_created', op: 'delete' })
        expect(wrongOp.code).toBe(1)
        expect(wrongOp.error?.message).toBe(
          'trigger user_created does not listen to delete: it listens to insert',
        )
        const notManual = await run(send, { trigger: 'user_created', viaHasura: true })
        expect(notManual.code).toBe(1)
        expect(notManual.error?.message).toContain('does not enable manual mode')
      })

      it('send --via-hasura invokes a manual trigger and follows the delivery', async () => {
        const n = handler.requests.length
        const r = await run(send, { trigger: 'user_manual', viaHasura: true, new: '{"id":7}', wait: true })
        expect(r.code).toBe(0)
        expect(r.out).toMatch(/✓ delivered: event [0-9a-f-]{36}, HTTP 200, 1 attempt/)
        const got = handler.requests.slice(n).find((x) => x.path === '/webhooks/user-manual')!
        expect(got.body.event).toMatchObject({ op: 'MANUAL', data: { old: null, new: { id: 7 } } })
      })

      it('cron events: listed, and replayed as a one-off scheduled event with the same payload', async () => {
        await client(engine.url, ADMIN).ok('create_cron_trigger', {
          name: 'nightly',
          webhook: `${handler.url}/webhooks/nightly`,
          schedule: '0 3 * * *',
          payload: { report: 'daily' },
          include_in_metadata: true,
          headers: [{ name: 'X-Webhook-Secret', value_from_env: 'WEBHOOK_SECRET' }],
        })
        const { rows } = await engine.query(
          `INSERT INTO hdb_catalog.hdb_cron_events (trigger_name, scheduled_time, status, tries)
         VALUES ('nightly', now() - interval '1 hour', 'error', 1) RETURNING id`,
        )
        const cronEventId = rows[0].id as string
        const listed = await run(events, { trigger: 'nightly', status: 'failed', json: true })
        expect(JSON.parse(listed.out)).toMatchObject({
          kind: 'cron',
          events: [{ id: cronEventId, status: 'failed', op: 'CRON' }],
        })
        const n = handler.requests.length
        const r = await run(replay, { failed: true, trigger: 'nightly', yes: true, wait: true })
        expect(r.code).toBe(0)
        expect(r.out).toContain('one-off scheduled event')
        expect(r.out).toContain('after delivery: 1 delivered, 0 not delivered')
        const got = handler.requests.slice(n).find((x) => x.path === '/webhooks/nightly')!
        expect(got.body.payload).toEqual({ report: 'daily' })
        expect(got.body.created_at).toBeDefined()
        expect(got.headers['x-webhook-secret']).toBe(HEADER_SECRET)
        // replay says what became of it, and the one-off event is there to inspect
        const oneOffId = /→ one-off scheduled event ([0-9a-f-]{36})/.exec(r.out)![1]!
        expect(r.out).toContain(`✓ one-off event ${oneOffId} delivered: 1 attempt, HTTP 200`)
        const shown = await run(eventsShow, { eventId: oneOffId })
        expect(shown.code).toBe(0)
        expect(shown.out).toContain(`event ${oneOffId}  one-off scheduled event`)
        expect(shown.out).toContain(`nself-hooks replay of cron nightly event ${cronEventId}`)
        expect(shown.out).toMatch(/status delivered \(delivered\) {2}attempts 1/)
        expect(shown.out).toMatch(/invocation 1 .* HTTP 200/)
        const shownJson = JSON.parse((await run(eventsShow, { eventId: oneOffId, json: true })).out)
        expect(shownJson).toMatchObject({ kind: 'one_off', status: 'delivered', event: { id: oneOffId } })
        // a one-off event cannot itself be redelivered: the error says so and where to look
        const again = await run(replay, { eventId: oneOffId, yes: true })
        expect(again.code).toBe(1)
        expect(again.error?.message).toBe(
          `event ${oneOffId} is a one-off scheduled event: Hasura cannot redeliver it`,
        )

        // a handler that refuses the replay: the reason comes back, the exit code is 1
        failing = true
        try {
          const bad = await run(replay, { eventId: cronEventId, yes: true, wait: true })
          expect(bad.code).toBe(1)
          expect(bad.out).toMatch(
            /✗ one-off event [0-9a-f-]{36} failed \(error\): 1 attempt, HTTP 500: .*boom/,
          )
          expect(bad.out).toContain('after delivery: 0 delivered, 1 not delivered')
          const noWait = await run(replay, { eventId: cronEventId, yes: true, json: true })
          expect(JSON.parse(noWait.out)).toMatchObject({
            cron: 'nightly',
            scheduled: [{ from: cronEventId }],
          })
        } finally {
          failing = false
        }
      })

      it('no secret appears in any output', () => {
        expect(outputs.length).toBeGreaterThan(10)
        for (const text of outputs) {
          expect(text).not.toContain(ADMIN)
          expect(text).not.toContain(HEADER_SECRET)
          expect(text).not.toContain(RESPONSE_TOKEN)
        }
      })
    },
  )
}
