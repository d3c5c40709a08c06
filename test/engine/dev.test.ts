import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { dev } from '../../src/commands/dev.js'
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
})
