import { cpSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { describe, expect, test } from 'vitest'
import { startEngine } from '../../src/engine/index.js'
import { BIN } from '../helpers/bin.js'
import { ROOT } from '../helpers/project.js'

describe('nself-hooks console (the built CLI)', () => {
  test('prints its URL with the token on a line of its own and serves the built page', async () => {
    const engine = await startEngine({ port: 0, adminSecret: 'cli-admin-secret-value' })
    const dir = mkdtempSync(join(tmpdir(), 'nh-console-cli-'))
    cpSync(join(ROOT, 'fixtures', 'nself-project'), dir, { recursive: true })
    const child = execa('node', [BIN, 'console', '--no-open'], {
      cwd: dir,
      env: {
        NO_COLOR: '1',
        HASURA_GRAPHQL_ENDPOINT: engine.url,
        HASURA_GRAPHQL_ADMIN_SECRET: 'cli-admin-secret-value',
      },
      reject: false,
    })
    try {
      let out = ''
      child.stdout!.on('data', (c) => {
        out += c
      })
      const deadline = Date.now() + 30_000
      let line: string | undefined
      while (!line && Date.now() < deadline) {
        line = out.split('\n').find((l) => /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/.test(l))
        await new Promise((r) => setTimeout(r, 50))
      }
      expect(line, out).toBeDefined()
      const signed = await fetch(line!, { redirect: 'manual' })
      expect(signed.status).toBe(303)
      const cookie = signed.headers.get('set-cookie')!.split(';')[0]!
      const base = line!.replace(/\?token=.*$/, '')
      const js = await fetch(`${base}app.js`, { headers: { Cookie: cookie } })
      expect(js.status).toBe(200)
      expect(await js.text()).toBe(
        readFileSync(join(ROOT, 'dist', 'console', 'ui', 'app.js'), 'utf8').replace(
          /\n\/\/# sourceMappingURL=.*\s*$/,
          '\n',
        ),
      )
      expect(out).not.toContain('cli-admin-secret-value')
    } finally {
      child.kill('SIGINT')
      const r = await child
      expect(r.exitCode).toBe(0)
      await engine.stop()
    }
  })
})
