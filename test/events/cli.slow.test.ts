import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Engine, startEngine } from '../../src/engine/index.js'
import { BIN, BUILT, runBin } from '../helpers/bin.js'
import { client } from '../helpers/engine.js'
import { startHandler } from '../helpers/http.js'
import { projectDir } from '../helpers/project.js'
import { waitFor } from '../helpers/wait.js'

/** The built CLI as a user runs it: argv → command, exit codes, and no secret in what it prints. */

const ADMIN = 'cli-adm1n-s3cret'
const HEADER_SECRET = 'cli-hdr-s3cret'
const built = BUILT

describe.skipIf(!built)('nself-hooks events / replay / send (built CLI)', () => {
  let engine: Engine
  let handler: Awaited<ReturnType<typeof startHandler>>
  let dir: string
  const printed: string[] = []
  const run = async (args: string[]) => {
    const r = await runBin(args, { cwd: dir })
    printed.push(r.stdout, r.stderr)
    return r
  }

  beforeAll(async () => {
    handler = await startHandler(() => ({ status: 503, body: '{"error":"down"}' }))
    engine = await startEngine({
      port: 0,
      adminSecret: ADMIN,
      env: { WEBHOOK_SECRET: HEADER_SECRET },
      pollIntervalMs: 50,
    })
    await client(engine.url, ADMIN).sql(
      'CREATE TABLE public.orders (id serial PRIMARY KEY, status text NOT NULL)',
    )
    await client(engine.url, ADMIN).ok('pg_track_table', {
      source: 'default',
      table: { schema: 'public', name: 'orders' },
    })
    await client(engine.url, ADMIN).ok('pg_create_event_trigger', {
      name: 'order_changed',
      source: 'default',
      table: { schema: 'public', name: 'orders' },
      insert: { columns: '*' },
      update: { columns: ['status'] },
      webhook: `${handler.url}/orders`,
      headers: [{ name: 'X-Webhook-Secret', value_from_env: 'WEBHOOK_SECRET' }],
      retry_conf: { num_retries: 0, interval_sec: 1 },
    })
    dir = projectDir(
      {
        hasura: { endpoint: engine.url },
        triggers: {
          order_changed: {
            table: 'orders',
            on: { insert: true, update: { columns: ['status'] } },
            webhook: `${handler.url}/orders`,
            headers: { 'X-Webhook-Secret': { fromEnv: 'WEBHOOK_SECRET' } },
          },
        },
      },
      { HASURA_GRAPHQL_ADMIN_SECRET: ADMIN, WEBHOOK_SECRET: HEADER_SECRET },
    )
    await client(engine.url, ADMIN).sql(`INSERT INTO public.orders (status) VALUES ('new'), ('new'), ('new')`)
    await waitFor(
      async () =>
        (await engine.query(`SELECT count(*)::int AS n FROM hdb_catalog.event_log WHERE error`)).rows[0].n ===
        3,
      'three failed events',
    )
  })

  afterAll(async () => {
    await engine?.stop()
    await handler?.close()
  })

  it('events lists the failures; events show prints one', async () => {
    const r = await run(['events', 'order_changed'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('3 events: 0 pending, 0 delivered, 3 failed')
    expect(r.stdout).toMatch(/INSERT\s+\S+ \S+\s+failed\s+1\s+503/)
    const id = r.stdout.split('\n')[1]!.split(/\s+/)[0]!
    const shown = await run(['events', 'show', id])
    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain(`event ${id}  trigger order_changed on public.orders`)
  })

  it('bulk replay without a terminal and without --yes refuses with a hint', async () => {
    const r = await run(['replay', '--failed', '--trigger', 'order_changed'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('refusing to redeliver 3 events without confirmation')
    expect(r.stderr).toContain('pass --yes')
  })

  it('send rejects an op the trigger does not listen to; --to posts with the header from .env', async () => {
    const bad = await run(['send', 'order_changed', '--op', 'delete'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain(
      'trigger order_changed does not listen to delete: it listens to insert, update',
    )
    const n = handler.requests.length
    const r = await run(['send', 'order_changed', '--op', 'update', '--to', `${handler.url}/local`, '--json'])
    expect(r.code).toBe(1) // 503 from the handler is a failure, as Hasura would count it
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 503, ok: false })
    const got = handler.requests[n]!
    expect(got.headers['x-webhook-secret']).toBe(HEADER_SECRET)
    expect(got.body.event.op).toBe('UPDATE')
    expect(got.body.event.data.old.status).not.toBe(got.body.event.data.new.status)
  })

  it('send lays a partial --new over a whole row, as Hasura sends whole rows, and warns on unknown columns', async () => {
    const n = handler.requests.length
    const r = await run([
      'send',
      'order_changed',
      '--op',
      'update',
      '--new',
      '{"status":"shipped","stauts":"x"}',
      '--to',
      `${handler.url}/local`,
    ])
    expect(r.stderr).toContain('--new: stauts is not a column of public.orders')
    const { old, new: row } = handler.requests[n]!.body.event.data
    expect(Object.keys(row).sort()).toEqual(['id', 'status', 'stauts'])
    expect(row.status).toBe('shipped')
    expect(row.id).toBe(old.id)
  })

  it('a trigger name known nowhere is exit 1 (a typo must not pass as "no events")', async () => {
    const r = await run(['events', 'order_changd'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('no event trigger or cron named "order_changd"')
    expect(r.stderr).toContain('the config has: order_changed')
  })

  it('--help shows examples', async () => {
    for (const cmd of ['events', 'replay', 'send']) {
      const r = await run([cmd, '--help'])
      expect(r.code).toBe(0)
      expect(r.stdout).toContain(`$ nself-hooks ${cmd}`)
    }
  })

  it('prints no secret', () => {
    for (const text of printed) {
      expect(text).not.toContain(ADMIN)
      expect(text).not.toContain(HEADER_SECRET)
    }
    expect(BIN).toContain('nself-hooks.js')
  })
})
