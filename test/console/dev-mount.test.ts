import { cpSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { describe, expect, test } from 'vitest'
import { dev } from '../../src/commands/dev.js'
import type { Context } from '../../src/context.js'
import { ROOT } from '../helpers/project.js'

function ctxIn(cwd: string) {
  const out = new PassThrough()
  let stdout = ''
  out.on('data', (c) => {
    stdout += c
  })
  const ctx: Context = {
    cwd,
    env: {},
    stdout: out,
    stderr: new PassThrough(),
    isTTY: false,
    color: false,
    verbose: false,
  }
  return { ctx, stdout: () => stdout }
}

describe('nself-hooks dev serves the console at /console', () => {
  test('behind its own token; the Hasura API beside it is unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nh-dev-console-'))
    cpSync(join(ROOT, 'fixtures', 'nself-project'), dir, { recursive: true })
    const { ctx, stdout } = ctxIn(dir)
    const stop = new AbortController()
    let ready: { url: string; adminSecret: string } | undefined
    const run = dev(
      { port: 0, sql: ['schema.sql'], sync: true, signal: stop.signal, onReady: (r) => (ready = r) },
      ctx,
    )
    try {
      while (!ready) await new Promise((r) => setTimeout(r, 50))
      const signIn = stdout()
        .split('\n')
        .find((l) => l.startsWith(`${ready!.url}/console/?token=`))
      expect(signIn, stdout()).toBeDefined()
      for (const path of ['/console', '/console/', '/console/app.js', '/console/api/meta']) {
        const r = await fetch(`${ready.url}${path}`, { redirect: 'manual' })
        expect([401, 308], path).toContain(r.status)
      }
      const wrong = await fetch(`${ready.url}/console/?token=wrong`, { redirect: 'manual' })
      expect(wrong.status).toBe(401)
      const signed = await fetch(signIn!, { redirect: 'manual' })
      expect(signed.status).toBe(303)
      expect(signed.headers.get('location')).toBe('/console/')
      const cookie = signed.headers.get('set-cookie')!
      expect(cookie).toMatch(/; HttpOnly; SameSite=Strict; Path=\/console$/)
      const meta = await fetch(`${ready.url}/console/api/meta`, {
        headers: { Cookie: cookie.split(';')[0]! },
      })
      expect(meta.status).toBe(200)
      const body = await meta.text()
      expect(JSON.parse(body).triggers.map((t: { name: string }) => t.name)).toEqual([
        'user_created',
        'user_updated',
        'order_completed',
      ])
      // the fixture's secret is the engine's: never in what the console answers
      expect(body).not.toContain('dev-admin-secret-change-me')
      const hasura = await fetch(`${ready.url}/v1/metadata`, {
        method: 'POST',
        headers: { 'x-hasura-admin-secret': ready.adminSecret },
        body: '{"type":"export_metadata","args":{}}',
      })
      expect(hasura.status).toBe(200)
    } finally {
      stop.abort()
      await run
    }
  })
})
