import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runBin } from '../helpers/bin.js'
import { client, type EngineDb, engineOnPostgres, SECRET, serverProject } from '../helpers/engine.js'
import { startProxy } from '../helpers/http.js'
import { postgresUnavailable } from '../helpers/pg.js'
import { config } from '../helpers/project.js'

const pgReason = await postgresUnavailable()

const BASE = `{
  hasura: { endpoint: 'ENDPOINT' },
  triggers: {
    user_created: { table: 'users', on: { insert: true }, webhook: 'http://hooks.local/user-created' },
    order_updated: {
      table: 'public.orders',
      on: { update: { columns: ['status'] } },
      webhook: 'http://hooks.local/order-updated',
      retry: { numRetries: 2 },
    },
  },
  crons: {
    'nightly-report': { schedule: '0 3 * * *', webhook: 'http://hooks.local/nightly', payload: { kind: 'nightly' } },
  },
}`

const UPDATED = `{
  hasura: { endpoint: 'ENDPOINT' },
  triggers: {
    user_created: { table: 'users', on: { insert: true }, webhook: 'http://hooks.local/v2/user-created' },
    order_updated: {
      table: 'public.orders',
      on: { update: { columns: ['status', 'email'] } },
      webhook: 'http://hooks.local/order-updated',
      retry: { numRetries: 5, intervalSec: 30 },
      headers: { 'X-Source': 'hasura', 'X-Webhook-Secret': { fromEnv: 'WEBHOOK_SECRET' } },
    },
  },
  crons: {
    'nightly-report': { schedule: '30 3 * * *', webhook: 'http://hooks.local/nightly', payload: { kind: 'nightly' } },
  },
}`

const REMOVED = `{
  hasura: { endpoint: 'ENDPOINT' },
  triggers: {
    user_created: { table: 'users', on: { insert: true }, webhook: 'http://hooks.local/v2/user-created' },
  },
}`

const PERMISSION = {
  role: 'user',
  permission: { columns: ['id', 'email'], filter: { id: { _eq: 'X-Hasura-User-Id' } } },
}
const COLLECTION = {
  name: 'allowed',
  definition: { queries: [{ name: 'q', query: 'query { users { id } }' }] },
}

function rewrite(dir: string, body: string, endpoint: string) {
  writeFileSync(join(dir, 'webhooks.config.ts'), config(body.replace('ENDPOINT', endpoint)))
}

describe.skipIf(pgReason)('sync against the engine on PostgreSQL (built CLI)', () => {
  let e: EngineDb
  let url: string
  let dir: string
  beforeAll(async () => {
    e = await engineOnPostgres()
    url = e.engine.url
    dir = serverProject(url, BASE)
    // made in the console: must survive every sync (orders stays untracked: sync tracks it)
    await client(url).ok('pg_track_table', { table: { schema: 'public', name: 'users' } })
    // and metadata nself-hooks knows nothing about: a permission and a query collection
    const { metadata, resource_version } = await client(url).export()
    metadata.sources[0].tables[0].select_permissions = [PERMISSION]
    metadata.query_collections = [COLLECTION]
    await client(url).ok('replace_metadata', { metadata }, { version: 2, resource_version })
    await client(url).ok('pg_create_event_trigger', {
      name: 'console_made',
      table: { schema: 'public', name: 'users' },
      delete: { columns: '*' },
      webhook: 'http://console/hook',
    })
  }, 60_000)
  afterAll(async () => {
    await e?.stop()
  })

  it('creates triggers and crons in one replace_metadata, with a backup', async () => {
    const r = await runBin(['sync', '--yes'], { cwd: dir })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('+ event_trigger order_updated on public.orders')
    expect(r.stdout).toContain('+ event_trigger user_created on public.users')
    expect(r.stdout).toContain('+ cron_trigger nightly-report')
    expect(r.stdout).toContain('Plan: 3 to create, 0 to update, 0 to delete.')
    expect(r.stdout).toMatch(/applied: 3 created, 0 updated, 0 deleted \(resource_version \d+ → \d+\)/)
    const triggers = await client(url).triggers()
    expect(Object.keys(triggers).sort()).toEqual(['console_made', 'order_updated', 'user_created'])
    expect(r.stdout).toContain('+ track table public.orders (untracked; a trigger targets it)')
    expect(triggers.order_updated.retry_conf.num_retries).toBe(2)
    expect(triggers.order_updated.definition.update.columns).toEqual(['status'])
    const crons = await client(url).crons()
    expect(crons.map((c) => c.name)).toEqual(['nightly-report'])
    expect(crons[0].payload).toEqual({ kind: 'nightly' })
    // the files were generated first
    expect(existsSync(join(dir, 'hasura/metadata/databases/default/tables/public_users.yaml'))).toBe(true)
    // backup beside the config, git-ignored, said where, without the secret
    const backups = readdirSync(join(dir, '.nself-hooks/backups'))
    expect(backups).toHaveLength(1)
    expect(readFileSync(join(dir, '.nself-hooks/.gitignore'), 'utf8')).toBe('*\n')
    expect(r.stdout).toContain(`.nself-hooks/backups/${backups[0]}`)
    const backup = readFileSync(join(dir, '.nself-hooks/backups', backups[0]!), 'utf8')
    expect(backup).toContain('console_made')
    expect(backup).not.toContain(SECRET)
  })

  it('a second sync with nothing to do writes nothing: resource_version stays', async () => {
    const before = (await client(url).export()).resource_version
    const r = await runBin(['sync', '--yes'], { cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('no changes: the server matches the config')
    expect((await client(url).export()).resource_version).toBe(before)
    expect(readdirSync(join(dir, '.nself-hooks/backups'))).toHaveLength(1)
  })

  it('--dry-run --exit-code shows the update plan, exits 2 and changes nothing', async () => {
    rewrite(dir, UPDATED, url)
    const before = await client(url).export()
    const r = await runBin(['sync', '--dry-run', '--exit-code'], { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stdout).toContain('~ event_trigger order_updated on public.orders')
    expect(r.stdout).toContain('retry_conf.num_retries: 2 → 5')
    expect(r.stdout).toContain('retry_conf.interval_sec: 10 → 30')
    expect(r.stdout).toContain('definition.update.columns: ["status"] → ["email","status"]')
    expect(r.stdout).toContain(
      'headers: [] → [{"name":"X-Source","value":"hasura"},{"name":"X-Webhook-Secret","value_from_env":"WEBHOOK_SECRET"}]',
    )
    expect(r.stdout).toContain(
      'webhook: "http://hooks.local/user-created" → "http://hooks.local/v2/user-created"',
    )
    expect(r.stdout).toContain('schedule: "0 3 * * *" → "30 3 * * *"')
    expect(r.stdout).toContain('dry run: nothing was changed')
    expect(await client(url).export()).toEqual(before)
  })

  it('updates webhook, retry, headers and columns; --json reports the plan', async () => {
    const r = await runBin(['sync', '--yes', '--json'], { cwd: dir })
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.format_version).toBe(1)
    expect(out.applied).toBe(true)
    expect(out.summary).toEqual({ create: 0, update: 3, delete: 0 })
    expect(out.resource_version_after).toBeGreaterThan(out.resource_version)
    const names = out.changes.map((c: any) => `${c.action} ${c.kind} ${c.name}`)
    expect(names).toEqual([
      'update cron_trigger nightly-report',
      'update event_trigger order_updated',
      'update event_trigger user_created',
    ])
    const t = await client(url).triggers()
    expect(t.user_created.webhook).toBe('http://hooks.local/v2/user-created')
    expect(t.order_updated.retry_conf).toEqual({ num_retries: 5, interval_sec: 30, timeout_sec: 60 })
    expect(t.order_updated.definition.update.columns).toEqual(['status', 'email'])
    expect(t.order_updated.headers).toEqual([
      { name: 'X-Source', value: 'hasura' },
      { name: 'X-Webhook-Secret', value_from_env: 'WEBHOOK_SECRET' },
    ])
    expect(t.console_made.webhook).toBe('http://console/hook')
    expect((await client(url).crons())[0].schedule).toBe('30 3 * * *')
  })

  it('a plan that deletes is refused without a terminal and without --yes', async () => {
    rewrite(dir, REMOVED, url)
    const before = await client(url).export()
    const r = await runBin(['sync'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('- event_trigger order_updated on public.orders')
    expect(r.stdout).toContain('- cron_trigger nightly-report')
    expect(r.stderr).toContain('no terminal to confirm')
    expect(r.stderr).toContain('--yes')
    expect((await client(url).export()).resource_version).toBe(before.resource_version)
  })

  it('deletes what was removed from the config; the console-made trigger survives', async () => {
    const r = await runBin(['sync', '--yes'], { cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('applied: 0 created, 0 updated, 2 deleted')
    const t = await client(url).triggers()
    expect(Object.keys(t).sort()).toEqual(['console_made', 'user_created'])
    expect(await client(url).crons()).toEqual([])
    // everything else on the server came through every sync untouched
    const { metadata } = await client(url).export()
    const users = metadata.sources[0].tables.find((x: any) => x.table.name === 'users')
    expect(users.select_permissions).toEqual([PERMISSION])
    expect(metadata.query_collections).toEqual([COLLECTION])
  })

  it('--rollback restores the metadata saved before the last sync', async () => {
    // without a terminal and without --yes a rollback (it replaces the whole metadata) is refused
    const before = await client(url).export()
    const refused = await runBin(['sync', '--rollback'], { cwd: dir })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('there is no terminal to confirm it: nothing was changed')
    expect(await client(url).export()).toEqual(before)
    const backups = readdirSync(join(dir, '.nself-hooks/backups')).length
    const r = await runBin(['sync', '--rollback', '--yes'], { cwd: dir })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('restored .nself-hooks/backups/')
    // what the rollback replaced is kept, so the rollback itself can be undone
    expect(r.stdout).toContain('saved the metadata it replaced to .nself-hooks/backups/')
    expect(readdirSync(join(dir, '.nself-hooks/backups')).length).toBe(backups + 1)
    const t = await client(url).triggers()
    expect(Object.keys(t).sort()).toEqual(['console_made', 'order_updated', 'user_created'])
    expect((await client(url).crons()).map((c) => c.name)).toEqual(['nightly-report'])
  })

  it('a trigger on a missing table is refused with Hasura reason; the server is unchanged', async () => {
    const bad = serverProject(
      url,
      `{ hasura: { endpoint: 'ENDPOINT' }, triggers: { ghost_created: { table: 'ghosts', on: { insert: true }, webhook: 'http://x/y' } } }`,
    )
    const before = await client(url).export()
    const r = await runBin(['sync', '--yes'], { cwd: bad })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('Hasura refused the new metadata')
    expect(r.stderr).toMatch(/ghost/)
    expect(r.stderr).toMatch(/no such table|does not exist|not found/i)
    expect(r.stderr).toContain('nothing was changed on the server')
    expect(await client(url).export()).toEqual(before)
    expect(
      existsSync(join(bad, '.nself-hooks/backups')) ? readdirSync(join(bad, '.nself-hooks/backups')) : [],
    ).toEqual([])
    // and nothing was written locally either: no metadata files, no managed record
    expect(existsSync(join(bad, 'hasura'))).toBe(false)
    expect(existsSync(join(bad, 'webhooks.managed.json'))).toBe(false)
  })

  it('a config name that matches a trigger made on the server is refused unless --adopt', async () => {
    await client(url).ok('pg_create_event_trigger', {
      name: 'hand_made',
      table: { schema: 'public', name: 'orders' },
      insert: { columns: '*' },
      webhook: 'http://console.example/hook',
    })
    const taker = serverProject(
      url,
      `{ hasura: { endpoint: 'ENDPOINT' }, triggers: { hand_made: { table: 'users', on: { insert: true }, webhook: 'http://x/y' } } }`,
    )
    const before = await client(url).export()
    const r = await runBin(['sync', '--yes'], { cwd: taker })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('the config would take over a trigger made outside nself-hooks')
    expect(r.stderr).toContain('event trigger "hand_made" (on ')
    expect(r.stderr).toContain('nself-hooks sync --adopt')
    expect(await client(url).export()).toEqual(before)
    const adopted = await runBin(['sync', '--yes', '--adopt'], { cwd: taker })
    expect(adopted.code).toBe(0)
    expect((await client(url).triggers()).hand_made.table).toEqual({ schema: 'public', name: 'users' })
  })

  it('a wrong secret: exit 1, names the env, never prints the secret', async () => {
    const wrong = serverProject(url, BASE, { HASURA_GRAPHQL_ADMIN_SECRET: 'wrong-secret-xyz' })
    const r = await runBin(['sync', '--yes', '--verbose'], { cwd: wrong })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('rejected the admin secret from HASURA_GRAPHQL_ADMIN_SECRET')
    expect(`${r.stdout}${r.stderr}`).not.toContain('wrong-secret-xyz')
    expect(`${r.stdout}${r.stderr}`).not.toContain(SECRET)
  })

  it('a missing secret env names the env', async () => {
    const none = serverProject(
      url,
      BASE.replace("endpoint: 'ENDPOINT'", "endpoint: 'ENDPOINT', adminSecretEnv: 'MY_HASURA_SECRET'"),
    )
    const r = await runBin(['diff', '--against', 'server'], { cwd: none })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('the admin secret env MY_HASURA_SECRET is not set')
  })
})

describe.skipIf(pgReason)('sync: concurrency, a stopped server, request count', () => {
  let e: EngineDb
  beforeAll(async () => {
    e = await engineOnPostgres(['users'])
  }, 60_000)
  afterAll(async () => {
    await e?.stop()
  })

  it('a concurrent change between read and write is retried and ends correct', async () => {
    let raced = false
    const proxy = await startProxy(e.engine.url, {
      before: async (body) => {
        if (body?.type === 'replace_metadata' && !raced) {
          raced = true
          await client(e.engine.url).ok('pg_track_table', { table: { schema: 'public', name: 'users' } })
          await client(e.engine.url).ok('pg_create_event_trigger', {
            name: 'racer',
            table: { schema: 'public', name: 'users' },
            insert: { columns: '*' },
            webhook: 'http://racer/hook',
          })
        }
      },
    })
    try {
      const dir = serverProject(proxy.url, BASE.replace(/order_updated: \{[\s\S]*?\n {4}\},\n/, ''))
      const r = await runBin(['sync', '--yes'], { cwd: dir })
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      expect(r.stdout).toContain('the metadata changed on the server meanwhile; re-reading')
      expect(proxy.commands.filter((c) => c === 'replace_metadata')).toHaveLength(2)
      const t = await client(e.engine.url).triggers()
      expect(Object.keys(t).sort()).toEqual(['racer', 'user_created'])
      expect(readdirSync(join(dir, '.nself-hooks/backups'))).toHaveLength(1)
    } finally {
      await proxy.close()
    }
  })

  it('a stopped server: exit 1, says which endpoint and how to start one', async () => {
    const proxy = await startProxy(e.engine.url)
    const endpoint = proxy.url
    await proxy.close()
    const dir = serverProject(endpoint, BASE)
    const r = await runBin(['sync', '--yes'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`cannot reach Hasura at ${endpoint}: connection refused`)
    expect(r.stderr).toContain('nself-hooks dev')
    expect(r.stderr).toContain('nself start')
    expect(r.stderr).not.toContain(SECRET)
  })

  it('the number of requests does not grow with the number of triggers', async () => {
    const counts: Record<number, string[]> = {}
    for (const n of [5, 200]) {
      const triggers = Array.from(
        { length: n },
        (_, i) =>
          `t_${n}_${i}: { table: 'users', on: { insert: true }, webhook: 'http://hooks.local/${i}' },`,
      ).join('\n')
      const proxy = await startProxy(e.engine.url)
      try {
        const dir = serverProject(
          proxy.url,
          `{ hasura: { endpoint: 'ENDPOINT' }, triggers: { ${triggers} } }`,
        )
        const r = await runBin(['sync', '--yes', '--no-generate'], { cwd: dir })
        expect(r.stderr).toBe('')
        expect(r.code).toBe(0)
        counts[n] = proxy.commands
      } finally {
        await proxy.close()
      }
    }
    expect(counts[5]).toEqual(counts[200])
    expect(counts[200]).toEqual([
      'export_metadata',
      'get_cron_triggers',
      'replace_metadata',
      'get_inconsistent_metadata',
      'export_metadata',
      'get_cron_triggers',
    ])
  }, 120_000)
})
