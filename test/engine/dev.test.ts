import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { dev } from '../../src/commands/dev.js'
import { UserError } from '../../src/errors.js'
import { captureContext } from '../helpers/cli.js'
import { ROOT } from '../helpers/project.js'

describe('nself-hooks dev', () => {
  test('without a secret: generates one, prints it as an env hint, serves until stopped', async () => {
    const cap = captureContext(process.cwd())
    const { ctx } = cap
    const stop = new AbortController()
    let ready: { url: string; adminSecret: string } | undefined
    const run = dev({ port: 0, signal: stop.signal, onReady: (r) => (ready = r) }, ctx)
    while (!ready) await new Promise((r) => setTimeout(r, 20))
    expect(cap.out).toContain(`Hasura-compatible engine listening on ${ready.url} (PGlite in memory)`)
    expect(cap.out).toContain(`export HASURA_GRAPHQL_ADMIN_SECRET=${ready.adminSecret}`)
    expect(ready.adminSecret.length).toBeGreaterThanOrEqual(20)
    const res = await fetch(`${ready.url}/v1/metadata`, {
      method: 'POST',
      headers: { 'x-hasura-admin-secret': ready.adminSecret },
      body: '{"type":"export_metadata","args":{}}',
    })
    expect(res.status).toBe(200)
    stop.abort()
    expect(await run).toBe(0)
    await expect(fetch(`${ready.url}/healthz`)).rejects.toThrow()
  })

  test('a secret from the env is used and never printed', async () => {
    const cap = captureContext(process.cwd(), { env: { HASURA_GRAPHQL_ADMIN_SECRET: 'my-own-secret-value' } })
    const { ctx } = cap
    const stop = new AbortController()
    let url = ''
    const run = dev({ port: 0, signal: stop.signal, onReady: (r) => (url = r.url) }, ctx)
    while (!url) await new Promise((r) => setTimeout(r, 20))
    const wrong = await fetch(`${url}/v1/metadata`, {
      method: 'POST',
      body: '{"type":"export_metadata","args":{}}',
    })
    expect(wrong.status).toBe(401)
    stop.abort()
    await run
    expect(cap.out + cap.err).not.toContain('my-own-secret-value')
  })

  // a bad --port is refused by the command line before dev runs: test/cli/argv.test.ts

  test('--sql then --sync: the embedded database gets the tables, then the project config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nh-'))
    cpSync(join(ROOT, 'fixtures', 'nself-project'), dir, { recursive: true })
    const cap = captureContext(dir)
    const { ctx } = cap
    const stop = new AbortController()
    let ready: { url: string; adminSecret: string } | undefined
    const run = dev(
      { port: 0, sql: ['schema.sql'], sync: true, signal: stop.signal, onReady: (r) => (ready = r) },
      ctx,
    )
    while (!ready) await new Promise((r) => setTimeout(r, 50))
    expect(cap.out).toContain('ran schema.sql')
    const res = await fetch(`${ready.url}/v1/metadata`, {
      method: 'POST',
      headers: { 'x-hasura-admin-secret': ready.adminSecret },
      body: '{"type":"export_metadata","args":{}}',
    })
    const meta = (await res.json()) as { sources: { tables: { event_triggers?: { name: string }[] }[] }[] }
    const names = meta.sources[0]!.tables.flatMap((t: { event_triggers?: { name: string }[] }) =>
      (t.event_triggers ?? []).map((e) => e.name),
    )
    expect({ names, out: cap.out, stderr: cap.err }).toMatchObject({
      names: expect.arrayContaining(['user_created', 'user_updated', 'order_completed']),
    })
    stop.abort()
    expect(await run).toBe(0)
  })
})

describe('nself-hooks dev in a project', () => {
  test("reads the project's .env layers: its admin secret is used and never printed; --data-dir is created", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nh-dev-'))
    writeFileSync(join(dir, '.env'), 'HASURA_GRAPHQL_ADMIN_SECRET=from-dotenv-secret\n')
    const cap = captureContext(dir)
    const { ctx } = cap
    const stop = new AbortController()
    let url = ''
    const run = dev(
      { port: 0, dataDir: '.nself-hooks/dev/db', signal: stop.signal, onReady: (r) => (url = r.url) },
      ctx,
    )
    while (!url) await new Promise((r) => setTimeout(r, 20))
    const res = await fetch(`${url}/v1/metadata`, {
      method: 'POST',
      headers: { 'x-hasura-admin-secret': 'from-dotenv-secret' },
      body: '{"type":"export_metadata","args":{}}',
    })
    expect(res.status).toBe(200)
    stop.abort()
    expect(await run).toBe(0)
    expect(cap.out).not.toContain('from-dotenv-secret')
    expect(cap.out).not.toContain('No HASURA_GRAPHQL_ADMIN_SECRET was set')
    expect(existsSync(join(dir, '.nself-hooks/dev/db'))).toBe(true)
  })

  test('HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES from the .env layers reaches the engine: int8 and numeric rows as strings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nh-dev-'))
    writeFileSync(
      join(dir, '.env'),
      'HASURA_GRAPHQL_ADMIN_SECRET=s3\nHASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES=true\n',
    )
    writeFileSync(
      join(dir, 'schema.sql'),
      'CREATE TABLE public.nums (id int8 PRIMARY KEY, amount numeric, n int4);\n',
    )
    let body = ''
    const hook = createServer((req, res) => {
      req.on('data', (c) => {
        body += c
      })
      req.on('end', () => res.end('{}'))
    })
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()))
    const { ctx } = captureContext(dir, { env: {} })
    const stop = new AbortController()
    let url = ''
    const run = dev({ port: 0, sql: 'schema.sql', signal: stop.signal, onReady: (r) => (url = r.url) }, ctx)
    try {
      while (!url) await new Promise((r) => setTimeout(r, 20))
      const post = (path: string, payload: unknown) =>
        fetch(`${url}${path}`, {
          method: 'POST',
          headers: { 'x-hasura-admin-secret': 's3' },
          body: JSON.stringify(payload),
        })
      expect((await post('/v1/metadata', { type: 'pg_track_table', args: { table: 'nums' } })).status).toBe(
        200,
      )
      const created = await post('/v1/metadata', {
        type: 'pg_create_event_trigger',
        args: {
          name: 'nums_created',
          table: 'nums',
          insert: { columns: '*' },
          webhook: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`,
        },
      })
      expect(created.status).toBe(200)
      const sql = 'INSERT INTO nums VALUES (9007199254740993, 0.125, 3)'
      expect((await post('/v2/query', { type: 'run_sql', args: { sql } })).status).toBe(200)
      while (!body.includes('"op":"INSERT"')) await new Promise((r) => setTimeout(r, 20))
      expect(body).toContain('"id":"9007199254740993"')
      expect(body).toContain('"amount":"0.125"')
      expect(body).toContain('"n":3')
    } finally {
      stop.abort()
      await run
      hook.close()
    }
  }, 120_000)

  test('a HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES Hasura would not start with: a usage error naming the values, no engine', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nh-dev-'))
    writeFileSync(join(dir, '.env'), 'HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES=sometimes\n')
    const cap = captureContext(dir, { env: {} })
    const run = dev({ port: 0 }, cap.ctx)
    await expect(run).rejects.toThrow(
      'HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES="sometimes" is not a boolean Hasura accepts',
    )
    await expect(run).rejects.toMatchObject({ hint: expect.stringContaining('true, t, yes, y (on)') })
    await expect(run).rejects.toBeInstanceOf(UserError)
    expect(cap.out).not.toContain('listening')
  })
})
