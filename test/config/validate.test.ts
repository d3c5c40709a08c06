import { describe, expect, it } from 'vitest'
import { validateConfig } from '../../src/config/validate.js'

const base = {
  service: { name: 'webhooks', template: 'express-ts', port: 3001 },
  triggers: { ok_trigger: { table: 'users', on: { insert: true }, handler: 'ok' } },
}

function problems(input: unknown) {
  const r = validateConfig(input)
  return r.issues.filter((i) => i.severity === 'error')
}

const withTrigger = (name: string, t: Record<string, unknown>) => ({
  ...base,
  triggers: { ...base.triggers, [name]: t },
})
const withCron = (name: string, c: Record<string, unknown>) => ({ ...base, crons: { [name]: c } })

describe('invalid configs: each problem with its path and a hint', () => {
  const cases: [string, unknown, string, RegExp][] = [
    [
      'illegal trigger name',
      withTrigger("bad'name", { table: 't', on: { insert: true }, webhook: 'http://x' }),
      "triggers.bad'name",
      /only letters, digits, underscores and hyphens/,
    ],
    [
      'name starting with a digit',
      withTrigger('1trigger', { table: 't', on: { insert: true }, webhook: 'http://x' }),
      'triggers.1trigger',
      /refused by Hasura/,
    ],
    [
      'name longer than 42',
      withTrigger('a'.repeat(43), { table: 't', on: { insert: true }, webhook: 'http://x' }),
      `triggers.${'a'.repeat(43)}`,
      /43 characters; Hasura allows at most 42/,
    ],
    [
      'on with no operation',
      withTrigger('t1', { table: 't', on: {}, webhook: 'http://x' }),
      'triggers.t1.on',
      /no operation/,
    ],
    [
      'manual: false only',
      withTrigger('t1', { table: 't', on: { manual: false }, webhook: 'http://x' }),
      'triggers.t1.on',
      /no operation/,
    ],
    [
      'empty listened columns',
      withTrigger('t1', { table: 't', on: { update: { columns: [] } }, webhook: 'http://x' }),
      'triggers.t1.on.update.columns',
      /empty column list/,
    ],
    [
      'empty payload columns',
      withTrigger('t1', { table: 't', on: { insert: { payload: [] } }, webhook: 'http://x' }),
      'triggers.t1.on.insert.payload',
      /empty column list/,
    ],
    [
      'no webhook at all',
      withTrigger('t1', { table: 't', on: { insert: true } }),
      'triggers.t1',
      /no webhook/,
    ],
    [
      'webhook and handler',
      withTrigger('t1', { table: 't', on: { insert: true }, webhook: 'http://x', handler: 'h' }),
      'triggers.t1',
      /both webhook and handler/,
    ],
    [
      'webhook and webhookFromEnv',
      withTrigger('t1', { table: 't', on: { insert: true }, webhook: 'http://x', webhookFromEnv: 'URL' }),
      'triggers.t1',
      /both webhook and webhookFromEnv/,
    ],
    [
      'handler without a service',
      { triggers: { t1: { table: 't', on: { insert: true }, handler: 'h' } } },
      'triggers.t1.handler',
      /needs a service/,
    ],
    [
      'webhookFromEnv on a cron',
      withCron('c1', { schedule: '* * * * *', webhookFromEnv: 'CRON_URL' }),
      'crons.c1.webhookFromEnv',
      /no webhook_from_env/,
    ],
    [
      'cron with 6 fields',
      withCron('c1', { schedule: '0 0 9 * * *', webhook: 'http://x' }),
      'crons.c1.schedule',
      /has 6 fields; Hasura needs 5/,
    ],
    [
      'cron out of range',
      withCron('c1', { schedule: '61 * * * *', webhook: 'http://x' }),
      'crons.c1.schedule',
      /invalid cron expression/,
    ],
    [
      'cron nickname',
      withCron('c1', { schedule: '@daily', webhook: 'http://x' }),
      'crons.c1.schedule',
      /Hasura needs 5/,
    ],
    [
      'negative retries',
      withTrigger('t1', { table: 't', on: { insert: true }, webhook: 'http://x', retry: { numRetries: -1 } }),
      'triggers.t1.retry.numRetries',
      /must not be negative/,
    ],
    [
      'fractional interval',
      withTrigger('t1', {
        table: 't',
        on: { insert: true },
        webhook: 'http://x',
        retry: { intervalSec: 1.5 },
      }),
      'triggers.t1.retry.intervalSec',
      /whole number/,
    ],
    [
      'literal secret header',
      withTrigger('t1', {
        table: 't',
        on: { insert: true },
        webhook: 'http://x',
        headers: { 'X-Webhook-Secret': 'hunter2' },
      }),
      'triggers.t1.headers.X-Webhook-Secret',
      /looks secret but has a literal value/,
    ],
    [
      'literal Authorization default',
      { ...base, defaults: { headers: { Authorization: 'Bearer abc' } } },
      'defaults.headers.Authorization',
      /looks secret/,
    ],
    [
      'typo retires',
      withTrigger('t1', { table: 't', on: { insert: true }, webhook: 'http://x', retires: 3 }),
      'triggers.t1.retires',
      /unknown key "retires"/,
    ],
    ['typo at the root', { ...base, trigers: {} }, 'trigers', /unknown key "trigers"/],
    [
      'webhook that is not a URL',
      withTrigger('t1', { table: 't', on: { insert: true }, webhook: 'users/created' }),
      'triggers.t1.webhook',
      /not an http\(s\) URL/,
    ],
    [
      'table with two dots',
      withTrigger('t1', { table: 'a.b.c', on: { insert: true }, webhook: 'http://x' }),
      'triggers.t1.table',
      /more than one dot/,
    ],
    [
      'handler with a space',
      withTrigger('t1', { table: 't', on: { insert: true }, handler: 'a b' }),
      'triggers.t1.handler',
      /is not a route/,
    ],
    [
      'handler escaping the prefix',
      withTrigger('t1', { table: 't', on: { insert: true }, handler: '../../escape' }),
      'triggers.t1.handler',
      /is not a route/,
    ],
    [
      'handler with a query',
      withCron('c1', { schedule: '* * * * *', handler: 'h?x=1' }),
      'crons.c1.handler',
      /is not a route/,
    ],
    [
      'columns on insert',
      withTrigger('t1', { table: 't', on: { insert: { columns: ['id'] } }, webhook: 'http://x' }),
      'triggers.t1.on.insert.columns',
      /insert has no listened columns/,
    ],
    [
      'bad env name',
      withTrigger('t1', { table: 't', on: { insert: true }, webhookFromEnv: 'not-an-env' }),
      'triggers.t1.webhookFromEnv',
      /environment variable name/,
    ],
  ]

  it.each(cases)('%s', (_name, input, path, message) => {
    const found = problems(input)
    const match = found.find((i) => i.path === path)
    expect(match, `issues were: ${JSON.stringify(found, null, 1)}`).toBeDefined()
    expect(match!.message).toMatch(message)
  })

  it('says "did you mean" for a typo', () => {
    const found = problems(
      withTrigger('t1', { table: 't', on: { insert: true }, webhook: 'http://x', retires: 3 }),
    )
    expect(found.find((i) => i.path === 'triggers.t1.retires')?.hint).toBe('did you mean "retry"?')
  })

  it('reports every problem at once, across triggers and crons', () => {
    const found = problems({
      ...base,
      triggers: {
        'bad name': { table: 't', on: {}, webhook: 'http://x' },
        t2: { table: 't', on: { insert: true }, retires: 1, webhook: 'http://x' },
      },
      crons: { c: { schedule: 'every day', webhook: 'http://x' } },
    })
    expect(found.map((i) => i.path).sort()).toEqual([
      'crons.c.schedule',
      'triggers.bad name',
      'triggers.bad name.on',
      'triggers.t2.retires',
    ])
  })

  it('a bad handler, an empty `on` or an empty column list shows up in the same run as a typo in the same trigger', () => {
    const found = problems({
      ...base,
      triggers: {
        a: { table: 'users', on: { insert: true }, handler: 'a b', retires: 1 },
        b: { table: 'users', on: {}, webhook: 'http://x', retires: 1 },
        c: { table: 'users', on: { update: { columns: [] } }, webhook: 'http://x', retires: 1 },
      },
    })
    expect(found.map((i) => i.path).sort()).toEqual([
      'triggers.a.handler',
      'triggers.a.retires',
      'triggers.b.on',
      'triggers.b.retires',
      'triggers.c.on.update.columns',
      'triggers.c.retires',
    ])
  })

  it('accepts the design example, with {{ENV}} templates in webhooks and secret headers', () => {
    const r = validateConfig({
      service: 'webhooks',
      defaults: {
        headers: { 'X-Webhook-Secret': { fromEnv: 'WEBHOOK_SECRET' }, Authorization: 'Bearer {{API_TOKEN}}' },
      },
      triggers: {
        order_completed: {
          table: { schema: 'shop', name: 'orders' },
          on: { update: { columns: ['status'], payload: ['id', 'status'] }, manual: true },
          webhook: '{{ORDER_WEBHOOK_BASE}}/orders/completed',
          retry: { numRetries: 5 },
        },
      },
      crons: { 'daily-report': { schedule: '0 9 * * 1-5', handler: 'daily', payload: { a: 1 } } },
    })
    expect(r.issues).toEqual([])
    expect(r.ok).toBe(true)
  })
})
