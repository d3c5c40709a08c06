import { readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { execa } from 'execa'
import { describe, expect, test } from 'vitest'
import { BIN, runBin } from '../helpers/bin.js'
import { copyFixture, tempDir, testdir } from '../helpers/project.js'

/**
 * The built binary as a user runs it (npm test builds first): the shim, exit codes, output on the
 * real streams. Everything else runs the same program in-process (test/helpers/cli.ts).
 */
describe('bin/nself-hooks.js', () => {
  test('--help and --version exit 0 on stdout; an unknown flag is exit 1 on stderr', async () => {
    const dir = testdir({})
    const help = await runBin(['generate', '--help'], { cwd: dir })
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: nself-hooks generate')
    const version = await runBin(['--version'], { cwd: dir })
    expect(version.code).toBe(0)
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+$/)
    const bad = await runBin(['generate', '--chek'], { cwd: dir })
    expect(bad.code).toBe(1)
    expect(bad.stdout).toBe('')
    expect(bad.stderr).toContain("unknown option '--chek'")
  })

  test('--verbose shows a stack in the source files; without it there is no stack', async () => {
    const dir = testdir({
      'webhooks.config.ts':
        "import { defineConfig } from 'nself-hooks'\n\nexport default defineConfig({ triggers: nope })\n",
    })
    const verbose = await runBin(['generate', '--verbose'], { cwd: dir })
    expect(verbose.code).toBe(1)
    expect(verbose.stderr).toMatch(/nope is not defined \(at .*webhooks\.config\.ts:3:\d+\)/)
    // the bundle's frames, named by its source maps
    expect(verbose.stderr).toMatch(/at importConfig \(.*src\/config\/load\.ts:\d+:\d+\)/)
    expect(verbose.stderr).not.toContain('dist/bundle')
    const plain = await runBin(['generate'], { cwd: dir })
    expect(plain.code).toBe(1)
    expect(plain.stderr).not.toMatch(/^\s+at /m)
  })

  test('generate writes the metadata and exits 0; --check exits 0, then 2 once a file is stale', async () => {
    const dir = copyFixture()
    const r = await runBin(['generate'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    const table = join(dir, 'hasura/metadata/databases/default/tables/public_users.yaml')
    expect(readFileSync(table, 'utf8')).toContain('user_created')
    expect((await runBin(['generate', '--check'], { cwd: dir })).code).toBe(0)
    // a hand edit to a generated value: the file no longer matches the config
    writeFileSync(table, readFileSync(table, 'utf8').replace(/num_retries: \d+/, 'num_retries: 99'))
    const stale = await runBin(['generate', '--check'], { cwd: dir })
    expect(stale.code).toBe(2)
    expect(stale.stdout + stale.stderr).toContain('run nself-hooks generate')
  })

  test('dev on a port in use: exit 1 with the reason, and the process ends', async () => {
    const blocker = createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()))
    const port = (blocker.address() as AddressInfo).port
    try {
      const r = await execa('node', [BIN, 'dev', '--port', String(port)], {
        cwd: tempDir('nh-dev-'),
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
