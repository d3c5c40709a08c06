import { cpSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { describe, expect, test } from 'vitest'
import { dev } from '../../src/commands/dev.js'
import type { Context } from '../../src/context.js'
import { ROOT } from '../helpers/project.js'

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

  test('a bad port is a user error', async () => {
    const { ctx } = ctxWith({})
    await expect(dev({ port: 'abc' }, ctx)).rejects.toThrow(/--port must be a number/)
  })

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
