import { readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scaffold } from '../../src/commands/scaffold.js'
import type { Model } from '../../src/model/types.js'
import { captureContext } from '../helpers/cli.js'
import { testdir } from '../helpers/project.js'
import { waitFor } from '../helpers/wait.js'
import {
  checkBodyLimit,
  checkDirect,
  checkHasuraDelivery,
  checkHostileService,
  checkOutcomes,
  checkProductionReadsNoFiles,
  compile,
  npmInstall,
  runGeneratedTests,
  SERVICE_ENV,
  type Service,
  scaffoldFixture,
  startService,
  TS_USER_UPDATED,
} from './e2e.js'
import { HOSTILE_HEADER, HOSTILE_VALUES, scaffoldHostile } from './hostile.js'

describe('express-ts service: scaffolded, installed, compiled under --strict, serving real events', () => {
  let dir: string
  let model: Model
  let service: Service | undefined

  beforeAll(async () => {
    ;({ dir, model } = await scaffoldFixture('express-ts'))
    await npmInstall(dir)
  }, 300_000)
  afterAll(async () => {
    await service?.stop()
  })

  it('passes the per-handler tests scaffold wrote (npm test: node:test against the generated router)', async () => {
    // 5 handlers: a valid delivery and a wrong secret (or a foreign signature) each
    await runGeneratedTests(dir, ['npm', 'test'], 10)
  }, 300_000)

  it('compiles with tsc --strict against the real express, zod and @types packages', async () => {
    // the user's own handler logic replaces the scaffolded one from here on
    writeFileSync(join(dir, 'src/webhooks/handlers/user-updated.ts'), TS_USER_UPDATED)
    expect(await compile(dir)).toBe('')
  }, 120_000)

  it('reads its secrets from the .env layers of the project: serves an event the engine posts after a row insert; a wrong secret gets 401 and is retried', async () => {
    service = await startService(process.execPath, ['dist/index.js'], dir)
    await checkHasuraDelivery(model, service)
  }, 300_000)

  it('maps retryAfter to 503 + Retry-After and a permanent failure to 200 {ok:false}', async () => {
    expect(service, 'service from the previous test').toBeDefined()
    await checkOutcomes(model, service!)
  }, 120_000)

  it('answers bad bodies 400, checks the secret and verifies Stripe and GitHub signatures', async () => {
    await checkDirect(service!)
  }, 60_000)

  it('runs from source with its dev script (node --watch with tsx), restarting when a handler changes', async () => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts: { dev: string } }
    const [cmd, ...args] = pkg.scripts.dev.split(' ')
    expect(cmd).toBe('node')
    const s = await startService(process.execPath, args, dir)
    const handler = join(dir, 'src/webhooks/handlers/scheduled/daily-report.ts')
    const original = readFileSync(handler, 'utf8')
    try {
      const cron = {
        id: 'dev-1',
        name: 'daily-report-generation',
        scheduled_time: '2026-11-28T09:00:00Z',
        payload: { report_type: 'daily_summary' },
        comment: null,
      }
      const post = () =>
        fetch(`${s.url}/webhooks/scheduled/daily-report`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'X-Webhook-Secret': 'e2e-webhook-secret' },
          body: JSON.stringify(cron),
        })
      // the secret comes from the project's .env, read by the source itself
      expect((await post()).status).toBe(200)
      expect(original).toContain('return ok()')
      writeFileSync(
        handler,
        original
          .replace('import { ok } from', 'import { fail, ok } from')
          .replace('return ok()', "return fail('changed while running')"),
      )
      await waitFor(
        async () => {
          const res = await post().catch(() => undefined)
          const body = res ? ((await res.json()) as { error?: string }) : undefined
          return body?.error === 'changed while running'
        },
        'the dev service restarted with the changed handler',
        60_000,
      )
    } finally {
      await s.stop()
      writeFileSync(handler, original)
    }
  }, 180_000)

  it.each(['development', 'production'])(
    'answers a body over the limit with a JSON 413 and no stack trace under NODE_ENV=%s',
    async (nodeEnv) => {
      const s = await startService(process.execPath, ['dist/index.js'], dir, { NODE_ENV: nodeEnv })
      try {
        await checkBodyLimit(s)
        if (nodeEnv === 'production') await checkProductionReadsNoFiles(s)
      } finally {
        await s.stop()
      }
    },
    60_000,
  )

  it('takes its body limit from WEBHOOK_BODY_LIMIT and refuses to start on a value that is not a size', async () => {
    const s = await startService(process.execPath, ['dist/index.js'], dir, { WEBHOOK_BODY_LIMIT: '1kb' })
    try {
      const res = await fetch(`${s.url}/webhooks/user-created`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pad: 'x'.repeat(2048) }),
      })
      expect(res.status).toBe(413)
      expect(await res.json()).toEqual({ ok: false, error: 'body is larger than 1kb' })
    } finally {
      await s.stop()
    }
    await expect(
      startService(process.execPath, ['dist/index.js'], dir, { WEBHOOK_BODY_LIMIT: 'ten megabytes' }),
    ).rejects.toThrow(/WEBHOOK_BODY_LIMIT="ten megabytes" is not a size/)
  }, 60_000)

  it('compiles a service whose names, tables, columns and headers are hostile, which then serves them exactly', async () => {
    const hostile = await scaffoldHostile('express-ts', HOSTILE_VALUES)
    symlinkSync(join(dir, 'node_modules'), join(hostile, 'node_modules'))
    expect(await compile(hostile)).toBe('')
    const s = await startService(process.execPath, ['dist/index.js'], hostile, SERVICE_ENV)
    try {
      await checkHostileService(s, HOSTILE_VALUES.names, HOSTILE_HEADER, HOSTILE_VALUES.service)
      expect(s.logs()).not.toMatch(/TypeError|SyntaxError/)
    } finally {
      await s.stop()
    }
  }, 120_000)

  it('also compiles a one-trigger service with untyped rows (no column cache) and one with listed int8/numeric columns (stringified by the project env)', async () => {
    const min = testdir({
      'webhooks.config.ts': `import { defineConfig } from 'nself-hooks'
export default defineConfig({
  service: { name: 'mini', template: 'express-ts', routePrefix: '' },
  triggers: { t: { table: 'things', on: { insert: true, update: { columns: ['n'], payload: ['id', 'n'] }, delete: true, manual: true }, handler: 'things' } },
})
`,
    })
    const c = captureContext(min)
    expect(await scaffold({ handler: 'things', initService: true }, c.ctx)).toBe(0)
    symlinkSync(join(dir, 'node_modules'), join(min, 'services/mini/node_modules'))
    expect(await compile(join(min, 'services/mini'))).toBe('')
    // the same trigger with column types, and Hasura set to send int8/numeric as strings
    writeFileSync(join(min, '.env'), 'HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES=true\n')
    writeFileSync(
      join(min, 'webhooks.columns.json'),
      JSON.stringify({
        source: 'postgres',
        tables: {
          'public.things': [
            { name: 'id', type: 'int8', nullable: false },
            { name: 'n', type: 'numeric', nullable: true },
            { name: 'tags', type: '_text', nullable: false },
          ],
        },
      }),
    )
    expect(await scaffold({ handler: 'things' }, captureContext(min).ctx)).toBe(0)
    expect(readFileSync(join(min, 'services/mini/src/webhooks/_generated/payloads.ts'), 'utf8')).toContain(
      'n: z.string().nullable()',
    )
    expect(await compile(join(min, 'services/mini'))).toBe('')
  }, 120_000)
})
