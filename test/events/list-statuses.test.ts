import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { events } from '../../src/commands/events.js'
import { type Engine, startEngine } from '../../src/engine/index.js'
import { lastHttpStatuses } from '../../src/events/bulk.js'
import { EventsApi } from '../../src/hasura/events-api.js'
import { captureContext } from '../helpers/cli.js'
import { client } from '../helpers/engine.js'
import { startCountingProxy, startHandler } from '../helpers/http.js'
import { projectDir } from '../helpers/project.js'
import { waitFor } from '../helpers/wait.js'

/** `events` shows each listed event's last HTTP status, asking the server once for the whole page. */

const ADMIN = 'list-adm1n-s3cret'

describe('events: the last HTTP status of every listed event', () => {
  let engine: Engine
  let handler: Awaited<ReturnType<typeof startHandler>>
  const tries = new Map<string, number>()

  beforeAll(async () => {
    handler = await startHandler((r) => {
      const status = r.body?.event?.data?.new?.status as string
      const n = (tries.get(r.body?.id) ?? 0) + 1
      tries.set(r.body?.id, n)
      if (status === 'teapot') return { status: 418 }
      if (status === 'flaky') return { status: n === 1 ? 500 : 201 }
      return { status: 200 }
    })
    engine = await startEngine({ port: 0, adminSecret: ADMIN, pollIntervalMs: 50 })
    await client(engine.url, ADMIN).sql(
      'CREATE TABLE public.jobs (id serial PRIMARY KEY, status text NOT NULL)',
    )
    await client(engine.url, ADMIN).ok('pg_track_table', { table: { schema: 'public', name: 'jobs' } })
    await client(engine.url, ADMIN).ok('pg_create_event_trigger', {
      name: 'job_created',
      table: { schema: 'public', name: 'jobs' },
      insert: { columns: '*' },
      webhook: `${handler.url}/jobs`,
      retry_conf: { num_retries: 1, interval_sec: 1, timeout_sec: 10 },
    })
    // oldest first: flaky (500 then 201), teapot (418 twice), then eight that succeed at once
    for (const s of ['flaky', 'teapot', ...Array.from({ length: 8 }, () => 'ok')]) {
      await client(engine.url, ADMIN).sql(`INSERT INTO public.jobs (status) VALUES ('${s}')`)
    }
    await waitFor(
      async () =>
        (
          await engine.query(
            'SELECT count(*)::int AS n FROM hdb_catalog.event_log WHERE delivered OR (error AND tries = 2)',
          )
        ).rows[0].n === 10,
      'every event delivered or out of retries',
    )
  }, 60_000)

  afterAll(async () => {
    await engine?.stop()
    await handler?.close()
  })

  it('lists the newest try of each event, with one server call for the statuses whatever --limit', async () => {
    const proxy = await startCountingProxy(engine.url, 'pg_get_event_by_id', 0)
    try {
      const dir = projectDir(
        {
          hasura: { endpoint: proxy.url },
          triggers: { job_created: { table: 'jobs', on: { insert: true }, webhook: `${handler.url}/jobs` } },
        },
        { HASURA_GRAPHQL_ADMIN_SECRET: ADMIN },
      )
      const list = async (limit: number) => {
        const c = captureContext(dir)
        expect(await events({ trigger: 'job_created', limit, json: true }, c.ctx)).toBe(0)
        const parsed = JSON.parse(c.out)
        return (Array.isArray(parsed) ? parsed : parsed.events) as {
          status: string
          attempts: number
          last_http_status: number | null
        }[]
      }
      const all = await list(50)
      expect(all.map((e) => [e.status, e.attempts, e.last_http_status])).toEqual([
        ...Array.from({ length: 8 }, () => ['delivered', 1, 200]),
        ['failed', 2, 418],
        ['delivered', 2, 201],
      ])
      expect((await list(3)).map((e) => e.last_http_status)).toEqual([200, 200, 200])
      expect(proxy.total).toBe(0)
    } finally {
      await proxy.close()
    }
  })

  it('without SQL access, asks per event and gets the same answer', async () => {
    const call = async (type: string, args: Record<string, unknown>) =>
      client(engine.url, ADMIN).ok(type, args)
    const rows = await new EventsApi(call, 'default').eventLogs('job_created', { limit: 50, offset: 0 })
    const sql = async (text: string) => (await client(engine.url, ADMIN).sql(text)).result as string[][]
    const batched = await lastHttpStatuses(new EventsApi(call, 'default', sql), rows)
    const perEvent = await lastHttpStatuses(new EventsApi(call, 'default'), rows)
    expect(perEvent).toEqual(batched)
    expect([...batched.values()].sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 201, 418].sort())
  })
})
