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

/** The scaffolded handler tests: a delivery, a wrong secret, bad JSON and a wrong shape for the two triggers and the cron; an unsigned delivery for the two externals. */
const GENERATED_TESTS = 14

describe('hono-ts service: scaffolded, installed, compiled under --strict, served by @hono/node-server', () => {
  let dir: string
  let model: Model
  let service: Service | undefined

  beforeAll(async () => {
    ;({ dir, model } = await scaffoldFixture('hono-ts'))
    await npmInstall(dir)
  }, 300_000)
  afterAll(async () => {
    await service?.stop()
  })

  it('passes the per-handler tests scaffold wrote (npm test: node:test through app.request)', async () => {
    await runGeneratedTests(dir, ['npm', 'test'], GENERATED_TESTS)
  }, 300_000)

  it('compiles with tsc --strict against the real hono, @hono/node-server and zod packages', async () => {
    // the user's own handler logic replaces the scaffolded one from here on
    writeFileSync(join(dir, 'src/webhooks/handlers/user-updated.ts'), TS_USER_UPDATED)
    expect(await compile(dir)).toBe('')
  }, 120_000)

  it('reads its secrets from the .env layers of the project: serves an event the engine posts after a row insert; a wrong secret gets 401 and is retried', async () => {
    service = await startService(process.execPath, ['dist/index.js'], dir)
    await checkHasuraDelivery(model, service)
  }, 120_000)

  it('maps retryAfter to 503 + Retry-After, backs off exponentially, and a permanent failure to 200 {ok:false}', async () => {
    expect(service, 'service from the previous test').toBeDefined()
    await checkOutcomes(model, service!)
  }, 120_000)

  it('answers bad bodies 400, checks the secret, takes scheduled and replayed cron bodies, verifies Stripe and GitHub signatures', async () => {
    expect(service, 'service from an earlier test').toBeDefined()
    await checkDirect(service!)
  }, 60_000)

  it.each(['development', 'production'])(
    'answers a body over the limit with a JSON 413 and no stack trace under NODE_ENV=%s',
    async (nodeEnv) => {
      const s = await startService(process.execPath, ['dist/index.js'], dir, { NODE_ENV: nodeEnv })
      try {
        await checkBodyLimit(s)
        expect(s.logs()).not.toMatch(/at \w+ \(|BodyLimitError/)
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
    const hostile = await scaffoldHostile('hono-ts', HOSTILE_VALUES)
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

  it('the dev script (tsx watch) serves the app and restarts it when a file changes', async () => {
    // the dev script, run directly: a signal to npm would not reach the watcher it started
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts: { dev: string } }
    const [bin, ...args] = pkg.scripts.dev.split(' ')
    expect(bin).toBe('tsx')
    const s = await startService(join(dir, 'node_modules/.bin/tsx'), args, dir)
    try {
      const app = join(dir, 'src/app.ts')
      const text = readFileSync(app, 'utf8')
      writeFileSync(app, text.replace("status: 'ok'", "status: 'changed'"))
      await waitFor(
        async () => {
          const health = await fetch(`${s.url}/health`)
            .then((r) => r.json() as Promise<{ status?: string }>)
            .catch(() => ({ status: undefined }))
          return health.status === 'changed'
        },
        'the dev server serving the changed app',
        30_000,
      )
      writeFileSync(app, text)
    } finally {
      await s.stop()
    }
  }, 120_000)

  it('also compiles a one-trigger service with untyped rows (no column cache) and no prefix', async () => {
    const min = testdir({
      'webhooks.config.ts': `import { defineConfig } from 'nself-hooks'
export default defineConfig({
  service: { name: 'mini', template: 'hono-ts', routePrefix: '' },
  triggers: { t: { table: 'things', on: { insert: true, update: { columns: ['n'], payload: ['id', 'n'] }, delete: true, manual: true }, handler: 'things' } },
})
`,
    })
    expect(await scaffold({ handler: 'things', initService: true }, captureContext(min).ctx)).toBe(0)
    symlinkSync(join(dir, 'node_modules'), join(min, 'services/mini/node_modules'))
    expect(await compile(join(min, 'services/mini'))).toBe('')
  }, 120_000)
})
