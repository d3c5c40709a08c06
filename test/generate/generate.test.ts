import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { runCli } from '../helpers/cli.js'
import { config, copyFixture, golden, keptEveryLine, ROOT, readTree, testdir } from '../helpers/project.js'

describe('generate on the nself fixture (no metadata yet)', () => {
  it('writes the standard layout and the managed triggers, matching the golden files', async () => {
    const dir = copyFixture('nself-project')
    const r = await runCli(['generate'], { cwd: dir })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const tree = readTree(join(dir, 'hasura', 'metadata'))
    expect(Object.keys(tree).sort()).toEqual([
      'actions.graphql',
      'actions.yaml',
      'allow_list.yaml',
      'api_limits.yaml',
      'cron_triggers.yaml',
      'databases/databases.yaml',
      'databases/default/tables/public_users.yaml',
      'databases/default/tables/shop_orders.yaml',
      'databases/default/tables/tables.yaml',
      'graphql_schema_introspection.yaml',
      'inherited_roles.yaml',
      'network.yaml',
      'query_collections.yaml',
      'remote_schemas.yaml',
      'rest_endpoints.yaml',
      'version.yaml',
    ])
    for (const file of [
      'databases/default/tables/public_users.yaml',
      'databases/default/tables/shop_orders.yaml',
      'databases/default/tables/tables.yaml',
      'databases/databases.yaml',
      'cron_triggers.yaml',
    ]) {
      await expect(tree[file]).toMatchFileSnapshot(golden('generate', 'nself-project', file))
    }
    await expect(readFileSync(join(dir, 'webhooks.managed.json'), 'utf8')).toMatchFileSnapshot(
      golden('generate', 'nself-project', 'webhooks.managed.json'),
    )
  })

  it('resolves handler URLs from CS_2 in .env.dev and keeps secrets out of every file', async () => {
    const dir = copyFixture('nself-project')
    await runCli(['generate'], { cwd: dir })
    const users = parse(
      readFileSync(join(dir, 'hasura/metadata/databases/default/tables/public_users.yaml'), 'utf8'),
    )
    expect(users.event_triggers.map((t: { webhook: string }) => t.webhook)).toEqual([
      'http://webhooks:3001/webhooks/user-created',
      'http://webhooks:3001/webhooks/user-updated',
    ])
    const all =
      Object.values(readTree(join(dir, 'hasura'))).join('\n') +
      readFileSync(join(dir, 'webhooks.managed.json'))
    expect(all).not.toContain('dev-webhook-secret')
    expect(all).not.toContain('dev-admin-secret-change-me')
    expect(all).toContain('value_from_env: WEBHOOK_SECRET')
  })

  it('is idempotent: a second run changes nothing and says so', async () => {
    const dir = copyFixture('nself-project')
    await runCli(['generate'], { cwd: dir })
    const before = readTree(dir)
    const r = await runCli(['generate'], { cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^up to date: 3 event triggers, 1 cron trigger$/m)
    expect(readTree(dir)).toEqual(before)
  })
})

describe('generate on the brownfield fixture', () => {
  it('keeps every byte it does not own and adds its own triggers', async () => {
    const dir = copyFixture('brownfield')
    const before = readTree(join(dir, 'hasura', 'metadata'))
    const r = await runCli(['generate'], { cwd: dir, env: { HOOKS_SECRET: 'x' } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const after = readTree(join(dir, 'hasura', 'metadata'))
    const changed = Object.keys(after)
      .filter((f) => after[f] !== before[f])
      .sort()
    expect(changed).toEqual([
      'cron_triggers.yaml',
      'databases/default/tables/public_comments.yaml',
      'databases/default/tables/public_posts.yaml',
      'databases/default/tables/public_users.yaml',
      'databases/default/tables/tables.yaml',
    ])
    // Changed files only gained lines: every original line is still there, in its order.
    for (const f of changed.filter((f) => before[f] !== undefined)) {
      expect(keptEveryLine(before[f]!, after[f]!), `${f} kept every original line`).toBe(true)
    }
    for (const f of Object.keys(after)) {
      await expect(after[f]).toMatchFileSnapshot(golden('generate', 'brownfield', f))
    }
  })

  it('removes a trigger and a cron dropped from the config, leaving hand-made ones', async () => {
    const dir = copyFixture('brownfield')
    await runCli(['generate'], { cwd: dir })
    const original = readFileSync(join(dir, 'webhooks.config.ts'), 'utf8')
    const edited = original
      .replace(/\n {4}user_created: .*\n/, '\n')
      .replace(/ {4}'weekly-digest': \{[\s\S]*?\n {4}\},\n/, '')
    expect(edited).not.toBe(original)
    writeFileSync(join(dir, 'webhooks.config.ts'), edited)
    const r = await runCli(['generate'], { cwd: dir })
    expect(r.code).toBe(0)
    const users = readFileSync(
      join(dir, 'hasura/metadata/databases/default/tables/public_users.yaml'),
      'utf8',
    )
    expect(users).not.toContain('user_created')
    expect(users).toBe(
      readFileSync(
        join(ROOT, 'fixtures/brownfield/hasura/metadata/databases/default/tables/public_users.yaml'),
        'utf8',
      ),
    )
    const crons = readFileSync(join(dir, 'hasura/metadata/cron_triggers.yaml'), 'utf8')
    expect(crons).toBe(
      readFileSync(join(ROOT, 'fixtures/brownfield/hasura/metadata/cron_triggers.yaml'), 'utf8'),
    )
    const managed = JSON.parse(readFileSync(join(dir, 'webhooks.managed.json'), 'utf8'))
    expect(managed.eventTriggers.map((t: { name: string }) => t.name)).toEqual([
      'comment_added',
      'post_published',
    ])
    expect(managed.cronTriggers).toEqual([])
    // Still owned: a server synced later, from any checkout, deletes them too.
    expect(managed.retired).toEqual({
      eventTriggers: [{ name: 'user_created', source: 'default' }],
      cronTriggers: ['weekly-digest'],
    })
    // Back in the config, the name leaves the retired list.
    writeFileSync(join(dir, 'webhooks.config.ts'), original)
    expect((await runCli(['generate'], { cwd: dir })).code).toBe(0)
    const again = JSON.parse(readFileSync(join(dir, 'webhooks.managed.json'), 'utf8'))
    expect(again.retired).toBeUndefined()
  })

  it('never takes over a hand-made trigger or cron by name without --adopt', async () => {
    const dir = copyFixture('brownfield')
    const before = readTree(dir)
    const file = join(dir, 'webhooks.config.ts')
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace('comment_added:', 'legacy_audit:')
        .replace("'weekly-digest':", "'cleanup-sessions':"),
    )
    const r = await runCli(['generate'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('the config would take over 2 triggers made outside nself-hooks')
    expect(r.stderr).toContain('event trigger "legacy_audit" (databases/default/tables/public_users.yaml)')
    expect(r.stderr).toContain('cron trigger "cleanup-sessions" (cron_triggers.yaml)')
    expect(r.stderr).toContain('nself-hooks generate --adopt')
    expect(readTree(dir)).toEqual({ ...before, 'webhooks.config.ts': readFileSync(file, 'utf8') })
    // with the user's word, the trigger moves to the config's table and is managed from now on
    const adopted = await runCli(['generate', '--adopt'], { cwd: dir })
    expect(adopted.code).toBe(0)
    const users = readFileSync(
      join(dir, 'hasura/metadata/databases/default/tables/public_users.yaml'),
      'utf8',
    )
    expect(users).not.toContain('legacy_audit')
    const comments = readFileSync(
      join(dir, 'hasura/metadata/databases/default/tables/public_comments.yaml'),
      'utf8',
    )
    expect(comments).toContain('name: legacy_audit')
    expect((await runCli(['generate', '--check'], { cwd: dir })).code).toBe(0)
  })

  it('--check exits 2 with a diff when files would change, 0 when not, and writes nothing', async () => {
    const dir = copyFixture('brownfield')
    const before = readTree(dir)
    const stale = await runCli(['generate', '--check'], { cwd: dir })
    expect(stale.code).toBe(2)
    expect(stale.stdout).toContain('+++ b/hasura/metadata/databases/default/tables/public_posts.yaml')
    expect(stale.stdout).toContain('+  - name: post_published')
    expect(stale.stderr).toMatch(/6 files out of date: run nself-hooks generate/)
    expect(readTree(dir)).toEqual(before)
    await runCli(['generate'], { cwd: dir })
    const fresh = await runCli(['generate', '--check'], { cwd: dir })
    expect(fresh.code).toBe(0)
    expect(fresh.stdout).toContain('up to date')
  })

  it('--check catches a metadata file edited by hand', async () => {
    const dir = copyFixture('brownfield')
    await runCli(['generate'], { cwd: dir })
    const file = join(dir, 'hasura/metadata/databases/default/tables/public_posts.yaml')
    writeFileSync(file, readFileSync(file, 'utf8').replace('num_retries: 0', 'num_retries: 9'))
    const r = await runCli(['generate', '--check'], { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stdout).toMatch(/-\s+num_retries: 9\n\+\s+num_retries: 0/)
  })

  it('--dry-run prints what would be written and writes nothing', async () => {
    const dir = copyFixture('brownfield')
    const before = readTree(dir)
    const r = await runCli(['generate', '--dry-run'], { cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('would write 6 files (dry run: nothing written)')
    expect(readTree(dir)).toEqual(before)
  })
})

describe('errors', () => {
  it('a bad config: exit 1, every problem, nothing written, no stack trace', async () => {
    const dir = testdir({
      'webhooks.config.ts': config(`{
        triggers: {
          'bad name': { table: 'users', on: {}, webhook: 'http://x' },
          ok: { table: 'users', on: { insert: true }, webhook: 'http://x', retires: 2 },
        },
      }`),
    })
    const r = await runCli(['generate'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('webhooks.config.ts has 3 problems')
    expect(r.stderr).toContain('triggers.bad name.on: no operation')
    expect(r.stderr).toContain('triggers.ok.retires: unknown key "retires"')
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(existsSync(join(dir, 'hasura'))).toBe(false)
    expect(existsSync(join(dir, 'webhooks.managed.json'))).toBe(false)
  })

  it('a column missing from the known table columns (webhooks.columns.json) is refused before writing', async () => {
    const dir = testdir({
      'webhooks.config.ts': config(`{
        triggers: { t: { table: 'users', on: { update: { columns: ['emial'] } }, webhook: 'http://x' } },
      }`),
      'webhooks.columns.json': JSON.stringify({
        source: 'postgres',
        tables: {
          'public.users': [
            { name: 'id', type: 'int4', nullable: false },
            { name: 'email', type: 'text', nullable: false },
          ],
        },
      }),
    })
    const r = await runCli(['generate'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('triggers.t.on.update.columns: column "emial" does not exist in public.users')
    expect(r.stderr).toContain('columns of public.users: id, email')
    expect(existsSync(join(dir, 'hasura'))).toBe(false)
  })

  it('an unknown service is reported with the other problems, with a did-you-mean', async () => {
    const dir = testdir({
      '.env': 'CS_2=webhooks:express-ts:3001:/webhooks\n',
      'webhooks.config.ts': config(`{
        service: 'webhok',
        triggers: { t: { table: 'users', on: {}, handler: 'a b' } },
      }`),
    })
    const r = await runCli(['generate'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('has 3 problems')
    expect(r.stderr).toContain('service: service "webhok" is not declared in .env')
    expect(r.stderr).toContain('did you mean "webhooks"?')
    expect(r.stderr).toContain('triggers.t.on: no operation')
    expect(r.stderr).toContain('triggers.t.handler: handler "a b" is not a route')
  })

  it('no config: says how to create one', async () => {
    const dir = testdir({ 'README.md': '' })
    const r = await runCli(['generate'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/no webhooks.config.ts found from .* upward/)
    expect(r.stderr).toContain('run nself-hooks init')
  })

  it('a config that does not compile: names the file, exit 1', async () => {
    const dir = testdir({ 'webhooks.config.ts': 'export default {{{' })
    const r = await runCli(['generate'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/could not load .*webhooks.config.ts: .*\(at .*webhooks.config.ts:1:\d+\)/)
  })

  it('a config that throws when it runs: the message and where', async () => {
    const dir = testdir({
      'webhooks.config.ts':
        "import { defineConfig } from 'nself-hooks'\nexport default defineConfig({\n  triggers: undefinedThing,\n})\n",
    })
    const r = await runCli(['generate'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/undefinedThing is not defined \(at .*webhooks\.config\.ts:3:\d+\)/)
  })

  it('a legacy config v2 metadata directory is refused with the upgrade command', async () => {
    const dir = testdir({
      'webhooks.config.ts': config(
        `{ triggers: { t: { table: 'users', on: { insert: true }, webhook: 'http://x' } } }`,
      ),
      'hasura/metadata/version.yaml': 'version: 2\n',
      'hasura/metadata/tables.yaml': '[]\n',
    })
    const r = await runCli(['generate'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('hasura scripts update-project-v3')
  })

  it('finds the config from a subdirectory and --config points elsewhere', async () => {
    const dir = copyFixture('nself-project')
    const sub = join(dir, 'services', 'webhooks')
    mkdirSync(sub, { recursive: true })
    const r = await runCli(['generate', '--check'], { cwd: sub })
    expect(r.code).toBe(2)
    expect(r.stdout).toContain('+++ b/../../hasura/metadata/databases/default/tables/public_users.yaml')
    const other = testdir({ 'x.txt': '' })
    const r2 = await runCli(['generate', '--config', join(dir, 'webhooks.config.ts'), '--check'], {
      cwd: other,
    })
    expect(r2.code).toBe(2)
    expect(r2.stdout).toContain('public_users.yaml')
  })
})

describe('init', () => {
  it('writes a starter config using the .env services, which generate accepts', async () => {
    const dir = testdir({ '.env': 'CS_1=api:express-ts:3000\nCS_2=hooks:fastapi:3002:/hooks\n' })
    const r = await runCli(['init'], { cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('service hooks from .env')
    const text = readFileSync(join(dir, 'webhooks.config.ts'), 'utf8')
    expect(text).toContain("service: 'hooks'")
    const g = await runCli(['generate'], { cwd: dir })
    expect(g.code).toBe(0)
    const users = readFileSync(
      join(dir, 'hasura/metadata/databases/default/tables/public_users.yaml'),
      'utf8',
    )
    expect(users).toContain('webhook: http://hooks:3002/hooks/user-created')
  })

  it.each(['hono-ts', 'flask'])(
    'picks the %s service over one nself-hooks cannot scaffold',
    async (template) => {
      const dir = testdir({ '.env': `CS_1=api:gin:3000\nCS_2=events:${template}:3002:/events\n` })
      const r = await runCli(['init'], { cwd: dir })
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toContain('service events from .env')
      expect(readFileSync(join(dir, 'webhooks.config.ts'), 'utf8')).toContain("service: 'events'")
    },
  )

  it('refuses to overwrite an existing config', async () => {
    const dir = testdir({ 'webhooks.config.ts': '// mine\n' })
    const r = await runCli(['init'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('already exists')
    expect(readFileSync(join(dir, 'webhooks.config.ts'), 'utf8')).toBe('// mine\n')
  })
})
