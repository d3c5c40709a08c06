import { readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scaffold } from '../../src/commands/scaffold.js'
import type { Model } from '../../src/model/types.js'
import { waitFor } from '../engine/helpers.js'
import {
  checkBodyLimit,
  checkDirect,
  checkHasuraDelivery,
  checkHostileService,
  checkOutcomes,
  compile,
  npmInstall,
  type Service,
  scaffoldFixture,
  startService,
} from './e2e.js'
import { context, project } from './helpers.js'
import { HOSTILE_HEADER, HOSTILE_VALUES, scaffoldHostile } from './hostile.js'

/** The user's own handler logic: first attempt asks for a retry in 1 s, then plain retries, then it fails for good. */
const USER_UPDATED = `import type { UserUpdatedHandlers } from '../_generated/payloads.js'
import { fail, retry, retryAfter } from '../_generated/runtime.js'

export const userUpdated: UserUpdatedHandlers = {
  async update(event, ctx) {
    if (ctx.attempt === 1) return retryAfter(1, 'downstream busy')
    if (ctx.attempt <= 3) return retry('still busy')
    return fail(\`cannot sync \${event.data.new.email}\`)
  },
}
`

describe('hono-ts service: scaffolded, installed, compiled under --strict, served by @hono/node-server', () => {
  let dir: string
  let model: Model
  let service: Service | undefined

  beforeAll(async () => {
    ;({ dir, model } = await scaffoldFixture('hono-ts'))
    writeFileSync(join(dir, 'src/webhooks/handlers/user-updated.ts'), USER_UPDATED)
    await npmInstall(dir)
  }, 300_000)
  afterAll(async () => {
    await service?.stop()
  })

  it('compiles with tsc --strict against the real hono, @hono/node-server and zod packages', async () => {
    expect(await compile(dir)).toBe('')
  }, 120_000)

  it('serves an event the engine posts after a row insert; a wrong secret gets 401 and is retried', async () => {
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

  it('answers a body over the limit with a JSON 413 and no stack trace', async () => {
    expect(service, 'service from an earlier test').toBeDefined()
    await checkBodyLimit(service!)
    expect(service!.logs()).not.toMatch(/at \w+ \(|BodyLimitError/)
  }, 60_000)

  it('compiles a service whose names, tables, columns and headers are hostile, which then serves them exactly', async () => {
    const hostile = await scaffoldHostile('hono-ts', HOSTILE_VALUES)
    symlinkSync(join(dir, 'node_modules'), join(hostile, 'node_modules'))
    expect(await compile(hostile)).toBe('')
    const s = await startService(process.execPath, ['dist/index.js'], hostile)
    try {
      await checkHostileService(s, HOSTILE_VALUES.names, HOSTILE_HEADER, HOSTILE_VALUES.service)
      expect(s.logs()).not.toMatch(/TypeError|SyntaxError/)
    } finally {
      await s.stop()
    }
  }, 120_000)

  it('npm test runs the scaffolded handler tests with node:test through app.request', async () => {
    const r = await execa('npm', ['test'], { cwd: dir, reject: false, env: { WEBHOOK_SECRET: '' } })
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0)
    // user-created and user-updated: wrong secret, bad JSON, wrong shape; the cron the same; two externals: unsigned
    expect(r.stdout).toMatch(/# pass 14\b/)
    expect(r.stdout).toMatch(/# fail 0\b/)
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
    const min = project({
      'webhooks.config.ts': `import { defineConfig } from 'nself-hooks'
export default defineConfig({
  service: { name: 'mini', template: 'hono-ts', routePrefix: '' },
  triggers: { t: { table: 'things', on: { insert: true, update: { columns: ['n'], payload: ['id', 'n'] }, delete: true, manual: true }, handler: 'things' } },
})
`,
    })
    expect(await scaffold({ handler: 'things', initService: true }, context(min).ctx)).toBe(0)
    symlinkSync(join(dir, 'node_modules'), join(min, 'services/mini/node_modules'))
    expect(await compile(join(min, 'services/mini'))).toBe('')
  }, 120_000)
})
