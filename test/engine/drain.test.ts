import http from 'node:http'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import { afterEach, describe, expect, test } from 'vitest'
import { startEngine } from '../../src/engine/index.js'
import { backends, client, engineFor, SECRET } from '../helpers/engine.js'
import { freshDatabase } from '../helpers/pg.js'
import { waitFor } from '../helpers/wait.js'

/** A handler that keeps every response until `release()`: what is open at once is what the engine sends at once. */
async function holdingHandler() {
  const held: (() => void)[] = []
  const ids: string[] = []
  let open = 0
  let peak = 0
  let holding = true
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      ids.push(JSON.parse(Buffer.concat(chunks).toString('utf8')).id)
      open++
      peak = Math.max(peak, open)
      const answer = () => {
        open--
        res.end('{}')
      }
      if (holding) held.push(answer)
      else answer()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    ids,
    open: () => open,
    peak: () => peak,
    release() {
      holding = false
      for (const answer of held.splice(0)) answer()
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

const EVENTS = 250

describe.each(backends)('draining a backlog on $name', (backend) => {
  const it = backend.skip ? test.skip : test
  const cleanups: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
  })

  it('at most 100 requests at once and two batches locked; every event sent once, recorded once', {
    timeout: 240_000,
  }, async () => {
    const hook = await holdingHandler()
    cleanups.push(hook.close)
    const ctx = await engineFor(backend)
    cleanups.push(ctx.stop)
    await ctx.api.sql('CREATE TABLE backlog (id int)')
    await ctx.api.ok('pg_track_table', { table: 'backlog' })
    await ctx.api.ok('pg_create_event_trigger', {
      name: 'backlog_insert',
      table: 'backlog',
      insert: { columns: '*' },
      webhook: hook.url,
    })
    await ctx.api.sql(`INSERT INTO backlog SELECT g FROM generate_series(1, ${EVENTS}) g`)
    await waitFor(() => hook.open() === 100, '100 requests open', 60_000)
    // the next batch is fetched (locked) while the first is on the wire, but not sent
    const locked = await waitFor(async () => {
      const { rows } = await ctx.engine.query(
        'SELECT count(*)::int AS n FROM hdb_catalog.event_log WHERE locked IS NOT NULL',
        [],
      )
      return rows[0].n === 200 && rows[0].n
    }, 'the prefetched batch')
    expect(locked).toBe(200)
    expect(hook.open()).toBe(100)
    hook.release()
    const done = await waitFor(
      async () => {
        const { rows } = await ctx.engine.query(
          `SELECT count(*) FILTER (WHERE delivered AND tries = 1 AND locked IS NULL)::int AS ok, count(*)::int AS n
           FROM hdb_catalog.event_log`,
          [],
        )
        return rows[0].ok === EVENTS && rows[0]
      },
      'every event delivered',
      60_000,
    )
    expect(done).toEqual({ ok: EVENTS, n: EVENTS })
    expect(hook.peak()).toBe(100)
    expect(hook.ids).toHaveLength(EVENTS)
    expect(new Set(hook.ids).size).toBe(EVENTS)
    const { rows: logs } = await ctx.engine.query(
      `SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS events,
              count(*) FILTER (WHERE status = 200 AND request->>'version' = '2'
                               AND request->'payload'->>'id' = event_id)::int AS good
         FROM hdb_catalog.event_invocation_logs`,
      [],
    )
    expect(logs[0]).toEqual({ n: EVENTS, events: EVENTS, good: EVENTS })
  })

  it('clear_metadata drops the engine’s fetch and record functions with the event log; a new trigger brings them back', async () => {
    const hook = await holdingHandler()
    hook.release()
    cleanups.push(hook.close)
    const ctx = await engineFor(backend)
    cleanups.push(ctx.stop)
    const functions = async () =>
      (
        await ctx.engine.query(
          `SELECT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'hdb_catalog' AND p.proname LIKE 'nself\\_hooks\\_%' ORDER BY 1`,
          [],
        )
      ).rows.map((r: { name: string }) => r.name)
    expect(await functions()).toEqual(['nself_hooks_fetch_events', 'nself_hooks_record_events'])
    await ctx.api.ok('clear_metadata')
    expect(await functions()).toEqual([])
    await ctx.api.sql('CREATE TABLE again (id int)')
    await ctx.api.ok('pg_track_table', { table: 'again' })
    await ctx.api.ok('pg_create_event_trigger', {
      name: 'again_insert',
      table: 'again',
      insert: { columns: '*' },
      webhook: hook.url,
    })
    expect(await functions()).toEqual(['nself_hooks_fetch_events', 'nself_hooks_record_events'])
    await ctx.api.sql('INSERT INTO again VALUES (1)')
    await waitFor(() => hook.ids.length === 1, 'delivery after clear_metadata')
  })
})

describe('stopping with a backlog', () => {
  const pgBackend = backends.find((b) => b.name === 'postgres')!
  test.skipIf(pgBackend.skip)(
    'stop() unlocks every event it holds, sent or only fetched; the next engine delivers them all',
    async () => {
      const db = await freshDatabase()
      const hook = await holdingHandler()
      const opts = { port: 0, adminSecret: SECRET, databaseUrl: db.url, pollIntervalMs: 200 }
      let engine = await startEngine(opts)
      const api = client(engine)
      await api.sql('CREATE TABLE t (id int)')
      await api.ok('pg_track_table', { table: 't' })
      await api.ok('pg_create_event_trigger', {
        name: 't_insert',
        table: 't',
        insert: { columns: '*' },
        webhook: hook.url,
      })
      await api.sql(`INSERT INTO t SELECT g FROM generate_series(1, ${EVENTS}) g`)
      await waitFor(() => hook.open() === 100, '100 requests open', 60_000)
      // the 100 answers never come while the engine stops: after its grace time it lets them go
      await engine.stop()
      hook.release()
      const c = new pg.Client({ connectionString: db.url })
      await c.connect()
      const state = async () =>
        (
          await c.query(
            `SELECT count(*) FILTER (WHERE delivered AND tries = 1)::int AS delivered,
                    count(*) FILTER (WHERE NOT delivered AND NOT error AND tries = 0)::int AS pending,
                    count(*) FILTER (WHERE locked IS NOT NULL)::int AS locked
               FROM hdb_catalog.event_log`,
          )
        ).rows[0]
      // nothing recorded for the unanswered requests, nothing left locked
      expect(await state()).toEqual({ delivered: 0, pending: EVENTS, locked: 0 })
      engine = await startEngine(opts)
      await waitFor(async () => (await state()).delivered === EVENTS, 'every event delivered', 60_000)
      expect(await state()).toEqual({ delivered: EVENTS, pending: 0, locked: 0 })
      // the unanswered ones were sent again (at least once), every event reached the handler
      expect(new Set(hook.ids).size).toBe(EVENTS)
      expect(hook.ids).toHaveLength(EVENTS + 100)
      await engine.stop()
      await c.end()
      await hook.close()
      await db.drop()
    },
    240_000,
  )
})
