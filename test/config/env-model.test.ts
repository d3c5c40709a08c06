import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadEnv, parseCustomServices } from '../../src/config/env.js'
import { validateConfig } from '../../src/config/validate.js'
import { emitCronTrigger, emitEventTrigger } from '../../src/metadata/emit.js'
import { resolveModel } from '../../src/model/resolve.js'
import { testdir } from '../helpers/project.js'

describe('nself .env layering', () => {
  const files = {
    '.env.dev': 'A=dev\nB=dev\nC=dev\nD=dev\nE=dev\n',
    '.env.local': 'B=local\nC=local\n',
    '.env.prod': 'D=prod\n',
    '.env.secrets': 'E=secrets\n',
    '.env': 'C=dotenv\n',
  }

  it('later layers win (.env.dev < .env.local < .env) and the process environment wins over all', () => {
    const dir = testdir(files)
    const { values, files: read } = loadEnv(dir, { A: 'process' })
    expect(values).toMatchObject({ A: 'process', B: 'local', C: 'dotenv', D: 'dev', E: 'dev' })
    expect(read.map((f) => f.slice(dir.length + 1))).toEqual(['.env.dev', '.env.local', '.env'])
  })

  it('ENV=prod adds .env.prod and .env.secrets', () => {
    const dir = testdir({ ...files, '.env': 'ENV=prod\n' })
    const { values } = loadEnv(dir, {})
    expect(values).toMatchObject({ D: 'prod', E: 'secrets' })
  })

  it('--env-file comes after the layers; a missing one is an error naming it', () => {
    const dir = testdir({ ...files, 'ci.env': 'C=ci\n' })
    expect(loadEnv(dir, {}, ['ci.env']).values.C).toBe('ci')
    expect(() => loadEnv(dir, {}, ['nope.env'])).toThrow(/env file nope.env does not exist/)
  })
})

describe('CS_N custom services', () => {
  it.each([
    [
      'webhooks:nest-ts:3001:/webhooks',
      { name: 'webhooks', template: 'nest-ts', port: 3001, route: '/webhooks' },
    ],
    ['api:express-ts', { name: 'api', template: 'express-ts', port: 8002, route: '' }],
    ['hooks:fastapi::/hooks', { name: 'hooks', template: 'fastapi', port: 8002, route: '/hooks' }],
    ['hooks:fastapi:/hooks', { name: 'hooks', template: 'fastapi', port: 8002, route: '/hooks' }],
  ])('CS_2=%s', (value, want) => {
    expect(parseCustomServices({ CS_2: value })).toEqual([{ index: 2, ...want }])
  })

  it('reads the route from CS_N_ROUTE, and skips malformed entries', () => {
    expect(
      parseCustomServices({ CS_1: 'hooks:express-ts:4000', CS_1_ROUTE: 'hooks', CS_3: 'broken' }),
    ).toEqual([{ index: 1, name: 'hooks', template: 'express-ts', port: 4000, route: '/hooks' }])
  })
})

describe('model resolution', () => {
  const resolve = (config: unknown, env: Record<string, string> = {}) => {
    const v = validateConfig(config)
    if (!v.ok) throw new Error(JSON.stringify(v.issues))
    return resolveModel({
      config: v.config,
      configFile: '/p/webhooks.config.ts',
      env,
      services: parseCustomServices(env),
    })
  }

  it('handler URLs, merged retry and headers, tables and sources', () => {
    const r = resolve(
      {
        service: 'webhooks',
        hasura: { source: 'main' },
        defaults: {
          retry: { numRetries: 3, timeoutSec: 30 },
          headers: { 'X-Webhook-Secret': { fromEnv: 'S' }, 'X-A': 'a' },
        },
        triggers: {
          t1: {
            table: 'auth.users',
            on: { insert: true, update: { payload: ['id'] } },
            handler: '/users/created',
            retry: { intervalSec: 5 },
            headers: { 'x-a': 'b' },
          },
          t2: {
            table: { schema: 'shop', name: 'orders' },
            source: 'other',
            on: { delete: true, manual: true },
            webhookFromEnv: 'ORDERS_URL',
          },
        },
        crons: { c: { schedule: '0 9 * * *', handler: 'cron/c', retry: { toleranceSec: 60 } } },
      },
      { CS_2: 'webhooks:express-ts:3001:/webhooks' },
    )
    if (!r.ok) throw new Error(JSON.stringify(r.issues))
    const [t1, t2] = r.model.triggers
    expect(t1).toMatchObject({
      source: 'main',
      table: { schema: 'auth', name: 'users' },
      webhook: { url: 'http://webhooks:3001/webhooks/users/created' },
      retry: { numRetries: 3, intervalSec: 5, timeoutSec: 30 },
      headers: [
        { name: 'X-Webhook-Secret', value_from_env: 'S' },
        { name: 'x-a', value: 'b' },
      ],
      definition: {
        enable_manual: false,
        insert: { columns: '*' },
        update: { columns: '*', payload: ['id'] },
      },
    })
    expect(t2).toMatchObject({
      source: 'other',
      webhook: { fromEnv: 'ORDERS_URL' },
      definition: { enable_manual: true, delete: { columns: '*' } },
    })
    expect(r.model.crons[0]).toMatchObject({
      webhook: 'http://webhooks:3001/webhooks/cron/c',
      retry: { numRetries: 3, intervalSec: 10, timeoutSec: 30, toleranceSec: 60 },
    })
    // the model's retry names are the same for both; emit writes each one's Hasura names
    expect(emitEventTrigger(t1!).retry_conf).toEqual({ num_retries: 3, interval_sec: 5, timeout_sec: 30 })
    expect(emitCronTrigger(r.model.crons[0]!).retry_conf).toEqual({
      num_retries: 3,
      retry_interval_seconds: 10,
      timeout_seconds: 30,
      tolerance_seconds: 60,
    })
    expect(r.model.service).toMatchObject({
      name: 'webhooks',
      template: 'express-ts',
      dir: join('/p', 'services', 'webhooks'),
    })
  })

  it('retry backoff: on the model for the handler, not in the metadata; refused on crons and when malformed', () => {
    const config = (retry: unknown, cronRetry?: unknown) => ({
      service: 'webhooks',
      defaults: { retry: { intervalSec: 10, numRetries: 3 } },
      triggers: {
        slow: { table: 'users', on: { insert: true }, handler: 'slow', retry },
        plain: { table: 'users', on: { delete: true }, handler: 'plain' },
      },
      crons: { c: { schedule: '0 9 * * *', handler: 'cron/c', ...(cronRetry ? { retry: cronRetry } : {}) } },
    })
    const env = { CS_2: 'webhooks:express-ts:3001:/webhooks' }
    const r = resolve(config({ backoff: 'exponential', maxIntervalSec: 30 }), env)
    if (!r.ok) throw new Error(JSON.stringify(r.issues))
    const [slow, plain] = r.model.triggers
    expect(slow!.backoff).toEqual({ intervalSec: 10, maxIntervalSec: 30 })
    expect(plain!.backoff).toBeUndefined()
    // generate writes exactly what it writes without backoff
    const without = resolve(config({}), env)
    if (!without.ok) throw new Error(JSON.stringify(without.issues))
    expect(emitEventTrigger(slow!)).toEqual(emitEventTrigger(without.model.triggers[0]!))
    expect(JSON.stringify(emitEventTrigger(slow!))).not.toMatch(/backoff|maxInterval/i)
    const uncapped = resolve(config({ backoff: 'exponential' }), env)
    if (!uncapped.ok) throw new Error(JSON.stringify(uncapped.issues))
    expect(uncapped.model.triggers[0]!.backoff).toEqual({ intervalSec: 10, maxIntervalSec: 3600 })

    const issues = (c: unknown) => {
      const v = validateConfig(c)
      return v.ok ? [] : v.issues.map((i) => `${i.path}: ${i.message}`)
    }
    expect(issues(config({ backoff: 'linear' })).join('\n')).toContain("backoff must be 'exponential'")
    expect(issues(config({ backoff: 'exponential', maxIntervalSec: 0 })).join('\n')).toContain(
      'maxIntervalSec must be at least 1',
    )
    expect(issues(config({ backoff: 'exponential', maxIntervalSec: 2.5 })).join('\n')).toContain(
      'maxIntervalSec must be a whole number',
    )
    expect(issues(config({}, { backoff: 'exponential' })).join('\n')).toMatch(/crons\.c\.retry.*backoff/)
  })

  it('Hasura defaults when nothing is given; endpoint from HASURA_GRAPHQL_ENDPOINT', () => {
    const r = resolve(
      { triggers: { t: { table: 'users', on: { insert: true }, webhook: 'http://x/' } } },
      { HASURA_GRAPHQL_ENDPOINT: 'http://h:9000/' },
    )
    if (!r.ok) throw new Error('unexpected')
    expect(r.model.triggers[0]!.retry).toEqual({ numRetries: 0, intervalSec: 10, timeoutSec: 60 })
    expect(r.model.triggers[0]!.headers).toEqual([])
    expect(r.model.hasura).toMatchObject({
      endpoint: 'http://h:9000',
      adminSecretEnv: 'HASURA_GRAPHQL_ADMIN_SECRET',
      source: 'default',
    })
  })

  it.each(['hono-ts', 'flask'])(
    'CS_N=webhooks:%s:3001:/webhooks gives that template its service and URLs',
    (template) => {
      const r = resolve(
        {
          service: 'webhooks',
          triggers: { t: { table: 'users', on: { insert: true }, handler: 'users/created' } },
        },
        { CS_2: `webhooks:${template}:3001:/webhooks` },
      )
      if (!r.ok) throw new Error(JSON.stringify(r.issues))
      expect(r.model.service).toMatchObject({
        name: 'webhooks',
        template,
        port: 3001,
        routePrefix: '/webhooks',
        baseUrl: 'http://webhooks:3001',
      })
      expect(r.model.triggers[0]!.webhook).toEqual({ url: 'http://webhooks:3001/webhooks/users/created' })
    },
  )

  it('a service without a template names every template in its hint', () => {
    const r = resolve({ service: { name: 'hooks' }, triggers: {} }, {})
    expect(r.ok).toBe(false)
    expect(r.issues[0]).toMatchObject({
      path: 'service.template',
      message: 'service "hooks" has no template',
    })
    expect(r.issues[0]!.hint).toContain("'express-ts' (or nest-ts, hono-ts, fastapi, flask)")
  })

  it('a service name that is not in .env lists the declared ones', () => {
    const r = resolve({ service: 'hooks', triggers: {} }, { CS_1: 'api:express-ts' })
    expect(r.ok).toBe(false)
    expect(r.issues[0]).toMatchObject({ path: 'service', message: 'service "hooks" is not declared in .env' })
    expect(r.issues[0]!.hint).toContain('declared services: api')
  })
})
