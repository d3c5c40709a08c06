import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { startCli } from '../helpers/cli.js'
import { client } from '../helpers/engine.js'
import { startHandler } from '../helpers/http.js'
import { config, testdir } from '../helpers/project.js'
import { waitFor } from '../helpers/wait.js'

const SECRET = 'dev-loop-secret-$`"x'

/** A project whose service `hooks` is a CS_N entry on the port a local handler listens on. */
function project(port: number, extraEnv = '') {
  return testdir({
    '.env': `HASURA_GRAPHQL_ADMIN_SECRET=${SECRET}\nCS_1=hooks:express-ts:${port}:/webhooks\nHOOK_TOKEN=t0ken\n${extraEnv}`,
    'schema.sql':
      'CREATE TABLE items (id bigint PRIMARY KEY, label text);\nCREATE TABLE notes (id serial PRIMARY KEY, body text);\n',
    'webhooks.config.ts': config(`{
  service: 'hooks',
  defaults: { retry: { numRetries: 2, intervalSec: 60 }, headers: { 'X-Token': { fromEnv: 'HOOK_TOKEN' } } },
  triggers: {
    item_created: { table: 'items', on: { insert: true }, handler: 'item-created' },
  },
}`),
  })
}

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f()
})

async function startDev(dir: string, args: string[]) {
  const p = startCli(['dev', '--port', '0', '--sql', 'schema.sql', '--sync', ...args], dir)
  cleanup.push(() => p.stop())
  await p.waitFor(/Press Ctrl\+C to stop/)
  const url = (p.out() + p.err()).match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)![1]!
  return { ...p, url }
}

describe('dev forwards deliveries to the local service', () => {
  test('a CS_N service is reached on 127.0.0.1 with no config change; the metadata keeps the configured URL', async () => {
    const h = await startHandler()
    cleanup.push(() => h.close())
    const dir = project(h.port)
    const d = await startDev(dir, [])
    expect(d.out()).toContain(`http://hooks:${h.port} → http://127.0.0.1:${h.port}  (hooks)`)
    // an int8 beyond 2^53 and a hostile label: the handler gets the exact digits
    await client(d.url, SECRET).sql(`INSERT INTO items VALUES (9007199254740993, 'a"b\\u001b[31m')`)
    const got = await waitFor(() => h.requests[0], 'the delivery', 10_000)
    expect(got.path).toBe('/webhooks/item-created')
    expect(got.headers['x-token']).toBe('t0ken')
    expect(got.raw).toContain('"id":9007199254740993')
    const line = await d.waitFor(/^\d\d:\d\d:\d\d item_created INSERT ([0-9a-f]{8}) 200 \d+ms #1$/m)
    const meta = await client(d.url, SECRET).ok('export_metadata', {})
    const trigger = meta.sources[0].tables
      .flatMap((t: any) => t.event_triggers ?? [])
      .find((t: any) => t.name === 'item_created')
    expect(trigger.webhook).toBe(`http://hooks:${h.port}/webhooks/item-created`)
    const inv = await client(d.url, SECRET).sql(
      `SELECT event_id, request::text FROM hdb_catalog.event_invocation_logs`,
    )
    expect(inv.result[1][0].startsWith(line[1]!)).toBe(true)
    expect(JSON.parse(inv.result[1][1]).forwarded_to).toBe(`http://127.0.0.1:${h.port}/webhooks/item-created`)
    // the secret from .env is never printed
    expect(d.out() + d.err()).not.toContain(SECRET)
    const r = await d.stop()
    expect(r.exitCode).toBe(0)
  })

  test('--forward overrides a service; --json prints one object per attempt; a refused connection is a failure line', async () => {
    const configured = await startHandler()
    const other = await startHandler(() => ({ status: 503 }))
    cleanup.push(
      () => configured.close(),
      () => other.close(),
    )
    const dir = project(configured.port)
    const d = await startDev(dir, ['--forward', `hooks=127.0.0.1:${other.port}`, '--json'])
    await client(d.url, SECRET).sql(`INSERT INTO items VALUES (1, 'x')`)
    await waitFor(() => other.requests[0], 'the delivery to the override', 10_000)
    await d.waitFor(/"status":503/)
    expect(configured.requests).toEqual([])
    const lines = d.out().trim().split('\n')
    // stdout has only the JSON lines; the banner went to stderr
    const first = JSON.parse(lines[0]!)
    expect(first).toMatchObject({
      kind: 'event',
      name: 'item_created',
      op: 'INSERT',
      attempt: 1,
      status: 503,
      url: `http://127.0.0.1:${other.port}/webhooks/item-created`,
      forwarded: true,
      result: 'retry',
    })
    expect(d.err()).toContain('listening on')
  })

  test('--no-forward delivers as written: the Docker name does not resolve, the line says why', async () => {
    const h = await startHandler()
    cleanup.push(() => h.close())
    const dir = project(h.port)
    const d = await startDev(dir, ['--no-forward'])
    expect(d.out()).toContain('Forwarding is off')
    await client(d.url, SECRET).sql(`INSERT INTO items VALUES (2, 'y')`)
    await d.waitFor(/item_created INSERT [0-9a-f]{8} \S.* #1 retry in 60s$/m, 15_000)
    expect(h.requests).toEqual([])
  })

  test('--forward to a service the project does not have: exit 1 naming the services', async () => {
    const dir = project(3999)
    const p = startCli(['dev', '--port', '0', '--forward', 'hookz=http://127.0.0.1:1'], dir)
    const r = await p.done
    expect(r.exitCode).toBe(1)
    expect(String(r.stderr)).toContain('no service of the project is called "hookz"')
    expect(String(r.stderr)).toContain('services: hooks')
  })
})

describe('dev --sql with --data-dir', () => {
  test('runs once for a database: the second start skips it, an edited file runs and fails with a hint', async () => {
    const dir = project(3999)
    const first = startCli(['dev', '--port', '0', '--data-dir', 'db', '--sql', 'schema.sql'], dir)
    await first.waitFor(/Press Ctrl\+C/)
    expect(first.out()).toContain('ran schema.sql')
    expect((await first.stop()).exitCode).toBe(0)
    const second = startCli(['dev', '--port', '0', '--data-dir', 'db', '--sql', 'schema.sql'], dir)
    await second.waitFor(/Press Ctrl\+C/)
    expect(second.out()).toContain('skipped schema.sql')
    expect((await second.stop()).exitCode).toBe(0)
    writeFileSync(
      join(dir, 'schema.sql'),
      `${readFileSync(join(dir, 'schema.sql'), 'utf8')}CREATE TABLE tags (id int);\n`,
    )
    const third = await startCli(['dev', '--port', '0', '--data-dir', 'db', '--sql', 'schema.sql'], dir).done
    expect(third.exitCode).toBe(1)
    expect(String(third.stderr)).toMatch(/--sql schema.sql failed: relation "items" already exists/)
    expect(String(third.stderr)).toContain('CREATE TABLE IF NOT EXISTS')
    expect(String(third.stderr)).toContain('remove db')
  })

  test('an SQL error names the line and says nothing was applied', async () => {
    const dir = project(3999)
    writeFileSync(
      join(dir, 'bad.sql'),
      'CREATE TABLE ok_one (id int);\n\nCREATE TABLE broken (id nosuchtype);\n',
    )
    const r = await startCli(['dev', '--port', '0', '--sql', 'bad.sql'], dir).done
    expect(r.exitCode).toBe(1)
    expect(String(r.stderr)).toContain('--sql bad.sql failed (line 3): type "nosuchtype" does not exist')
    expect(String(r.stderr)).toContain('nothing of it was applied')
  })
})

describe('dev --watch', () => {
  test('a config edit is synced into the running engine; a broken edit is reported and the engine stays; a .env edit reloads its env', async () => {
    const h = await startHandler()
    cleanup.push(() => h.close())
    const dir = project(h.port)
    const d = await startDev(dir, ['--watch'])
    const cfg = join(dir, 'webhooks.config.ts')
    const before = readFileSync(cfg, 'utf8')
    // broken first: the error is printed and dev keeps running
    writeFileSync(cfg, before.replace('triggers: {', 'triggers: { oops'))
    await d.waitFor(/still watching; fix it and save again/)
    writeFileSync(
      cfg,
      before.replace(
        'triggers: {',
        "triggers: {\n    note_added: { table: 'notes', on: { insert: true }, handler: 'notes/added' },",
      ),
    )
    await d.waitFor(/\+ event_trigger note_added on public\.notes[\s\S]*synced; watching for changes/)
    await client(d.url, SECRET).sql(`INSERT INTO notes (body) VALUES ('hi')`)
    const got = await waitFor(
      () => h.requests.find((g) => g.path === '/webhooks/notes/added'),
      'note_added',
      10_000,
    )
    expect(got.headers['x-token']).toBe('t0ken')
    await d.waitFor(/note_added INSERT [0-9a-f]{8} 200 /)
    // a new value in .env reaches the next delivery without a restart
    writeFileSync(
      join(dir, '.env'),
      readFileSync(join(dir, '.env'), 'utf8').replace('HOOK_TOKEN=t0ken', 'HOOK_TOKEN=n3w'),
    )
    await d.waitFor(/\.env changed[\s\S]*synced; watching/)
    await client(d.url, SECRET).sql(`INSERT INTO notes (body) VALUES ('again')`)
    const again = await waitFor(
      () => h.requests.filter((g) => g.path === '/webhooks/notes/added')[1],
      'second',
      10_000,
    )
    expect(again.headers['x-token']).toBe('n3w')
    expect((await d.stop()).exitCode).toBe(0)
  })
})
