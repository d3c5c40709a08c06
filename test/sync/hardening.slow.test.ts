import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, runBin } from '../helpers/bin.js'
import { client, type EngineDb, engineOnPostgres, serverProject } from '../helpers/engine.js'
import { startProxy } from '../helpers/http.js'
import { postgresUnavailable } from '../helpers/pg.js'
import { config, readTree } from '../helpers/project.js'

const pgReason = await postgresUnavailable()

const BODY = `{
  hasura: { endpoint: 'ENDPOINT' },
  triggers: {
    user_created: { table: 'users', on: { insert: true }, webhook: 'http://hooks.local/user-created' },
    order_paid: { table: 'orders', on: { update: { columns: ['status'] } }, webhook: 'http://hooks.local/order-paid' },
  },
  crons: { nightly: { schedule: '0 3 * * *', webhook: 'http://hooks.local/nightly', payload: { kind: 'n' } } },
}`

const SYNCED = '.nself-hooks/synced.json'
const MANAGED = 'webhooks.managed.json'

/** Every file of the project but the config and the backups (which a refused sync never adds to). */
function files(dir: string): Record<string, string> {
  const { 'webhooks.config.ts': _, ...rest } = readTree(dir)
  return rest
}

describe.skipIf(pgReason)('sync hardening against the engine on PostgreSQL (built CLI)', () => {
  let e: EngineDb
  let url: string
  beforeAll(async () => {
    e = await engineOnPostgres(['users', 'orders'])
    url = e.engine.url
    // a trigger made in the console: never nself-hooks' to delete
    await client(url).ok('pg_track_table', { table: { schema: 'public', name: 'users' } })
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

  /** The server without BODY's objects (tests share the server, each has its own project). */
  async function clean(): Promise<void> {
    for (const name of ['user_created', 'order_paid']) {
      if ((await client(url).triggers())[name]) await client(url).ok('pg_delete_event_trigger', { name })
    }
    if ((await client(url).crons()).some((c) => c.name === 'nightly'))
      await client(url).ok('delete_cron_trigger', { name: 'nightly' })
  }

  /** A fresh project, synced to a clean server. */
  async function synced(): Promise<string> {
    await clean()
    const dir = serverProject(url, BODY)
    const r = await runBin(['sync', '--yes'], { cwd: dir })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    return dir
  }

  it('a config without export default: exit 1 naming the file; the server and the files stay', async () => {
    const dir = await synced()
    const before = await client(url).export()
    const tree = files(dir)
    // what a refactor easily leaves: the config built, never exported
    writeFileSync(
      join(dir, 'webhooks.config.ts'),
      `import { defineConfig } from 'nself-hooks'\n\nconst config = defineConfig(${BODY.replace('ENDPOINT', url)})\n`,
    )
    for (const args of [['sync', '--yes'], ['sync', '--yes', '--allow-delete-all'], ['generate']]) {
      const r = await runBin(args, { cwd: dir })
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/webhooks\.config\.ts has no default export/)
      expect(r.stderr).toContain('export default defineConfig({ ... })')
      expect(r.stderr).not.toContain('looks like a bug')
    }
    expect(await client(url).export()).toEqual(before)
    expect(files(dir)).toEqual(tree)
  })

  it('export default null, and a getter that throws: the user’s error, nothing touched', async () => {
    const dir = await synced()
    const before = await client(url).export()
    const tree = files(dir)
    writeFileSync(join(dir, 'webhooks.config.ts'), 'export default null\n')
    let r = await runBin(['sync', '--yes'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/the default export of .*webhooks\.config\.ts is null, not a config object/)
    writeFileSync(
      join(dir, 'webhooks.config.ts'),
      `export default {\n  hasura: { endpoint: '${url}' },\n  get triggers() {\n    return JSON.parse(process.env.TRIGGERS_JSON!)\n  },\n}\n`,
    )
    r = await runBin(['sync', '--yes'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      /reading triggers of .*webhooks\.config\.ts threw: .*JSON.*\(at .*webhooks\.config\.ts:4:\d+\)/,
    )
    expect(r.stderr).not.toContain('looks like a bug')
    expect(await client(url).export()).toEqual(before)
    expect(files(dir)).toEqual(tree)
  })

  it('a config that declares nothing does not delete every managed trigger, even with --yes', async () => {
    const dir = await synced()
    const before = await client(url).export()
    const tree = files(dir)
    writeFileSync(join(dir, 'webhooks.config.ts'), config(`{ hasura: { endpoint: '${url}' } }`))

    const r = await runBin(['sync', '--yes'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('Plan: 0 to create, 0 to update, 3 to delete.')
    expect(r.stderr).toContain(
      `the config declares no event or cron trigger, so this would delete every one nself-hooks manages (3 on ${url}: cron trigger nightly, event trigger order_paid, event trigger user_created): nothing was changed`,
    )
    expect(r.stderr).toContain('nself-hooks sync --allow-delete-all')
    expect(await client(url).export()).toEqual(before)
    expect(files(dir)).toEqual(tree)

    // a dry run shows the plan and says what applying it needs
    const dry = await runBin(['sync', '--dry-run'], { cwd: dir })
    expect(dry.code).toBe(0)
    expect(dry.stderr).toContain('which needs --allow-delete-all')
    expect(await client(url).export()).toEqual(before)

    const ok = await runBin(['sync', '--yes', '--allow-delete-all'], { cwd: dir })
    expect(ok.stderr).toBe('')
    expect(ok.code).toBe(0)
    expect(ok.stdout).toContain('applied: 0 created, 0 updated, 3 deleted')
    expect(Object.keys(await client(url).triggers())).toEqual(['console_made'])
    expect((await client(url).crons()).map((c) => c.name)).not.toContain('nightly')
    expect(existsSync(join(dir, 'hasura/metadata/databases/default/tables/public_orders.yaml'))).toBe(false)
  })

  it('the files alone would lose every trigger (the server never had them): refused too', async () => {
    await clean()
    const dir = serverProject(url, BODY)
    expect((await runBin(['generate'], { cwd: dir })).code).toBe(0)
    const before = await client(url).export()
    const tree = files(dir)
    writeFileSync(join(dir, 'webhooks.config.ts'), config(`{ hasura: { endpoint: '${url}' } }`))
    const r = await runBin(['sync', '--yes'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(
      '(3 in hasura/metadata: event trigger order_paid, event trigger user_created, cron trigger nightly)',
    )
    expect(r.stderr).toContain('--allow-delete-all')
    expect(files(dir)).toEqual(tree)
    expect(await client(url).export()).toEqual(before)
  })

  it('killed after replace_metadata, before recording: the next sync adopts its own triggers', async () => {
    await clean()

    let child: ReturnType<typeof execa> | undefined
    let armed = true
    const proxy = await startProxy(url, {
      after: async (body, status) => {
        // the server took the new metadata: the CLI dies before it hears so (kill -9)
        if (armed && body?.type === 'replace_metadata' && status === 200) {
          armed = false
          child?.kill('SIGKILL')
          await new Promise((r) => setTimeout(r, 100))
        }
      },
    })
    try {
      const dir = serverProject(proxy.url, BODY)
      child = execa('node', [BIN, 'sync', '--yes'], {
        cwd: dir,
        env: { NO_COLOR: '1' },
        reject: false,
        stdin: 'ignore',
      })
      const killed = await child
      expect(killed.signal).toBe('SIGKILL')
      // the crash left the server changed and nothing recorded
      expect(Object.keys(await client(url).triggers()).sort()).toEqual([
        'console_made',
        'order_paid',
        'user_created',
      ])
      expect(existsSync(join(dir, MANAGED))).toBe(false)
      expect(existsSync(join(dir, SYNCED))).toBe(false)
      expect(existsSync(join(dir, 'hasura'))).toBe(false)

      const before = (await client(url).export()).resource_version
      // no --yes, no terminal: adopting identical objects asks nothing
      const r = await runBin(['sync'], { cwd: dir })
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      expect(r.stdout).toContain(
        'adopting 3 triggers already on the server exactly as the config defines them',
      )
      expect(r.stdout).toContain('no changes: the server matches the config')
      expect((await client(url).export()).resource_version).toBe(before)
      // and recorded, in both records, with the files generated
      const synced = JSON.parse(readFileSync(join(dir, SYNCED), 'utf8'))
      expect(synced.endpoints[proxy.url]).toEqual({
        eventTriggers: [
          { source: 'default', name: 'user_created' },
          { source: 'default', name: 'order_paid' },
        ],
        cronTriggers: ['nightly'],
      })
      const managed = JSON.parse(readFileSync(join(dir, MANAGED), 'utf8'))
      expect(managed.eventTriggers.map((t: { name: string }) => t.name)).toEqual([
        'order_paid',
        'user_created',
      ])
      expect(managed.cronTriggers).toEqual(['nightly'])
      const again = await runBin(['diff', '--against', 'all'], { cwd: dir })
      expect(again.code).toBe(0)

      // they are nself-hooks' own now: removing one from the config deletes it on the next sync
      writeFileSync(
        join(dir, 'webhooks.config.ts'),
        config(BODY.replace('ENDPOINT', proxy.url).replace(/crons: \{.*\},\n/, '')),
      )
      const del = await runBin(['sync', '--yes'], { cwd: dir })
      expect(del.code).toBe(0)
      expect(del.stdout).toContain('- cron_trigger nightly')
      expect((await client(url).crons()).map((c) => c.name)).not.toContain('nightly')
    } finally {
      await proxy.close()
    }
  })

  it('an object under a config name that differs from the config is still a takeover', async () => {
    await synced()
    const dir = serverProject(url, BODY.replace('/order-paid', '/order-paid-v2'))
    const before = await client(url).export()
    const r = await runBin(['sync', '--yes'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('the config would take over a trigger made outside nself-hooks')
    expect(r.stderr).toContain('event trigger "order_paid"')
    expect(r.stderr).not.toContain('"user_created"')
    expect(await client(url).export()).toEqual(before)
    expect(existsSync(join(dir, MANAGED))).toBe(false)
  })

  it('a damaged synced.json is warned about (file and what to do), then repaired', async () => {
    const dir = await synced()
    const good = JSON.parse(readFileSync(join(dir, SYNCED), 'utf8'))
    expect(Object.keys(good.endpoints)).toEqual([url])
    for (const [text, problem] of [
      ['{"format_version": 1, "endpoints": {', 'is not valid JSON'],
      // before, this one was a crash ("looks like a bug")
      [
        JSON.stringify({ format_version: 1, endpoints: { [url]: { eventTriggers: 'user_created' } } }),
        `has an unexpected shape (Invalid input: expected array, received string at endpoints.${url}.eventTriggers)`,
      ],
    ] as const) {
      writeFileSync(join(dir, SYNCED), text)
      const d = await runBin(['diff', '--against', 'server'], { cwd: dir })
      expect(d.code).toBe(0)
      expect(d.stderr).toContain(`warning .nself-hooks/synced.json ${problem}`)
      expect(readFileSync(join(dir, SYNCED), 'utf8')).toBe(text)

      const r = await runBin(['sync', '--yes'], { cwd: dir })
      expect(r.code).toBe(0)
      expect(r.stderr).toContain(`warning .nself-hooks/synced.json ${problem}`)
      expect(r.stderr).toContain('the next sync rewrites it')
      expect(r.stderr).toContain('nself-hooks diff --against server')
      expect(r.stderr).not.toContain('looks like a bug')
      expect(JSON.parse(readFileSync(join(dir, SYNCED), 'utf8'))).toEqual(good)
      const quiet = await runBin(['sync', '--yes'], { cwd: dir })
      expect(quiet.stderr).toBe('')
    }
  })

  it('a damaged webhooks.managed.json: exit 1 naming it and the fix; nothing changed', async () => {
    const dir = await synced()
    const good = readFileSync(join(dir, MANAGED), 'utf8')
    for (const [content, message, hint] of [
      [
        '{"version": 1, "eventTriggers": [',
        /webhooks\.managed\.json is not valid JSON \(/,
        'git checkout -- webhooks.managed.json',
      ],
      [
        `{\n<<<<<<< HEAD\n  "version": 1,\n=======\n  "version": 1,\n>>>>>>> other\n}\n`,
        /webhooks\.managed\.json has unresolved merge conflict markers/,
        'resolve the conflict keeping the names of both sides',
      ],
      [
        '{"version": 1, "eventTriggers": [{"name": 3}], "cronTriggers": []}',
        /webhooks\.managed\.json has an unexpected shape: .* at eventTriggers\.0\.name/,
        'git checkout -- webhooks.managed.json',
      ],
    ] as const) {
      writeFileSync(join(dir, MANAGED), content)
      const before = await client(url).export()
      const tree = files(dir)
      for (const args of [['sync', '--yes'], ['generate']]) {
        const r = await runBin(args, { cwd: dir })
        expect(r.code).toBe(1)
        expect(r.stderr).toMatch(message)
        expect(r.stderr).toContain(hint)
      }
      expect(await client(url).export()).toEqual(before)
      expect(files(dir)).toEqual(tree)
      expect(readdirSync(join(dir, '.nself-hooks/backups'))).toHaveLength(1)
    }
    writeFileSync(join(dir, MANAGED), good)
    expect((await runBin(['sync', '--yes'], { cwd: dir })).code).toBe(0)
  })
})
