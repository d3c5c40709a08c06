import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scaffold } from '../../src/commands/scaffold.js'
import type { Model } from '../../src/model/types.js'
import { captureContext } from '../helpers/cli.js'
import { testdir } from '../helpers/project.js'
import {
  checkBodyLimit,
  checkDirect,
  checkHasuraDelivery,
  checkHostileService,
  checkProductionReadsNoFiles,
  compile,
  npmInstall,
  runGeneratedTests,
  SERVICE_ENV,
  type Service,
  scaffoldFixture,
  startService,
} from './e2e.js'
import { HOSTILE_HEADER, HOSTILE_VALUES, scaffoldHostile } from './hostile.js'

describe('nest-ts service: scaffolded skeleton, installed, compiled under --strict, serving real events', () => {
  let root: string
  let dir: string
  let model: Model
  let service: Service | undefined

  beforeAll(async () => {
    ;({ root, dir, model } = await scaffoldFixture('nest-ts'))
    await npmInstall(dir)
  }, 300_000)
  afterAll(async () => {
    await service?.stop()
  })

  it('writes the pieces nself-s own nest-ts template lacks: src/, tsconfig, a module, a health route', () => {
    for (const f of [
      'tsconfig.json',
      'src/main.ts',
      'src/app.module.ts',
      'src/health.controller.ts',
      'Dockerfile',
    ]) {
      expect(existsSync(join(dir, f)), f).toBe(true)
    }
  })

  it('passes the per-handler tests scaffold wrote (npm test: @nestjs/testing with the user module)', async () => {
    // 5 handlers: a valid delivery and a wrong secret (or a foreign signature) each
    await runGeneratedTests(dir, ['npm', 'test'], 10)
  }, 300_000)

  it('compiles with tsc --strict against the real @nestjs packages', async () => {
    expect(await compile(dir)).toBe('')
  }, 120_000)

  it('keeps what the user adds to WebhooksModule across a re-scaffold: a provider a handler injects', async () => {
    const userModule = join(dir, 'src/webhooks/webhooks.module.ts')
    const before = readFileSync(userModule, 'utf8')
    writeFileSync(
      join(dir, 'src/clock.ts'),
      "import { Injectable } from '@nestjs/common'\n\n@Injectable()\nexport class Clock {\n  now(): string {\n    return 'clock-from-user-module'\n  }\n}\n",
    )
    const withClock = before
      .replace(
        "import { Module } from '@nestjs/common'",
        "import { Module } from '@nestjs/common'\nimport { Clock } from '../clock'",
      )
      .replace('providers: [],', 'providers: [Clock],')
    expect(withClock).toContain('providers: [Clock]')
    writeFileSync(userModule, withClock)
    // the scaffolded handler, now injecting the user's provider
    const handler = join(dir, 'src/webhooks/handlers/user-created.handler.ts')
    const text = readFileSync(handler, 'utf8')
    const injected = text
      .replace(
        "import { Injectable } from '@nestjs/common'",
        "import { Injectable } from '@nestjs/common'\nimport { Clock } from '../../clock'",
      )
      .replace(
        /(export class \w+ implements \w+ \{\n)/,
        '$1  constructor(private readonly clock: Clock) {}\n\n',
      )
      .replace(
        "ctx.log('user_created INSERT', {",
        "ctx.log('user_created INSERT', { clock: this.clock.now(),",
      )
    expect(injected).toContain('this.clock.now()')
    writeFileSync(handler, injected)
    const again = captureContext(root, { env: { CS_2: 'webhooks:nest-ts:3001:/webhooks' } })
    expect(await scaffold({ all: true }, again.ctx), again.err).toBe(0)
    expect(readFileSync(userModule, 'utf8')).toBe(withClock)
    expect(readFileSync(handler, 'utf8')).toBe(injected)
    expect(await compile(dir)).toBe('')
  }, 120_000)

  it('reads its secrets from the .env layers of the project: serves an event the engine posts after a row insert; a wrong secret gets 401 and is retried', async () => {
    service = await startService(process.execPath, ['dist/main.js'], dir)
    await checkHasuraDelivery(model, service)
    // the handler got the provider the user added to WebhooksModule
    expect(service.logs()).toContain('clock-from-user-module')
  }, 300_000)

  it('answers bad bodies 400, checks the secret and verifies Stripe and GitHub signatures', async () => {
    expect(service, 'service from the previous test').toBeDefined()
    await checkDirect(service!)
  }, 60_000)

  it.each(['development', 'production'])(
    'answers a body over the limit with a JSON 413 and no stack trace under NODE_ENV=%s',
    async (nodeEnv) => {
      const s = await startService(process.execPath, ['dist/main.js'], dir, { NODE_ENV: nodeEnv })
      try {
        // Nest answers body-parser's refusal through its own exception layer: JSON, no stack
        await checkBodyLimit(s, { statusCode: 413, message: 'request entity too large' })
        if (nodeEnv === 'production') await checkProductionReadsNoFiles(s)
      } finally {
        await s.stop()
      }
    },
    60_000,
  )

  it('compiles a service whose names, tables, columns and headers are hostile, which then serves them exactly', async () => {
    const hostile = await scaffoldHostile('nest-ts', HOSTILE_VALUES)
    symlinkSync(join(dir, 'node_modules'), join(hostile, 'node_modules'))
    expect(await compile(hostile)).toBe('')
    const s = await startService(process.execPath, ['dist/main.js'], hostile, SERVICE_ENV)
    try {
      await checkHostileService(s, HOSTILE_VALUES.names, HOSTILE_HEADER, HOSTILE_VALUES.service)
    } finally {
      await s.stop()
    }
  }, 120_000)

  it('also compiles a one-trigger service with untyped rows (no column cache) and one with listed int8/numeric columns (stringified by the project env)', async () => {
    const min = testdir({
      'webhooks.config.ts': `import { defineConfig } from 'nself-hooks'
export default defineConfig({
  service: { name: 'mini', template: 'nest-ts', routePrefix: '' },
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
