import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runBin } from '../helpers/bin.js'
import { client, type EngineDb, engineOnPostgres, SECRET } from '../helpers/engine.js'
import { postgresUnavailable } from '../helpers/pg.js'
import { copyFixture, ROOT } from '../helpers/project.js'

const pgReason = await postgresUnavailable()

describe.skipIf(pgReason)('fixtures/nself-project: sync, then diff and generate --check agree', () => {
  let e: EngineDb
  let dir: string
  let env: Record<string, string>
  beforeAll(async () => {
    e = await engineOnPostgres([])
    await e.engine.query(readFileSync(join(ROOT, 'fixtures/nself-project/schema.sql'), 'utf8'))
    dir = copyFixture('nself-project')
    // the process environment wins over the project's .env layers
    env = { HASURA_GRAPHQL_ENDPOINT: e.engine.url, HASURA_GRAPHQL_ADMIN_SECRET: SECRET }
  }, 60_000)
  afterAll(async () => {
    await e?.stop()
  })

  it('applies the example project and reports it in sync everywhere', async () => {
    const r = await runBin(['sync', '--yes'], { cwd: dir, env })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('applied: 4 created, 0 updated, 0 deleted')
    const t = await client(e.engine.url).triggers()
    expect(Object.keys(t).sort()).toEqual(['order_completed', 'user_created', 'user_updated'])
    expect(t.order_completed.table).toEqual({ name: 'orders', schema: 'shop' })
    expect(t.order_completed.definition).toEqual({
      enable_manual: true,
      update: { columns: ['status'], payload: ['id', 'status', 'customer_id'] },
    })
    expect(t.user_created.webhook).toBe('http://webhooks:3001/webhooks/user-created')
    expect(t.user_created.headers).toEqual([{ name: 'X-Webhook-Secret', value_from_env: 'WEBHOOK_SECRET' }])
    const [cron] = await client(e.engine.url).crons()
    expect(cron.comment).toBe('Daily summary at 09:00 UTC')

    expect((await runBin(['diff', '--against', 'all'], { cwd: dir, env })).code).toBe(0)
    expect((await runBin(['generate', '--check'], { cwd: dir, env })).code).toBe(0)
    const again = await runBin(['sync', '--dry-run', '--exit-code'], { cwd: dir, env })
    expect(again.code).toBe(0)
    expect(`${again.stdout}${again.stderr}`).not.toContain(SECRET)
    expect(`${r.stdout}${r.stderr}`).not.toContain('dev-webhook-secret')
  })

  it('a trigger removed and generated on one machine is deleted by a sync from a fresh checkout (CI)', async () => {
    const file = join(dir, 'webhooks.config.ts')
    writeFileSync(file, readFileSync(file, 'utf8').replace(/ {4}user_updated: \{[\s\S]*?\n {4}\},\n/, ''))
    expect((await runBin(['generate'], { cwd: dir, env })).code).toBe(0)
    // What CI checks out: the committed files only, none of this machine's .nself-hooks state.
    const checkout = mkdtempSync(join(tmpdir(), 'nh-ci-'))
    cpSync(dir, checkout, { recursive: true, filter: (src) => !src.includes('.nself-hooks') })
    const r = await runBin(['sync', '--yes'], { cwd: checkout, env })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('applied: 0 created, 0 updated, 1 deleted')
    expect(Object.keys(await client(e.engine.url).triggers()).sort()).toEqual([
      'order_completed',
      'user_created',
    ])
  })
})
