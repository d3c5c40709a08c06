import pg from 'pg'
import { describe, expect, test } from 'vitest'
import { startEngine } from '../../src/engine/index.js'
import { client, SECRET } from '../helpers/engine.js'
import { startHandler } from '../helpers/http.js'
import { freshDatabase, postgresUnavailable } from '../helpers/pg.js'
import { waitFor } from '../helpers/wait.js'

const pgReason = await postgresUnavailable()
const ROWS = 10_000
const NUM_RETRIES = 20

describe.skipIf(pgReason)('durability on PostgreSQL', () => {
  test('10,000 events, a handler failing a third of the time, a restart mid-way: none lost, attempts by the rules', async () => {
    const db = await freshDatabase()
    // each answer is decided once and remembered, so the test can check the engine's record against it
    const answers = new Map<string, number[]>()
    const hook = await startHandler((r) => {
      const status = Math.random() < 1 / 3 ? 500 : 200
      const id = r.body?.id as string
      const list = answers.get(id) ?? []
      list.push(status)
      answers.set(id, list)
      return { status }
    })
    // timeScale: Hasura's interval_sec 1 becomes 50 ms; the retry rules stay the same
    const opts = { port: 0, adminSecret: SECRET, databaseUrl: db.url, pollIntervalMs: 200, timeScale: 0.05 }
    let engine = await startEngine(opts)
    let api = client(engine)
    await api.sql('CREATE TABLE orders (id int primary key, total numeric)')
    await api.ok('pg_track_table', { table: 'orders' })
    await api.ok('pg_create_event_trigger', {
      name: 'order_created',
      table: 'orders',
      insert: { columns: '*' },
      webhook: `${hook.url}/orders`,
      // the handler answers at once; a generous timeout keeps a loaded machine from turning a slow read into a failure
      retry_conf: { num_retries: NUM_RETRIES, interval_sec: 1, timeout_sec: 60 },
    })
    await api.sql(`INSERT INTO orders SELECT g, g * 1.5 FROM generate_series(1, ${ROWS}) g`)

    const c = new pg.Client({ connectionString: db.url })
    await c.connect()
    const delivered = async () =>
      (await c.query('SELECT count(*)::int AS n FROM hdb_catalog.event_log WHERE delivered')).rows[0]
        .n as number
    await waitFor(async () => (await delivered()) >= ROWS / 3, 'a third delivered', 120_000)
    await engine.stop()
    const atStop = await delivered()
    expect(atStop).toBeLessThan(ROWS)
    engine = await startEngine(opts)
    api = client(engine)
    await waitFor(async () => (await delivered()) === ROWS, 'all delivered', 150_000)

    const { rows: events } = await c.query(
      'SELECT id, tries, delivered, error, locked FROM hdb_catalog.event_log ORDER BY id',
    )
    expect(events).toHaveLength(ROWS)
    const { rows: inv } = await c.query(
      'SELECT event_id, status, request FROM hdb_catalog.event_invocation_logs ORDER BY created_at, id',
    )
    const byEvent = new Map<string, { status: number; retry: number }[]>()
    for (const i of inv) {
      const list = byEvent.get(i.event_id) ?? []
      list.push({ status: i.status, retry: i.request.payload.delivery_info.current_retry })
      byEvent.set(i.event_id, list)
    }
    let retried = 0
    for (const e of events) {
      expect(e).toMatchObject({ delivered: true, error: false, locked: null })
      const logs = byEvent.get(e.id) ?? []
      // tries == invocations; the failures before the success == tries - 1
      expect(logs.length).toBe(e.tries)
      expect(logs.filter((l) => l.status === 500).length).toBe(e.tries - 1)
      expect(logs.filter((l) => l.status === 200).length).toBe(1)
      expect(logs.map((l) => l.retry).sort((a, b) => a - b)).toEqual([...Array(e.tries).keys()])
      // what the handler answered is what the engine recorded
      expect(answers.get(e.id)).toHaveLength(e.tries)
      if (e.tries > 1) retried++
    }
    expect(retried).toBeGreaterThan(ROWS / 5)
    await c.end()
    await engine.stop()
    await hook.close()
    await db.drop()
  }, 240_000)
})
