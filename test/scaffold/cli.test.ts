import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { copyFixture, readTree, testdir } from '../helpers/project.js'

/** The CLI as a user runs it, argv and all. */
describe('nself-hooks scaffold (the CLI)', () => {
  it('scaffolds the fixture project, then reports everything unchanged', async () => {
    const dir = copyFixture()
    const first = await runCli(['scaffold', '--all', '--init-service'], { cwd: dir })
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toMatch(
      /^created +services\/webhooks\/src\/webhooks\/handlers\/user-created\.ts \[yours\]$/m,
    )
    expect(first.stderr).toMatch(/no webhooks\.columns\.json yet/)
    expect(existsSync(join(dir, 'services/webhooks/src/index.ts'))).toBe(true)
    // the service reads secrets from env names; their values (in the fixture's .env) are written nowhere
    for (const [path, text] of Object.entries(readTree(join(dir, 'services')))) {
      expect(text, path).not.toContain('dev-webhook-secret')
      expect(text, path).not.toContain('dev-admin-secret-change-me')
    }
    expect(`${first.stdout}${first.stderr}`).not.toContain('dev-webhook-secret')
    const again = await runCli(['scaffold', '--all', '--init-service'], { cwd: dir })
    expect(again.code).toBe(0)
    expect(again.stdout.trim().split('\n').at(-1)).toMatch(/^\d+ unchanged$/)
  })

  it('--json reports each file with its kind and action', async () => {
    const dir = copyFixture()
    const r = await runCli(['scaffold', 'user-created', '--json'], { cwd: dir })
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout) as { files: { path: string; kind: string; action: string }[] }
    expect(report.files).toContainEqual({
      path: 'src/webhooks/handlers/user-created.ts',
      kind: 'user',
      action: 'created',
    })
    expect(report.files).toContainEqual({
      path: 'src/webhooks/_generated/routes.ts',
      kind: 'generated',
      action: 'created',
    })
  })

  it('exits 1 with a hint for an unknown template, and --help shows examples', async () => {
    const dir = testdir({
      'webhooks.config.ts': `import { defineConfig } from 'nself-hooks'
export default defineConfig({ service: { name: 'w', template: 'gin' }, triggers: { a: { table: 'users', on: { insert: true }, handler: 'a' } } })
`,
    })
    const r = await runCli(['scaffold', '--all'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('service template "gin" is not supported')
    expect(r.stderr).toContain('supported templates: express-ts, nest-ts, hono-ts, fastapi, flask')
    const help = await runCli(['scaffold', '--help'], { cwd: dir })
    expect(help.stdout).toContain('nself-hooks scaffold --all --init-service')
  })
})
