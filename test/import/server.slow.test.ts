import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importConfig } from '../../src/config/load.js'
import { runBin } from '../helpers/bin.js'
import { client, type EngineDb, engineOnPostgres, SECRET } from '../helpers/engine.js'
import { postgresUnavailable } from '../helpers/pg.js'
import { config, testdir } from '../helpers/project.js'

const pgReason = await postgresUnavailable()

// Hasura resolves env names when it builds metadata: the engine (in this process) must see them
process.env.NH_IMPORT_HOOK_SECRET = 'engine-side-value'
process.env.NH_IMPORT_BASE = 'http://hooks.local'
process.env.NH_IMPORT_ORDERS_URL = 'http://hooks.local/orders'

describe.skipIf(pgReason !== undefined)(`import --from server ${pgReason ?? ''}`, () => {
  let db: EngineDb
  let url: string

  beforeAll(async () => {
    db = await engineOnPostgres(['users', 'orders'])
    url = db.engine.url
    const a = client(url)
    for (const name of ['users', 'orders'])
      await a.ok('pg_track_table', { source: 'default', table: { schema: 'public', name } })
    await a.ok('pg_create_event_trigger', {
      name: 'user_signup',
      source: 'default',
      table: { schema: 'public', name: 'users' },
      insert: { columns: '*' },
      update: { columns: ['email'], payload: ['id', 'email'] },
      enable_manual: true,
      webhook: '{{NH_IMPORT_BASE}}/users/signup',
      headers: [
        { name: 'X-Source', value: 'console "made" it \\ */' },
        { name: 'X-Webhook-Secret', value_from_env: 'NH_IMPORT_HOOK_SECRET' },
      ],
      retry_conf: { num_retries: 3, interval_sec: 20, timeout_sec: 45 },
    })
    await a.ok('pg_create_event_trigger', {
      name: 'order_deleted',
      source: 'default',
      table: { schema: 'public', name: 'orders' },
      delete: { columns: '*' },
      webhook_from_env: 'NH_IMPORT_ORDERS_URL',
    })
    await a.ok('create_cron_trigger', {
      name: 'hourly cleanup',
      webhook: 'http://hooks.local/cleanup',
      schedule: '0 * * * *',
      payload: { keep: 'ünï "7" days' },
      include_in_metadata: false,
      comment: 'kept out of metadata',
    })
    await a.ok('create_cron_trigger', {
      name: 'daily-report',
      webhook: '{{NH_IMPORT_BASE}}/daily',
      schedule: '0 9 * * *',
      include_in_metadata: true,
      retry_conf: { num_retries: 1, tolerance_seconds: 3600 },
    })
  })

  afterAll(async () => {
    await db?.stop()
  })

  it('sync and diff name what the config does not manage, and call it no drift', async () => {
    const dir = testdir({
      'webhooks.config.ts': config(`{ hasura: { endpoint: '${url}' } }`),
      '.env': `HASURA_GRAPHQL_ADMIN_SECRET=${SECRET}\n`,
    })
    const s = await runBin(['sync', '--dry-run', '--exit-code'], { cwd: dir })
    expect(s.code, s.stderr).toBe(0)
    expect(s.stdout).toContain(
      '2 triggers and 2 crons are not managed by the config: nself-hooks import --from server takes them in',
    )
    const j = await runBin(['sync', '--dry-run', '--json'], { cwd: dir })
    expect(JSON.parse(j.stdout).unmanaged).toEqual({
      event_triggers: [
        { source: 'default', name: 'order_deleted' },
        { source: 'default', name: 'user_signup' },
      ],
      cron_triggers: ['daily-report', 'hourly cleanup'],
    })
    const d = await runBin(['diff', '--against', 'server', '--json'], { cwd: dir })
    expect(d.code).toBe(0)
    expect(JSON.parse(d.stdout).unmanaged.server.cron_triggers).toEqual(['daily-report', 'hourly cleanup'])
  })

  it('imports into an empty project; then sync has nothing to change', async () => {
    const dir = testdir({ '.env': `HASURA_GRAPHQL_ADMIN_SECRET=${SECRET}\nCS_1=hooks:express-ts:3001\n` })
    const r = await runBin(['import', '--from', 'server', '--endpoint', url], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('imported 4 entries')
    for (const out of [r.stdout, r.stderr, readFileSync(join(dir, 'webhooks.config.ts'), 'utf8')]) {
      expect(out).not.toContain('engine-side-value')
      expect(out).not.toContain(SECRET)
    }
    const cfg = (await importConfig(join(dir, 'webhooks.config.ts'))) as any
    expect(cfg.service).toBe('hooks')
    expect(cfg.triggers.user_signup).toEqual({
      table: 'users',
      on: { insert: true, update: { columns: ['email'], payload: ['id', 'email'] }, manual: true },
      webhook: '{{NH_IMPORT_BASE}}/users/signup',
      headers: {
        'X-Source': 'console "made" it \\ */',
        'X-Webhook-Secret': { fromEnv: 'NH_IMPORT_HOOK_SECRET' },
      },
      retry: { numRetries: 3, intervalSec: 20, timeoutSec: 45 },
    })
    expect(cfg.triggers.order_deleted).toEqual({
      table: 'orders',
      on: { delete: true },
      webhookFromEnv: 'NH_IMPORT_ORDERS_URL',
    })
    expect(cfg.crons['hourly cleanup']).toEqual({
      schedule: '0 * * * *',
      webhook: 'http://hooks.local/cleanup',
      payload: { keep: 'ünï "7" days' },
      includeInMetadata: false,
      comment: 'kept out of metadata',
    })
    expect(cfg.crons['daily-report'].retry).toEqual({ numRetries: 1, toleranceSec: 3600 })
    expect(existsSync(join(dir, 'hasura'))).toBe(false)

    const s = await runBin(['sync', '--dry-run', '--exit-code', '--endpoint', url], { cwd: dir })
    expect(s.code, s.stdout + s.stderr).toBe(0)
    expect(s.stdout).toContain('no changes')
    expect(s.stdout).not.toContain('not managed')
    const again = await runBin(['import', '--from', 'server', '--endpoint', url], { cwd: dir })
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('nothing to import')
  })
})
