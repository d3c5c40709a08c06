import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { backends, type Client, engineFor, uniq } from '../helpers/engine.js'
import { type Handler, startHandler } from '../helpers/http.js'
import { waitFor } from '../helpers/wait.js'

const UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/

describe.each(backends)('cron triggers and scheduled events on $name', (backend) => {
  let ctx: Awaited<ReturnType<typeof engineFor>>
  let api: Client
  let hook: Handler
  beforeAll(async () => {
    if (backend.skip) return
    hook = await startHandler((r) => (r.path.startsWith('/fail') ? { status: 500 } : undefined))
    ctx = await engineFor(backend, { env: { CRON_BASE: '' } })
    api = ctx.api
  })
  afterAll(async () => {
    await ctx?.stop()
    await hook?.close()
  })
  const it = backend.skip ? test.skip : test
  const cronEvents = async (name: string) =>
    (await api.ok('get_scheduled_events', { type: 'cron', trigger_name: name })).events as any[]

  it('keeps a horizon of future events for each cron trigger', async () => {
    const name = uniq('horizon')
    await api.ok('create_cron_trigger', {
      name,
      webhook: `${hook.url}/cron`,
      schedule: '*/5 * * * *',
      include_in_metadata: true,
    })
    const events = await waitFor(async () => {
      const e = await cronEvents(name)
      return e.length >= 50 && e
    }, 'generated events')
    expect(events.every((e) => e.status === 'scheduled')).toBe(true)
    const times = events.map((e) => new Date(e.scheduled_time).getTime())
    expect(times[0]!).toBeGreaterThan(Date.now())
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(5 * 60_000)
    expect(new Date(times[0]!).getUTCMinutes() % 5).toBe(0)
    // deleting the trigger drops its future events
    await api.ok('delete_cron_trigger', { name })
    const left = await ctx.engine.query(
      `SELECT count(*)::int AS n FROM hdb_catalog.hdb_cron_events WHERE trigger_name = $1 AND status = 'scheduled'`,
      [name],
    )
    expect(left.rows[0].n).toBe(0)
  })

  it('a due event is delivered with the cron body; one past tolerance_seconds is dead and never sent', async () => {
    const name = uniq('due')
    await api.ok('create_cron_trigger', {
      name,
      webhook: `${hook.url}/cron`,
      schedule: '0 0 1 1 *',
      payload: { report: 'daily' },
      include_in_metadata: false,
      comment: 'yearly',
      retry_conf: { tolerance_seconds: 3600 },
      headers: [{ name: 'X-Cron', value: 'yes' }],
    })
    const { rows } = await ctx.engine.query(
      `INSERT INTO hdb_catalog.hdb_cron_events (trigger_name, scheduled_time)
       VALUES ($1, now() - interval '2 seconds'), ($1, now() - interval '2 hours') RETURNING id, scheduled_time`,
      [name],
    )
    const [due, late] = rows
    const [req] = await waitFor(
      () =>
        hook.requests.filter((r) => r.body?.name === name).length > 0 &&
        hook.requests.filter((r) => r.body?.name === name),
      'cron delivery',
    )
    expect(req!.body).toEqual({
      id: due.id,
      name,
      scheduled_time: expect.stringMatching(UTC),
      payload: { report: 'daily' },
      comment: 'yearly',
    })
    expect(new Date(req!.body.scheduled_time).getTime()).toBe(new Date(due.scheduled_time).getTime())
    expect(req!.headers['x-cron']).toBe('yes')
    expect(req!.headers['user-agent']).toBe('hasura-graphql-engine/v2.48.5')
    const byId = async () => Object.fromEntries((await cronEvents(name)).map((e) => [e.id, e]))
    const final = await waitFor(async () => {
      const m = await byId()
      return m[due.id]?.status === 'delivered' && m[late.id]?.status === 'dead' && m
    }, 'statuses')
    expect(final[due.id].tries).toBe(1)
    expect(final[late.id].tries).toBe(0)
    expect(hook.requests.filter((r) => r.body?.id === late.id)).toHaveLength(0)
    const inv = await api.ok('get_scheduled_event_invocations', { type: 'cron', event_id: due.id })
    expect(inv.invocations).toHaveLength(1)
    expect(inv.invocations[0]).toMatchObject({ status: 200, response: { type: 'webhook_response' } })
  })

  it('cron retries follow num_retries and retry_interval_seconds, then error', async () => {
    const name = uniq('retry')
    await api.ok('create_cron_trigger', {
      name,
      webhook: `${hook.url}/fail`,
      schedule: '0 0 1 1 *',
      include_in_metadata: true,
      retry_conf: { num_retries: 1, retry_interval_seconds: 1 },
    })
    const { rows } = await ctx.engine.query(
      `INSERT INTO hdb_catalog.hdb_cron_events (trigger_name, scheduled_time) VALUES ($1, now()) RETURNING id`,
      [name],
    )
    const id = rows[0].id
    const ev = await waitFor(
      async () => (await cronEvents(name)).find((e) => e.id === id && e.status === 'error'),
      'error',
      15_000,
    )
    expect(ev.tries).toBe(2)
    const attempts = hook.requests.filter((r) => r.body?.id === id)
    expect(attempts).toHaveLength(2)
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(900)
  })

  it('one-off scheduled events are delivered with created_at', async () => {
    const r = await api.ok('create_scheduled_event', {
      webhook: `{{CRON_BASE}}${hook.url}/once`,
      schedule_at: new Date(Date.now() - 1000).toISOString(),
      payload: { one: 1 },
      comment: 'once',
    })
    expect(r).toEqual({ event_id: expect.any(String) })
    const [req] = await waitFor(
      () =>
        hook.requests.filter((x) => x.body?.id === r.event_id).length > 0 &&
        hook.requests.filter((x) => x.body?.id === r.event_id),
      'one-off',
    )
    expect(req!.path).toBe('/once')
    expect(req!.body).toEqual({
      id: r.event_id,
      scheduled_time: expect.stringMatching(UTC),
      payload: { one: 1 },
      comment: 'once',
      created_at: expect.stringMatching(UTC),
    })
    const events = await waitFor(async () => {
      const e = (await api.ok('get_scheduled_events', { type: 'one_off' })).events as any[]
      return e.find((x) => x.id === r.event_id && x.status === 'delivered')
    }, 'delivered')
    expect(events.tries).toBe(1)
  })
})
