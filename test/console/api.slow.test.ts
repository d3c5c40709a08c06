import { networkInterfaces } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_SECRET, fixtureConsole, WEBHOOK_SECRET } from '../helpers/console.js'
import { client } from '../helpers/engine.js'
import { waitFor } from '../helpers/wait.js'

/**
 * The console's JSON API against the embedded engine, as the page calls it: paging through a long
 * log, counts and drift, replaying a window with progress, send, and the request guards.
 */

const MANY = 10_000

describe('the console API on the engine', () => {
  let fx: Awaited<ReturnType<typeof fixtureConsole>>

  beforeAll(async () => {
    fx = await fixtureConsole({ recordMetadata: true })
    // a long log for user_updated: one event a second back from now, every 100th failed
    await fx.engine.query(`
      INSERT INTO hdb_catalog.event_log (schema_name, table_name, trigger_name, payload, delivered, error, tries, created_at)
      SELECT 'public', 'users', 'user_updated',
             json_build_object('op', 'UPDATE', 'data', json_build_object('old', NULL, 'new', json_build_object('id', i)))::jsonb,
             i % 100 <> 0, i % 100 = 0, (i % 100 = 0)::int, (now() at time zone 'utc') - make_interval(secs => i)
        FROM generate_series(1, ${MANY}) AS i`)
  }, 120_000)

  afterAll(async () => {
    await fx?.close()
  })

  const logCalls = () => fx.calls.filter((c) => c.type === 'pg_get_event_logs')

  it(`pages through ${MANY} events a page at a time, newest first, without reading the whole log`, async () => {
    fx.calls.length = 0
    const p1 = await fx.api('events?trigger=user_updated&limit=50')
    expect(p1.status).toBe(200)
    expect(p1.json.events).toHaveLength(50)
    expect(p1.json.next).toBeTypeOf('string')
    const p2 = await fx.api(`events?trigger=user_updated&limit=50&cursor=${p1.json.next}`)
    expect(p2.json.events).toHaveLength(50)
    const times = [...p1.json.events, ...p2.json.events].map((e: any) => e.created_at)
    expect([...times].sort().reverse()).toEqual(times)
    expect(new Set([...p1.json.events, ...p2.json.events].map((e: any) => e.id)).size).toBe(100)
    // the 100th event back is the first failed one
    expect(p2.json.events.map((e: any) => e.status).filter((s: string) => s === 'failed')).toHaveLength(1)
    const asked = logCalls().reduce((n, c) => n + c.args.limit, 0)
    expect(asked).toBeLessThanOrEqual(2 * 51 + 51)
    expect(Math.max(...logCalls().map((c) => c.args.offset))).toBeLessThan(200)

    // the last page, straight from a cursor: what is left, and no next
    const cursor = Buffer.from(JSON.stringify({ user_updated: MANY - 20 })).toString('base64url')
    const last = await fx.api(`events?trigger=user_updated&limit=50&cursor=${cursor}`)
    expect(last.json.events).toHaveLength(20)
    expect(last.json.next).toBeUndefined()
  })

  it('filters by status and time while paging, and merges every trigger newest first', async () => {
    fx.calls.length = 0
    const failed = await fx.api('events?trigger=user_updated&status=failed&limit=20')
    expect(failed.json.events).toHaveLength(20)
    expect(new Set(failed.json.events.map((e: any) => e.status))).toEqual(new Set(['failed']))
    const next = await fx.api(`events?trigger=user_updated&status=failed&limit=20&cursor=${failed.json.next}`)
    expect(next.json.events[0].created_at < failed.json.events[19].created_at).toBe(true)
    // 40 failed events sit among the newest ~4,000: read ahead in growing chunks, not all 10,000
    expect(logCalls().length).toBeLessThan(30)
    expect(logCalls().reduce((n, c) => n + c.args.limit, 0)).toBeLessThan(MANY / 2)

    // 20 minutes of events, one a second: every page of the window, then no next
    const seen: string[] = []
    let cursor = ''
    const from = new Date(Date.now() - 30 * 60_000).toISOString()
    const to = new Date(Date.now() - 10 * 60_000).toISOString()
    for (let pages = 0; pages < 10; pages++) {
      const r = await fx.api(`events?trigger=user_updated&since=${from}&until=${to}&limit=200${cursor}`)
      seen.push(...r.json.events.map((e: any) => e.created_at))
      if (!r.json.next) break
      cursor = `&cursor=${r.json.next}`
    }
    expect(seen.length).toBeGreaterThanOrEqual(1199)
    expect(seen.length).toBeLessThanOrEqual(1201)
    expect(new Set(seen).size).toBe(seen.length)

    await fx.engine.query(`INSERT INTO public.users (email, name) VALUES ('new@example.com', 'New')`)
    await waitFor(
      async () =>
        (await fx.engine.query(`SELECT 1 FROM hdb_catalog.event_log WHERE trigger_name = 'user_created'`))
          .rows.length === 1,
      'the insert event',
    )
    const all = await fx.api('events?trigger=*&limit=5')
    expect(all.json.events[0].trigger).toBe('user_created')
    expect(all.json.events.slice(1).map((e: any) => e.trigger)).toEqual(Array(4).fill('user_updated'))
  })

  it('counts events per status in the window and shows drift from the server', async () => {
    const o = await fx.api('overview?window=1h')
    expect(o.status).toBe(200)
    const updated = o.json.triggers.find((t: any) => t.name === 'user_updated')
    // seconds 1..3600 back (give or take the seconds this test took): 1% failed
    expect([35, 36]).toContain(updated.counts.failed)
    expect(updated.counts.delivered).toBeGreaterThan(3400)
    expect(updated.counts.delivered).toBeLessThanOrEqual(3564)
    expect(o.json.triggers.map((t: any) => t.drift.state)).toEqual(['in-sync', 'in-sync', 'in-sync'])

    await client(fx.engine.url, ADMIN_SECRET).ok('delete_cron_trigger', { name: 'daily-report-generation' })
    await client(fx.engine.url, ADMIN_SECRET).ok('pg_create_event_trigger', {
      name: 'order_completed',
      source: 'default',
      table: { schema: 'shop', name: 'orders' },
      update: { columns: ['status', 'total'] },
      webhook: 'http://127.0.0.1:9/hand-edited',
      replace: true,
    })
    const drifted = await fx.api('overview?window=1h')
    expect(drifted.json.crons[0].drift).toEqual({ state: 'create', fields: expect.any(Array) })
    const order = drifted.json.triggers.find((t: any) => t.name === 'order_completed')
    expect(order.drift.state).toBe('update')
    expect(order.drift.fields).toEqual(expect.arrayContaining(['definition.update.columns', 'webhook']))
    const bad = await fx.api('overview?window=yesterday')
    expect(bad.status).toBe(400)
    expect(bad.json.error).toContain('is neither a duration nor a date')
  })

  it('replays the failed events of a window and reports progress', async () => {
    await fx.engine.query(
      `INSERT INTO public.users (email, name) VALUES ('a@example.com', 'A'), ('b@example.com', 'B')`,
    )
    // every user_created event so far has failed (the handler answers 500)
    const failedCount = await waitFor(async () => {
      const { rows } = await fx.engine.query(
        `SELECT count(*) FILTER (WHERE error)::int AS failed, count(*)::int AS n FROM hdb_catalog.event_log WHERE trigger_name = 'user_created'`,
      )
      return rows[0].n >= 2 && rows[0].failed === rows[0].n ? (rows[0].n as number) : undefined
    }, 'every user_created event to fail')
    fx.fix()
    const started = await fx.api('replay', { trigger: 'user_created', since: '1h' })
    expect(started.status).toBe(202)
    const job = await waitFor(async () => {
      const j = await fx.api(`jobs/${started.json.id}`)
      return j.json.finished ? j.json : undefined
    }, 'the replay to finish')
    expect(job).toMatchObject({ total: failedCount, done: failedCount, redelivered: failedCount, failed: [] })
    await waitFor(async () => {
      const d = await fx.api('events?trigger=user_created&status=delivered')
      return d.json.events.length === failedCount
    }, 'the replayed events to be delivered')
    const nothing = await fx.api('replay', { trigger: 'user_created', since: '1h' })
    const none = await waitFor(async () => {
      const j = await fx.api(`jobs/${nothing.json.id}`)
      return j.json.finished ? j.json : undefined
    }, 'the empty replay')
    expect(none).toMatchObject({ total: 0, redelivered: 0 })
    const cron = await fx.api('replay', { trigger: 'daily-report-generation' })
    expect(cron.status).toBe(400)
  })

  it("sends a synthetic event with send's logic; the header value goes to the handler, not the page", async () => {
    const before = fx.handler.requests.length
    const r = await fx.api('send', { trigger: 'user_created', new: { email: 'sent@example.com' } })
    expect(r.status).toBe(200)
    expect(r.json).toMatchObject({ status: 200, ok: true, op: 'insert' })
    const got = fx.handler.requests.slice(before)
    expect(got).toHaveLength(1)
    expect(got[0]!.path).toBe('/webhooks/user-created')
    expect(got[0]!.headers['x-webhook-secret']).toBe(WEBHOOK_SECRET)
    expect(got[0]!.body.event.data.new).toMatchObject({ email: 'sent@example.com', name: expect.anything() })
    expect(JSON.stringify(r.json)).not.toContain(WEBHOOK_SECRET)
    const wrongOp = await fx.api('send', { trigger: 'user_created', op: 'delete' })
    expect(wrongOp.status).toBe(400)
    expect(wrongOp.json.error).toContain('does not listen to delete')
    const unknown = await fx.api('send', { trigger: 'nope' })
    expect(unknown.status).toBe(400)
  })

  it('redelivering an unknown event says so', async () => {
    const r = await fx.api('redeliver', { id: '00000000-0000-0000-0000-000000000000' })
    expect(r.status).toBe(400)
    expect(r.json.error).toContain('no such event')
  })

  it('refuses cross-origin requests, forms, forged cursors and a peer off this machine', async () => {
    const token = new URL(fx.console.signInUrl).searchParams.get('token')!
    const origin = new URL(fx.console.url).origin
    const post = (headers: Record<string, string>, body = '{"trigger":"user_created"}') =>
      fetch(`${origin}/api/send`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, ...headers },
        body,
      })
    expect((await post({ 'Content-Type': 'application/json', Origin: 'http://evil.example' })).status).toBe(
      403,
    )
    expect((await post({ 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'cross-site' })).status).toBe(
      403,
    )
    expect((await post({ 'Content-Type': 'text/plain' })).status).toBe(415)
    expect((await post({ 'Content-Type': 'application/x-www-form-urlencoded' }, 'trigger=x')).status).toBe(
      415,
    )
    for (const cursor of [
      '%%%',
      Buffer.from('{"other":1}').toString('base64url'),
      Buffer.from('[1]').toString('base64url'),
    ]) {
      const r = await fx.api(`events?trigger=user_updated&cursor=${cursor}`)
      expect(r.status, cursor).toBe(400)
      expect(r.json.error).toBe('the page cursor is not valid')
    }
    expect(new URL(fx.console.url).hostname).toBe('127.0.0.1')
    // listening on loopback only: this machine's other addresses do not answer
    const other = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)
    if (other) {
      const port = new URL(fx.console.url).port
      await expect(fetch(`http://${other.address}:${port}/`)).rejects.toThrow()
    }
  })
})
