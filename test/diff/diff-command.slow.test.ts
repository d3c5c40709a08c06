import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runBin } from '../helpers/bin.js'
import { client, type EngineDb, engineOnPostgres, serverProject } from '../helpers/engine.js'
import { postgresUnavailable } from '../helpers/pg.js'

const pgReason = await postgresUnavailable()

const CONFIG = `{
  hasura: { endpoint: 'ENDPOINT' },
  triggers: {
    user_created: { table: 'users', on: { insert: true }, webhook: 'http://hooks.local/user-created' },
    order_updated: { table: 'orders', on: { update: { columns: ['status'] } }, webhook: 'http://hooks.local/order-updated' },
  },
  crons: { 'nightly-report': { schedule: '0 3 * * *', webhook: 'http://hooks.local/nightly' } },
}`

const USERS_FILE = 'hasura/metadata/databases/default/tables/public_users.yaml'

describe.skipIf(pgReason)('diff against files and server (built CLI, engine on PostgreSQL)', () => {
  let e: EngineDb
  let url: string
  let dir: string
  beforeAll(async () => {
    e = await engineOnPostgres()
    url = e.engine.url
    dir = serverProject(url, CONFIG)
    const r = await runBin(['sync', '--yes'], { cwd: dir })
    if (r.code !== 0) throw new Error(`sync failed: ${r.stderr}`)
  }, 60_000)
  afterAll(async () => {
    await e?.stop()
  })

  it('exit 0 when config, files and server agree', async () => {
    const r = await runBin(['diff', '--against', 'all'], { cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(
      `config vs metadata files (hasura/metadata):\n  in sync\nconfig vs server (${url}):\n  in sync`,
    )
  })

  it('finds changes made on the server: changed, deleted, added under a managed name', async () => {
    const server = client(url)
    await server.ok('pg_create_event_trigger', {
      name: 'user_created',
      table: { schema: 'public', name: 'users' },
      insert: { columns: '*' },
      webhook: 'http://changed-in-console',
      retry_conf: { num_retries: 4, interval_sec: 10 },
      replace: true,
    })
    await server.ok('pg_delete_event_trigger', { name: 'order_updated' })
    await server.ok('delete_cron_trigger', { name: 'nightly-report' })
    // a name nself-hooks manages (in webhooks.managed.json) that is no longer in the config
    const managedFile = join(dir, 'webhooks.managed.json')
    const managed = JSON.parse(readFileSync(managedFile, 'utf8'))
    managed.eventTriggers.push({
      name: 'legacy_hook',
      source: 'default',
      table: { schema: 'public', name: 'users' },
    })
    writeFileSync(managedFile, `${JSON.stringify(managed, null, 2)}\n`)
    await server.ok('pg_create_event_trigger', {
      name: 'legacy_hook',
      table: { schema: 'public', name: 'users' },
      delete: { columns: '*' },
      webhook: 'http://legacy',
    })
    // and one made in the console that nself-hooks does not manage: not drift
    await server.ok('pg_create_event_trigger', {
      name: 'console_only',
      table: { schema: 'public', name: 'users' },
      delete: { columns: '*' },
      webhook: 'http://console',
    })

    const text = await runBin(['diff', '--against', 'server'], { cwd: dir })
    expect(text.code).toBe(2)
    expect(text.stdout).toContain('+ cron_trigger nightly-report')
    expect(text.stdout).toContain('+ event_trigger order_updated on public.orders')
    expect(text.stdout).toContain('~ event_trigger user_created on public.users')
    expect(text.stdout).toContain('retry_conf.num_retries: 4 → 0')
    expect(text.stdout).toContain('webhook: "http://changed-in-console" → "http://hooks.local/user-created"')
    expect(text.stdout).toContain('- event_trigger legacy_hook on public.users')
    expect(text.stdout).not.toContain('console_only')

    const json = await runBin(['diff', '--against', 'server', '--format', 'json'], { cwd: dir })
    expect(json.code).toBe(2)
    const body = JSON.parse(json.stdout)
    expect(body.format_version).toBe(1)
    expect(body.in_sync).toBe(false)
    expect(body.changes.map((c: any) => `${c.against} ${c.action} ${c.kind} ${c.name}`)).toEqual([
      'server create cron_trigger nightly-report',
      'server create event_trigger order_updated',
      'server update event_trigger user_created',
      'server delete event_trigger legacy_hook',
    ])
    const upd = body.changes.find((c: any) => c.name === 'user_created')
    expect(upd.fields).toEqual([
      { field: 'retry_conf.num_retries', before: 4, after: 0 },
      { field: 'webhook', before: 'http://changed-in-console', after: 'http://hooks.local/user-created' },
    ])

    const gh = await runBin(['diff', '--against', 'server', '--format', 'github'], { cwd: dir })
    expect(gh.code).toBe(2)
    const lines = gh.stdout.trim().split('\n')
    // the config line that declares the trigger, and the managed record for the deleted one
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^::error file=webhooks\.config\.ts,line=6,title=nself-hooks%3A event trigger user_created drifted from the server::/,
      ),
    )
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^::error file=webhooks\.managed\.json,line=\d+,title=nself-hooks%3A event trigger legacy_hook/,
      ),
    )
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^::error file=webhooks\.config\.ts,line=9,title=nself-hooks%3A cron trigger nightly-report/,
      ),
    )
    expect(lines.at(-1)).toBe('nself-hooks: 4 differences')
  })

  it('a sync brings the server back: exit 0; the console-made trigger stays', async () => {
    const s = await runBin(['sync', '--yes'], { cwd: dir })
    expect(s.code).toBe(0)
    expect(s.stdout).toContain('applied: 2 created, 1 updated, 1 deleted')
    const r = await runBin(['diff', '--against', 'server'], { cwd: dir })
    expect(r.code).toBe(0)
    expect(Object.keys(await client(url).triggers()).sort()).toEqual([
      'console_only',
      'order_updated',
      'user_created',
    ])
  })

  it('finds metadata files edited by hand, with GitHub annotations on the file and line', async () => {
    const file = join(dir, USERS_FILE)
    const before = readFileSync(file, 'utf8')
    writeFileSync(file, before.replace('http://hooks.local/user-created', 'http://edited-by-hand'))
    const text = await runBin(['diff'], { cwd: dir })
    expect(text.code).toBe(2)
    expect(text.stdout).toContain('~ event_trigger user_created on public.users')
    expect(text.stdout).toContain('webhook: "http://edited-by-hand" → "http://hooks.local/user-created"')
    expect(text.stdout).toContain('run nself-hooks generate')

    const gh = await runBin(['diff', '--against', 'files', '--format', 'github'], { cwd: dir })
    expect(gh.code).toBe(2)
    const line = before.split('\n').findIndex((l) => /name: user_created/.test(l)) + 1
    expect(gh.stdout).toContain(
      `::error file=${USERS_FILE},line=${line},title=nself-hooks%3A event trigger user_created drifted from the metadata files::`,
    )
    expect(gh.stdout).toContain('webhook: "http://edited-by-hand" → "http://hooks.local/user-created"')

    // the server did not change: only the files drifted
    const server = await runBin(['diff', '--against', 'server'], { cwd: dir })
    expect(server.code).toBe(0)

    const gen = await runBin(['generate'], { cwd: dir })
    expect(gen.code).toBe(0)
    const all = await runBin(['diff', '--against', 'all'], { cwd: dir })
    expect(all.code).toBe(0)
  })

  it('bad flags and an unreachable server are errors (exit 1), not drift', async () => {
    const bad = await runBin(['diff', '--against', 'nowhere'], { cwd: dir })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain("option '--against <target>' argument 'nowhere' is invalid")
    expect(bad.stderr).toContain('Allowed choices are files, server, all')
    const down = serverProject('http://127.0.0.1:9', CONFIG)
    const r = await runBin(['diff', '--against', 'server'], { cwd: down })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('cannot reach Hasura at http://127.0.0.1:9')
  })
})
