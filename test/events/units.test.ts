import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readJsonArg } from '../../src/commands/send.js'
import { eventStatus, inWindow } from '../../src/events/log.js'
import { bodyFromEvent, pickColumns } from '../../src/events/payload.js'
import { changedRow, sampleRow } from '../../src/events/sample-row.js'
import { MASK, maskHeadersDeep, redact, redactingContext, secretValues } from '../../src/events/secrets.js'
import { chooseOp, listenedOps } from '../../src/events/synthetic.js'
import { checkReachableHost, resolveHeaders, resolveTemplate, targetUrl } from '../../src/events/target.js'
import { parseHasuraTime, parseTimeBound } from '../../src/events/time.js'
import type { Model, ModelTrigger } from '../../src/model/types.js'
import { createProgress } from '../../src/output/progress.js'
import { captureContext } from '../helpers/cli.js'

const NOW = new Date('2024-05-10T12:00:00Z')

function trigger(over: Partial<ModelTrigger> = {}): ModelTrigger {
  return {
    name: 'user_updated',
    source: 'default',
    table: { schema: 'public', name: 'users' },
    definition: { enable_manual: false, update: { columns: ['email'] } },
    webhook: { url: 'http://webhooks:3001/webhooks/user-updated' },
    retry: { numRetries: 3, intervalSec: 10, timeoutSec: 60 },
    headers: [],
    ...over,
  }
}

function model(over: Partial<Model> = {}): Model {
  return {
    configFile: '/p/webhooks.config.ts',
    root: '/p',
    hasura: {
      endpoint: 'http://localhost:8080',
      adminSecretEnv: 'HASURA_GRAPHQL_ADMIN_SECRET',
      metadataDir: '/p/m',
      source: 'default',
    },
    service: {
      name: 'webhooks',
      template: 'express-ts',
      port: 3001,
      routePrefix: '/webhooks',
      baseUrl: 'http://nh-no-such-host-webhooks.invalid:3001',
      dir: '/p/services/webhooks',
    },
    triggers: [],
    crons: [],
    external: [],
    ...over,
  }
}

describe('--since / --until', () => {
  it.each([
    ['30m', '2024-05-10T11:30:00.000Z'],
    ['24h', '2024-05-09T12:00:00.000Z'],
    ['7d', '2024-05-03T12:00:00.000Z'],
    ['1h30m', '2024-05-10T10:30:00.000Z'],
    ['2024-05-01', '2024-05-01T00:00:00.000Z'],
    ['2024-05-01T10:00:00', '2024-05-01T10:00:00.000Z'],
    ['2024-05-01T10:00:00+02:00', '2024-05-01T08:00:00.000Z'],
  ])('%s', (text, iso) => {
    expect(parseTimeBound(text, '--since', NOW).toISOString()).toBe(iso)
  })

  it('rejects what is neither, naming the flag and the forms', () => {
    expect(() => parseTimeBound('yesterday', '--since', NOW)).toThrow(
      /--since "yesterday" is neither a duration nor a date/,
    )
  })

  it("reads Hasura's zone-less timestamps as UTC, with or without Z", () => {
    expect(parseHasuraTime('2024-01-01T00:00:00.123456').toISOString()).toBe('2024-01-01T00:00:00.123Z')
    expect(parseHasuraTime('2024-01-01T00:00:00.123Z').toISOString()).toBe('2024-01-01T00:00:00.123Z')
    expect(inWindow('2024-05-10T11:59:00', { since: new Date('2024-05-10T11:00:00Z') })).toBe(true)
    expect(inWindow('2024-05-10T10:59:00', { since: new Date('2024-05-10T11:00:00Z') })).toBe(false)
    expect(inWindow('2024-05-10T11:59:00', { until: new Date('2024-05-10T11:00:00Z') })).toBe(false)
  })
})

describe('statuses', () => {
  it('pending, delivered and failed from Hasura flags', () => {
    expect(eventStatus({ delivered: false, error: false })).toBe('pending')
    expect(eventStatus({ delivered: true, error: false })).toBe('delivered')
    expect(eventStatus({ delivered: false, error: true })).toBe('failed')
  })
})

describe('secrets never leave', () => {
  it('masks headers that come from env and secret-looking names in stored requests and responses', () => {
    const stored = {
      request: {
        headers: [
          { name: 'X-Source', value: 'hasura' },
          { name: 'X-Custom', value: 'from-env-value' },
          { name: 'Authorization', value: 'Bearer abc' },
          { name: 'X-Webhook-Secret', value_from_env: 'WEBHOOK_SECRET' },
        ],
      },
      response: { data: { headers: { 'Set-Cookie': 'sid=1', 'Content-Type': 'text/plain' } } },
    }
    const masked = maskHeadersDeep(stored, new Set(['x-custom'])) as typeof stored
    expect(masked.request.headers).toEqual([
      { name: 'X-Source', value: 'hasura' },
      { name: 'X-Custom', value: MASK },
      { name: 'Authorization', value: MASK },
      { name: 'X-Webhook-Secret', value_from_env: 'WEBHOOK_SECRET' },
    ])
    expect(masked.response.data.headers).toEqual({ 'Set-Cookie': MASK, 'Content-Type': 'text/plain' })
  })

  it('collects the admin secret and every fromEnv value, and redacts them from all output', () => {
    const m = model({ triggers: [trigger({ headers: [{ name: 'X-Sig', value_from_env: 'SIG_SECRET' }] })] })
    const secrets = secretValues(m, {
      HASURA_GRAPHQL_ADMIN_SECRET: 'admin-1234',
      SIG_SECRET: 'sig-5678',
      OTHER: 'x',
    })
    expect(secrets.sort()).toEqual(['admin-1234', 'sig-5678'])
    expect(redact('a admin-1234 b sig-5678', secrets)).toBe(`a ${MASK} b ${MASK}`)
    const templated = model({
      triggers: [trigger({ webhook: { url: 'https://hooks.example.com/{{SLACK_TOKEN}}/{{BASE}}' } })],
    })
    expect(secretValues(templated, { SLACK_TOKEN: 'tok-abcdef', BASE: 'plain-base' })).toEqual(['tok-abcdef'])
    const cap = captureContext('/')
    const ctx = redactingContext(cap.ctx, secrets)
    ctx.stdout.write('secret is admin-1234\n')
    ctx.stderr.write('sig-5678!\n')
    expect(cap.out).toBe(`secret is ${MASK}\n`)
    expect(cap.err).toBe(`${MASK}!\n`)
  })
})

describe('send: ops and rows', () => {
  const t = trigger({
    definition: {
      enable_manual: true,
      insert: { columns: '*' },
      update: { columns: ['email'], payload: ['id', 'email'] },
    },
  })

  it('defaults to the first op the trigger listens to and rejects the others clearly', () => {
    expect(listenedOps(t)).toEqual(['insert', 'update', 'manual'])
    expect(chooseOp(t, undefined)).toBe('insert')
    expect(chooseOp(t, 'UPDATE')).toBe('update')
    expect(() => chooseOp(t, 'delete')).toThrow(
      'trigger user_updated does not listen to delete: it listens to insert, update, manual',
    )
    expect(() => chooseOp(t, 'upsert')).toThrow('--op upsert is not one of insert, update, delete, manual')
  })

  it('reads --new as JSON or @file, with a hint on bad JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nh-'))
    writeFileSync(join(dir, 'row.json'), '{"id": 3}')
    expect(readJsonArg('{"id":1}', '--new', dir)).toEqual({ id: 1 })
    expect(readJsonArg('@row.json', '--new', dir)).toEqual({ id: 3 })
    expect(() => readJsonArg('{id:1}', '--new', dir)).toThrow(/--new is not valid JSON/)
    expect(() => readJsonArg('@nope.json', '--new', dir)).toThrow(/cannot read/)
  })

  it('generates rows from column types the way row_to_json writes them', () => {
    const cols = [
      { name: 'id', type: 'int4', nullable: false },
      { name: 'uid', type: 'uuid', nullable: false },
      { name: 'email', type: 'text', nullable: false },
      { name: 'active', type: 'bool', nullable: false },
      { name: 'meta', type: 'jsonb', nullable: true },
      { name: 'tags', type: '_text', nullable: true },
      { name: 'price', type: 'numeric', nullable: true },
      { name: 'created_at', type: 'timestamptz', nullable: false },
      { name: 'day', type: 'date', nullable: true },
    ]
    const row = sampleRow(cols, 1, NOW)
    expect(row).toMatchObject({
      id: 1,
      email: 'user1@example.com',
      active: true,
      meta: {},
      tags: [],
      price: 1.5,
      created_at: '2024-05-10T12:00:00.000+00:00',
      day: '2024-05-10',
    })
    expect(row.uid).toMatch(/^[0-9a-f-]{36}$/)
    const next = changedRow(row, cols, ['email'], NOW)
    expect(next.email).not.toBe(row.email)
    expect(next.id).toBe(row.id)
    expect(pickColumns(next, ['id', 'email'])).toEqual({ id: 1, email: next.email })
    expect(pickColumns(next, '*')).toBe(next)
  })
})

describe('where events go', () => {
  it('resolves {{ENV}} templates and fromEnv headers from the local env, reporting what is missing', () => {
    expect(resolveTemplate('{{BASE}}/orders', { BASE: 'http://localhost:4000' })).toEqual({
      value: 'http://localhost:4000/orders',
      missing: [],
    })
    const h = resolveHeaders(
      [
        { name: 'X-Source', value: 'hasura' },
        { name: 'X-Webhook-Secret', value_from_env: 'WEBHOOK_SECRET' },
        { name: 'X-Other', value_from_env: 'NOT_SET' },
      ],
      { WEBHOOK_SECRET: 's3' },
    )
    expect(h.headers).toEqual({ 'X-Source': 'hasura', 'X-Webhook-Secret': 's3' })
    expect(h.missing).toEqual([{ header: 'X-Other', env: 'NOT_SET' }])
    const m = model()
    expect(() => targetUrl(trigger({ webhook: { url: '{{NOPE}}/x' } }), m, {}, 'trigger')).toThrow(
      /needs NOPE, not set locally/,
    )
  })

  it('says when the docker-internal service host does not resolve, and suggests --to localhost', async () => {
    const m = model()
    const err = await checkReachableHost(
      'http://nh-no-such-host-webhooks.invalid:3001/webhooks/user-updated',
      m,
    ).catch((e) => e)
    expect(err.message).toContain('nh-no-such-host-webhooks.invalid does not resolve from this machine')
    expect(err.message).toContain('docker-internal name of service webhooks')
    expect(err.hint).toBe(
      'pass --to http://localhost:3001/webhooks/user-updated to reach the handler through its published port',
    )
    await expect(checkReachableHost('http://127.0.0.1:3001/x', m)).resolves.toBeUndefined()
  })
})

describe('the body rebuilt from the log', () => {
  it("has Hasura's keys and values", () => {
    const body = bodyFromEvent(
      {
        id: 'e1',
        schema_name: 'public',
        table_name: 'users',
        trigger_name: 'user_created',
        payload: {
          op: 'INSERT',
          data: { old: null, new: { id: 1 } },
          session_variables: null,
          trace_context: null,
        },
        delivered: false,
        error: true,
        tries: 1,
        created_at: '2024-01-01T00:00:00.123456',
      },
      3,
    )
    expect(body).toEqual({
      id: 'e1',
      created_at: '2024-01-01T00:00:00.123456',
      table: { schema: 'public', name: 'users' },
      trigger: { name: 'user_created' },
      event: {
        op: 'INSERT',
        data: { old: null, new: { id: 1 } },
        session_variables: null,
        trace_context: null,
      },
      delivery_info: { current_retry: 0, max_retries: 3 },
    })
  })
})

describe('progress', () => {
  it('prints plain lines about every 10% without a terminal', () => {
    const cap = captureContext('/')
    const p = createProgress(cap.ctx, 20, 'redelivered')
    for (let i = 0; i < 20; i++) p.tick(i !== 5)
    p.done()
    const lines = cap.out.trim().split('\n')
    expect(lines).toHaveLength(10)
    expect(lines.at(-1)).toMatch(/^20\/20 redelivered, 1 failed \(\d+\/s\)$/)
    expect(cap.out).not.toContain('\r')
  })

  it('redraws one line in place on a terminal and clears it at the end', () => {
    const cap = captureContext('/', { tty: true })
    const p = createProgress(cap.ctx, 3, 'redelivered')
    p.tick(true)
    p.tick(true)
    p.tick(true)
    p.done()
    expect(cap.out).toContain('\r')
    expect(cap.out).toContain('3/3 redelivered')
    expect(cap.out).not.toContain('\n')
  })
})
