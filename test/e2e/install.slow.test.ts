import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { describe, expect, it } from 'vitest'
import { config, ROOT } from '../helpers/project.js'

/** What a user gets from `npm install nself-hooks`: the packed tarball, installed, run through npx. */
describe('installed package', () => {
  it('works through npx, and webhooks.config.ts imports defineConfig from it', async () => {
    const packDir = mkdtempSync(join(tmpdir(), 'nh-pack-'))
    await execa('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', packDir], { cwd: ROOT })
    const tarball = join(packDir, readdirSync(packDir).find((f) => f.endsWith('.tgz'))!)
    const project = mkdtempSync(join(tmpdir(), 'nh-user-'))
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'user-project', private: true, type: 'module' }),
    )
    await execa('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: project })
    writeFileSync(
      join(project, 'webhooks.config.ts'),
      config(
        `{ triggers: { user_created: { table: 'users', on: { insert: true }, webhook: 'https://hooks.example.com/u' } } }`,
      ),
    )
    const version = await execa('npx', ['--no-install', 'nself-hooks', '--version'], { cwd: project })
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version)
    const gen = await execa('npx', ['--no-install', 'nself-hooks', 'generate'], {
      cwd: project,
      reject: false,
    })
    expect(gen.stderr).toBe('')
    expect(gen.exitCode).toBe(0)
    const file = readFileSync(
      join(project, 'hasura/metadata/databases/default/tables/public_users.yaml'),
      'utf8',
    )
    expect(file).toContain('webhook: https://hooks.example.com/u')
  }, 300_000)
})
