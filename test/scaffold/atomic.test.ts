import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeAll } from '../../src/scaffold/write.js'
import { runCli } from '../helpers/cli.js'
import { readTree, tempDir, testdir } from '../helpers/project.js'

/** A project with good triggers and crons plus the entries given, on the template given. */
function withEntries(
  template: string,
  extra: { crons?: string; external?: string; service?: string },
): string {
  return testdir({
    'webhooks.config.ts': `import { defineConfig } from 'nself-hooks'
export default defineConfig({
  service: ${extra.service ?? `{ name: 'svc', template: '${template}' }`},
  triggers: {
    user_created: { table: 'users', on: { insert: true }, handler: 'user-created', headers: { 'X-Webhook-Secret': { fromEnv: 'WEBHOOK_SECRET' } } },
    user_deleted: { table: 'users', on: { delete: true }, handler: 'users/deleted', headers: { 'X-Webhook-Secret': { fromEnv: 'WEBHOOK_SECRET' } } },
  },
  crons: {
    nightly: { schedule: '0 3 * * *', handler: 'scheduled/nightly', headers: { 'X-Webhook-Secret': { fromEnv: 'WEBHOOK_SECRET' } } },
    ${extra.crons ?? ''}
  },
  external: { ${extra.external ?? ''} },
})
`,
  })
}

const files = (dir: string) => Object.keys(readTree(dir)).sort()

describe('scaffold writes everything or nothing (the CLI)', () => {
  it.each([
    {
      why: 'a handler segment too long for a file name',
      template: 'express-ts',
      extra: { crons: `long: { schedule: '0 1 * * *', handler: 'scheduled/${'x'.repeat(240)}' },` },
      message: /has 243 characters; at most 215/,
    },
    {
      why: 'two handlers that become the same Python module',
      template: 'fastapi',
      extra: { crons: `twin: { schedule: '0 1 * * *', handler: 'user_created' },` },
      message: /would share the file webhooks\/handlers\/user_created\.py/,
    },
    {
      why: 'a Python module shadowed by a package of the same name',
      template: 'fastapi',
      extra: { crons: `pkg: { schedule: '0 1 * * *', handler: 'users' },` },
      message: /webhooks\/handlers\/users\.py: a Python module and a package folder of the same name/,
    },
    {
      why: 'two handler files that differ only in case',
      template: 'nest-ts',
      extra: { crons: `shout: { schedule: '0 1 * * *', handler: 'User-Created' },` },
      message: /differ only in case/,
    },
    {
      why: 'a cron whose code name is one the generated runtime imports',
      template: 'express-ts',
      extra: { crons: `ok: { schedule: '0 1 * * *', handler: 'ok-cron' },` },
      message: /cron "ok" maps to the code name ok, which the generated runtime already uses/,
    },
    {
      why: 'a cron whose code name is the app the hono-ts routes export',
      template: 'hono-ts',
      extra: { crons: `webhooks_app: { schedule: '0 1 * * *', handler: 'app-cron' },` },
      message:
        /cron "webhooks_app" maps to the code name webhooksApp, which the generated runtime already uses/,
    },
    {
      why: 'two flask handlers that become the same Python module',
      template: 'flask',
      extra: { crons: `twin: { schedule: '0 1 * * *', handler: 'user_created' },` },
      message: /would share the (handler )?file webhooks\/handlers\/user_created\.py/,
    },
    {
      why: 'a flask handler named like the test of another one',
      template: 'flask',
      extra: { crons: `tests: { schedule: '0 1 * * *', handler: 'test_user_created' },` },
      message:
        /trigger "user_created" \(handler user-created\) and cron "tests" \(handler test_user_created\) would share the file/,
    },
    {
      why: 'an external webhook and a cron that map to the same code name',
      template: 'express-ts',
      extra: {
        crons: `'a b': { schedule: '0 1 * * *', handler: 'ab-cron' },`,
        external: `'a-b': { provider: 'github', secretEnv: 'GH', handler: 'gh' },`,
      },
      message: /cron "a b" and external "a-b" map to the same code name aB/,
    },
    {
      why: 'a service name that would put the service outside services/',
      template: 'express-ts',
      extra: { service: `{ name: '../../escaped', template: 'express-ts' }` },
      message: /service name "..\/..\/escaped" cannot be a folder name/,
    },
    {
      why: 'a route prefix the framework would read as a pattern',
      template: 'express-ts',
      extra: { service: `{ name: 'svc', template: 'express-ts', routePrefix: '/hooks/:id(.*)' }` },
      message: /routePrefix "\/hooks\/:id\(\.\*\)" has characters/,
    },
  ])(
    'one bad entry among good ones ($why): exit 1, the reason, and no file written',
    async ({ template, extra, message }) => {
      const dir = withEntries(template, extra)
      const before = files(dir)
      const r = await runCli(['scaffold', '--all', '--init-service'], { cwd: dir })
      expect(r.code, r.stderr).toBe(1)
      expect(r.stderr).toMatch(message)
      expect(r.stderr).not.toMatch(/bug| {4}at /)
      expect(files(dir)).toEqual(before)
      expect(existsSync(join(dir, '..', 'escaped'))).toBe(false)
    },
  )

  it('a file where a folder must go stops the run before the first write', async () => {
    const dir = withEntries('express-ts', {})
    mkdirSync(join(dir, 'services/svc/src'), { recursive: true })
    writeFileSync(join(dir, 'services/svc/src/webhooks'), 'not a folder')
    const before = files(dir)
    const r = await runCli(['scaffold', '--all', '--init-service'], { cwd: dir })
    expect(r.code, r.stderr).toBe(1)
    expect(r.stderr).toMatch(/src\/webhooks is a file, not a folder/)
    expect(files(dir)).toEqual(before)
  })

  it('the same config without the bad entry scaffolds every file', async () => {
    const dir = withEntries('fastapi', {})
    const r = await runCli(['scaffold', '--all', '--init-service'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(existsSync(join(dir, 'services/svc/webhooks/handlers/users/deleted.py'))).toBe(true)
    expect(existsSync(join(dir, 'services/svc/main.py'))).toBe(true)
  })
})

describe('writeAll', () => {
  it('removes its temp files and the folders it made when one write fails', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'blocker'), 'a file, not a folder')
    expect(() =>
      writeAll([
        { file: join(dir, 'new/deep/a.txt'), content: 'a' },
        { file: join(dir, 'b.txt'), content: 'b' },
        { file: join(dir, 'blocker/c.txt'), content: 'c' },
      ]),
    ).toThrow(/ENOTDIR|EEXIST/)
    expect(readdirSync(dir)).toEqual(['blocker'])
    expect(readFileSync(join(dir, 'blocker'), 'utf8')).toBe('a file, not a folder')
  })

  it('writes every file when all can be written', () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'old'))
    writeAll([
      { file: join(dir, 'old/a.txt'), content: 'a' },
      { file: join(dir, 'new/b.txt'), content: 'b' },
    ])
    expect(readTree(dir)).toEqual({ 'old/a.txt': 'a', 'new/b.txt': 'b' })
  })
})
