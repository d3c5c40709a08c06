import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { execa } from 'execa'
import { describe, expect, test } from 'vitest'
import { dev } from '../../src/commands/dev.js'
import type { Context } from '../../src/context.js'
import { BIN, ROOT } from '../helpers/project.js'

function ctxWith(env: Record<string, string>, cwd = process.cwd()) {
  const out = new PassThrough()
  const err = new PassThrough()
  let stdout = ''
  let stderr = ''
  out.on('data', (c) => {
    stdout += c
  })
  err.on('data', (c) => {
    stderr += c
  })
  const ctx: Context = {
    cwd,
    env,
    stdout: out,
    stderr: err,
    isTTY: false,
    color: false,
    verbose: false,
  }
  return { ctx, stdout: () => stdout, stderr: () => stderr }
}

describe('nself-hooks dev', () => {
  test('without a secret: generates one, prints it as an env hint, serves until stopped', async () => {
    const { ctx, stdout } = ctxWith({})
    const stop = new AbortController()
    let ready: { url: string; adminSecret: string } | undefined
    const run = dev({ port: 0, signal: stop.signal, onReady: (r) => (ready = r) }, ctx)
    while (!ready) await new Promise((r) => setTimeout(r, 20))
    expect(stdout()).toContain(`Hasura-compatible engine listening on ${ready.url} (PGlite in memory)`)
    expect(stdout()).toContain(`export HASURA_GRAPHQL_ADMIN_SECRET=${ready.adminSecret}`)
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
    const { ctx, stdout, stderr } = ctxWith({ HASURA_GRAPHQL_ADMIN_SECRET: 'my-own-secret-value' })
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
    expect(stdout() + stderr()).not.toContain('my-own-secret-value')
  })

  // a bad --port is refused by the command line before dev runs: test/cli/argv.test.ts

  test('--sql then --sync: the embedded database gets the tables, then the project config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nh-'))
    cpSync(join(ROOT, 'fixtures', 'nself-project'), dir, { recursive: true })
    const { ctx, stdout, stderr } = ctxWith({}, dir)
    const stop = new AbortController()
    let ready: { url: string; adminSecret: string } | undefined
    const run = dev(
      { port: 0, sql: ['schema.sql'], sync: true, signal: stop.signal, onReady: (r) => (ready = r) },
      ctx,
    )
    while (!ready) await new Promise((r) => setTimeout(r, 50))
    expect(stdout()).toContain('ran schema.sql')
    const res = await fetch(`${ready.url}/v1/metadata`, {
      method: 'POST',
      headers: { 'x-hasura-admin-secret': ready.adminSecret },
      body: '{"type":"export_metadata","args":{}}',
    })
    const meta = (await res.json()) as { sources: { tables: { event_triggers?: { name: string }[] }[] }[] }
    const names = meta.sources[0]!.tables.flatMap((t: { event_triggers?: { name: string }[] }) =>
      (t.event_triggers ?? []).map((e) => e.name),
    )
    expect({ names, out: stdout(), stderr: stderr() }).toMatchObject({
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
    const { ctx, stdout } = ctxWith({}, dir)
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
    expect(stdout()).not.toContain('from-dotenv-secret')
    expect(stdout()).not.toContain('No HASURA_GRAPHQL_ADMIN_SECRET was set')
    expect(existsSync(join(dir, '.nself-hooks/dev/db'))).toBe(true)
  })

  test('a port in use: exit 1 with the reason, and the process ends', async () => {
    const blocker = createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()))
    const port = (blocker.address() as AddressInfo).port
    try {
      const r = await execa('node', [BIN, 'dev', '--port', String(port)], {
        cwd: mkdtempSync(join(tmpdir(), 'nh-dev-')),
        reject: false,
        timeout: 30_000,
        env: { NO_COLOR: '1' },
      })
      expect(r.timedOut).toBe(false)
      expect(r.exitCode).toBe(1)
      expect(r.stderr).toContain(`port ${port} is already in use`)
    } finally {
      blocker.close()
    }
  })
})
