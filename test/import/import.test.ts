import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { diffLines } from 'diff'
import { describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { importConfig } from '../../src/config/load.js'
import { runCli } from '../helpers/cli.js'
import { testdir } from '../helpers/project.js'

const SECRET_VALUE = 'sk_live_DO-NOT-LEAK-7f3a9'
// one line: a header value may not hold line breaks (the config refuses them)
const NOTE = `it's "quoted" \\ back */ end; ünïcødé 😀 \t tab`
const CRON = `nightly "report" */ ü's \\`
const COMMENT = ['multi\nline */ \'q\' "dq" \\ /* ', '$', '{not.a.template}'].join('')
const PAYLOAD = {
  "it's": 'a\\b',
  '*/': 'x\ny',
  ünï: ['😀', null, 1.5, true, { '': '' }],
  'a.b': { 'c-d': -2 },
}

const CONFIG = `import { defineConfig } from 'nself-hooks'

// Our webhooks. Keep this comment.
export default defineConfig({
  service: 'webhooks', // from .env
  /* block comment, kept */
  triggers: {
    user_created: { table: 'users', on: { insert: true }, handler: 'user-created' },   // odd spacing
  },
})
`

/** A project whose config manages user_created, with a trigger and a cron made by hand beside it. */
async function project(): Promise<string> {
  const dir = testdir({
    '.env': 'CS_1=webhooks:express-ts:3001:/webhooks\n',
    'webhooks.config.ts': CONFIG,
  })
  const g = await runCli(['generate'], { cwd: dir })
  expect(g.code, g.stderr).toBe(0)
  const tables = join(dir, 'hasura/metadata/databases/default/tables')
  writeFileSync(
    join(tables, 'tables.yaml'),
    `${readFileSync(join(tables, 'tables.yaml'), 'utf8')}- "!include public_orders.yaml"\n`,
  )
  writeFileSync(
    join(tables, 'public_orders.yaml'),
    stringify({
      table: { name: 'orders', schema: 'public' },
      event_triggers: [
        {
          name: 'order_paid',
          definition: {
            enable_manual: true,
            update: { columns: ['status'], payload: ['id', 'status'] },
          },
          retry_conf: { interval_sec: 15, num_retries: 4, timeout_sec: 60 },
          webhook: 'http://webhooks:3001/webhooks/orders/paid',
          headers: [
            { name: 'X-Note', value: NOTE },
            { name: 'X-Api-Key', value: SECRET_VALUE },
          ],
        },
      ],
    }),
  )
  writeFileSync(
    join(dir, 'hasura/metadata/cron_triggers.yaml'),
    stringify([
      {
        name: CRON,
        webhook: '{{REPORT_BASE}}/nightly',
        schedule: '0 3 * * *',
        include_in_metadata: true,
        payload: PAYLOAD,
        retry_conf: {
          num_retries: 2,
          retry_interval_seconds: 10,
          timeout_seconds: 60,
          tolerance_seconds: 21600,
        },
        comment: COMMENT,
      },
    ]),
  )
  return dir
}

describe('import into an existing config', () => {
  it('diff mentions what the config does not manage, in text, JSON and github formats, without calling it drift', async () => {
    const dir = await project()
    const text = await runCli(['diff'], { cwd: dir })
    expect(text.code).toBe(0)
    expect(text.stdout).toContain(
      '1 trigger and 1 cron are not managed by the config: nself-hooks import takes them in',
    )
    const json = await runCli(['diff', '--format', 'json'], { cwd: dir })
    expect(json.code).toBe(0)
    const body = JSON.parse(json.stdout)
    expect(body.in_sync).toBe(true)
    expect(body.unmanaged.files).toEqual({
      event_triggers: [{ source: 'default', name: 'order_paid' }],
      cron_triggers: [CRON],
    })
    const gh = await runCli(['diff', '--format', 'github'], { cwd: dir })
    expect(gh.code).toBe(0)
    expect(gh.stdout).toMatch(
      /^::notice title=nself-hooks: unmanaged \(files\)::1 trigger and 1 cron are not managed/m,
    )
    expect(gh.stdout).not.toContain('::error')
  })

  it('adds the entries, keeps every other byte, never writes the secret, and a second run changes nothing', async () => {
    const dir = await project()
    const configFile = join(dir, 'webhooks.config.ts')
    const cronFile = join(dir, 'hasura/metadata/cron_triggers.yaml')
    const cronBefore = readFileSync(cronFile, 'utf8')

    const dry = await runCli(['import', '--dry-run', '--json'], { cwd: dir })
    expect(dry.code, dry.stderr).toBe(0)
    const plan = JSON.parse(dry.stdout)
    expect(plan.dry_run).toBe(true)
    expect(plan.written).toEqual([])
    expect(plan.imported.map((e: { name: string }) => e.name)).toEqual(['order_paid', CRON])
    expect(plan.skipped).toEqual([
      {
        kind: 'event_trigger',
        name: 'user_created',
        reason: 'the config already has a trigger of that name',
      },
    ])
    expect(plan.env_needed).toEqual([
      { kind: 'event_trigger', name: 'order_paid', header: 'X-Api-Key', env: 'X_API_KEY' },
    ])
    expect(readFileSync(configFile, 'utf8')).toBe(CONFIG)
    expect(existsSync(join(dir, 'webhooks.managed.json'))).toBe(true)
    expect(readFileSync(join(dir, 'webhooks.managed.json'), 'utf8')).not.toContain('order_paid')

    const r = await runCli(['import'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(
      /warning event trigger order_paid: header "X-Api-Key" .* set X_API_KEY where Hasura runs/,
    )
    const after = readFileSync(configFile, 'utf8')
    for (const out of [r.stdout, r.stderr, dry.stdout, dry.stderr, after])
      expect(out).not.toContain(SECRET_VALUE)
    // only insertions: every byte of the user's file is still there
    expect(diffLines(CONFIG, after).filter((p) => p.removed)).toEqual([])
    expect(after).toContain('// Our webhooks. Keep this comment.')
    expect(after).toContain("handler: 'user-created' },   // odd spacing")

    // the hostile values come back exactly when the config is loaded
    const cfg = (await importConfig(configFile)) as any
    expect(cfg.triggers.order_paid).toEqual({
      table: 'orders',
      on: { update: { columns: ['status'], payload: ['id', 'status'] }, manual: true },
      handler: 'orders/paid',
      headers: { 'X-Note': NOTE, 'X-Api-Key': { fromEnv: 'X_API_KEY' } },
      retry: { numRetries: 4, intervalSec: 15 },
    })
    expect(cfg.crons[CRON]).toEqual({
      schedule: '0 3 * * *',
      webhook: '{{REPORT_BASE}}/nightly',
      payload: PAYLOAD,
      comment: COMMENT,
      retry: { numRetries: 2 },
    })
    const managed = JSON.parse(readFileSync(join(dir, 'webhooks.managed.json'), 'utf8'))
    expect(managed.eventTriggers.map((t: { name: string }) => t.name).sort()).toEqual([
      'order_paid',
      'user_created',
    ])
    expect(managed.cronTriggers).toEqual([CRON])

    // generate owns them now: the cron file stays byte for byte, the secret literal becomes its env name
    const g = await runCli(['generate'], { cwd: dir })
    expect(g.code, g.stderr).toBe(0)
    expect(readFileSync(cronFile, 'utf8')).toBe(cronBefore)
    const orders = readFileSync(
      join(dir, 'hasura/metadata/databases/default/tables/public_orders.yaml'),
      'utf8',
    )
    expect(orders).toContain('value_from_env: X_API_KEY')
    expect(orders).not.toContain(SECRET_VALUE)
    expect(orders).toContain('webhook: http://webhooks:3001/webhooks/orders/paid')
    const d = await runCli(['diff'], { cwd: dir })
    expect(d.code).toBe(0)
    expect(d.stdout).not.toContain('not managed')

    const managedText = readFileSync(join(dir, 'webhooks.managed.json'), 'utf8')
    const again = await runCli(['import'], { cwd: dir })
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain('nothing to import')
    expect(again.stdout).toContain(
      '= event trigger order_paid: the config already has a trigger of that name',
    )
    expect(readFileSync(configFile, 'utf8')).toBe(after)
    expect(readFileSync(join(dir, 'webhooks.managed.json'), 'utf8')).toBe(managedText)
  })

  it('--only picks names; an unknown one is refused before anything is written', async () => {
    const dir = await project()
    const bad = await runCli(['import', '--only', 'order_payd'], { cwd: dir })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('"order_payd"')
    expect(bad.stderr).toContain('did you mean "order_paid"?')
    expect(readFileSync(join(dir, 'webhooks.config.ts'), 'utf8')).toBe(CONFIG)

    const one = await runCli(['import', '--only', CRON], { cwd: dir })
    expect(one.code, one.stderr).toBe(0)
    const cfg = (await importConfig(join(dir, 'webhooks.config.ts'))) as any
    expect(Object.keys(cfg.crons)).toEqual([CRON])
    expect(Object.keys(cfg.triggers)).toEqual(['user_created'])
    expect((await runCli(['generate', '--check'], { cwd: dir })).code).toBe(0)
  })

  it('a config it cannot edit safely is refused with the reason, nothing written', async () => {
    const dir = await project()
    writeFileSync(
      join(dir, 'webhooks.config.ts'),
      `import { defineConfig } from 'nself-hooks'\nconst list = { user_created: { table: 'users', on: { insert: true }, handler: 'user-created' } }\nexport default defineConfig({ service: 'webhooks', triggers: Object.assign({}, list) })\n`,
    )
    const r = await runCli(['import'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('`triggers` is not an object literal')
    expect(readFileSync(join(dir, 'webhooks.config.ts'), 'utf8')).toContain('Object.assign')
    expect(readFileSync(join(dir, 'webhooks.managed.json'), 'utf8')).not.toContain('order_paid')
  })
})
