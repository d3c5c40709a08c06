import { describe, expect, it } from 'vitest'
import {
  type ActualSide,
  canonicalEventTrigger,
  desiredFromModel,
  diffTriggers,
  type Ownership,
} from '../../src/metadata/diff.js'
import type { HasuraCronTrigger, HasuraEventTrigger } from '../../src/metadata/emit.js'
import type { ModelCron, ModelTrigger } from '../../src/model/types.js'
import { HASURA_CRON_RETRY } from '../../src/model/types.js'

const users = { schema: 'public', name: 'users' }

function trigger(over: Partial<ModelTrigger> = {}): ModelTrigger {
  return {
    name: 'user_created',
    source: 'default',
    table: users,
    definition: { enable_manual: false, insert: { columns: '*' } },
    webhook: { url: 'http://webhooks:3001/webhooks/user-created' },
    retry: { numRetries: 3, intervalSec: 10, timeoutSec: 60 },
    headers: [{ name: 'X-Webhook-Secret', value_from_env: 'WEBHOOK_SECRET' }],
    ...over,
  }
}

function cron(over: Partial<ModelCron> = {}): ModelCron {
  return {
    name: 'daily-report',
    webhook: 'http://webhooks:3001/webhooks/scheduled/daily-report',
    schedule: '0 9 * * *',
    includeInMetadata: true,
    retry: { ...HASURA_CRON_RETRY },
    headers: [],
    ...over,
  }
}

const model = (triggers: ModelTrigger[], crons: ModelCron[] = []) => ({ triggers, crons })

function owner(events: string[], crons: string[] = []): Ownership {
  return { eventTriggers: (_s, n) => events.includes(n), cronTriggers: (n) => crons.includes(n) }
}

function actual(
  triggers: { table?: ActualSide['eventTriggers'][number]['table']; trigger: HasuraEventTrigger }[],
  crons: HasuraCronTrigger[] = [],
): ActualSide {
  return {
    eventTriggers: triggers.map((t) => ({
      source: 'default',
      table: t.table ?? users,
      trigger: t.trigger,
      file: 'x.yaml',
    })),
    cronTriggers: crons.map((cron) => ({ cron })),
  }
}

describe('diffTriggers', () => {
  it('finds nothing when the actual side is what emit writes', () => {
    const desired = desiredFromModel(model([trigger()], [cron()]))
    const act = actual(
      desired.eventTriggers.map((d) => ({ trigger: d.trigger })),
      desired.cronTriggers,
    )
    expect(diffTriggers(desired, act, owner(['user_created'], ['daily-report']))).toEqual([])
  })

  it('does not report spelling that carries no meaning as drift', () => {
    const desired = desiredFromModel(
      model(
        [
          trigger({ retry: { numRetries: 0, intervalSec: 10, timeoutSec: 60 }, headers: [] }),
          trigger({
            name: 'user_updated',
            definition: { enable_manual: false, update: { columns: ['name', 'email'] } },
            headers: [
              { name: 'B', value: 'b' },
              { name: 'A', value_from_env: 'A_ENV' },
            ],
          }),
        ],
        [cron({ payload: { a: 1 } })],
      ),
    )
    // what a hand-written file or an older server holds: retry_conf left out, headers: [], a bare table
    // name, payload: '*', other key order, columns and headers in another order
    const act = actual(
      [
        {
          table: 'users',
          trigger: {
            webhook: 'http://webhooks:3001/webhooks/user-created',
            headers: [],
            definition: { insert: { payload: '*', columns: '*' }, enable_manual: false },
            name: 'user_created',
          } as unknown as HasuraEventTrigger,
        },
        {
          table: { name: 'users' } as unknown as string,
          trigger: {
            name: 'user_updated',
            definition: { enable_manual: false, update: { columns: ['email', 'name'], payload: '*' } },
            retry_conf: { num_retries: 3, interval_sec: 10 },
            webhook: 'http://webhooks:3001/webhooks/user-created',
            headers: [
              { name: 'A', value_from_env: 'A_ENV' },
              { name: 'B', value: 'b' },
            ],
          } as unknown as HasuraEventTrigger,
        },
      ],
      [
        // get_cron_triggers fills every default in, with nulls for what is absent
        {
          name: 'daily-report',
          webhook: 'http://webhooks:3001/webhooks/scheduled/daily-report',
          schedule: '0  9 * * *',
          include_in_metadata: true,
          payload: { a: 1 },
          retry_conf: {
            num_retries: 0,
            retry_interval_seconds: 10,
            timeout_seconds: 60,
            tolerance_seconds: 21600,
          },
          headers: [],
          comment: null,
          request_transform: null,
        } as unknown as HasuraCronTrigger,
      ],
    )
    expect(diffTriggers(desired, act, owner(['user_created', 'user_updated'], ['daily-report']))).toEqual([])
  })

  it('reports create, update with before and after, and delete of managed objects', () => {
    const desired = desiredFromModel(
      model(
        [
          trigger(),
          trigger({
            name: 'user_updated',
            definition: { enable_manual: true, update: { columns: ['email', 'name'] } },
            webhook: { url: 'http://new/hook' },
            retry: { numRetries: 5, intervalSec: 10, timeoutSec: 60 },
          }),
        ],
        [cron({ schedule: '*/5 * * * *' })],
      ),
    )
    const act = actual(
      [
        {
          trigger: {
            name: 'user_updated',
            definition: { enable_manual: false, update: { columns: ['email'] } },
            retry_conf: { interval_sec: 10, num_retries: 3, timeout_sec: 60 },
            webhook: 'http://old/hook',
            headers: [{ name: 'X-Webhook-Secret', value_from_env: 'WEBHOOK_SECRET' }],
          },
        },
        {
          trigger: {
            name: 'removed_from_config',
            definition: { enable_manual: false, delete: { columns: '*' } },
            retry_conf: { interval_sec: 10, num_retries: 0, timeout_sec: 60 },
            webhook: 'http://x',
          },
        },
      ],
      [
        { name: 'daily-report', webhook: cron().webhook, schedule: '0 9 * * *', include_in_metadata: true },
        { name: 'old-cron', webhook: 'http://x', schedule: '0 0 * * *', include_in_metadata: true },
      ],
    )
    const changes = diffTriggers(
      desired,
      act,
      owner(['user_created', 'user_updated', 'removed_from_config'], ['daily-report', 'old-cron']),
    )
    expect(changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([
      'update cron_trigger daily-report',
      'delete cron_trigger old-cron',
      'create event_trigger user_created',
      'update event_trigger user_updated',
      'delete event_trigger removed_from_config',
    ])
    const upd = changes.find((c) => c.name === 'user_updated')!
    expect(upd.file).toBe('x.yaml')
    expect(upd.fields).toEqual([
      { field: 'definition.enable_manual', before: false, after: true },
      { field: 'definition.update.columns', before: ['email'], after: ['email', 'name'] },
      { field: 'retry_conf.num_retries', before: 3, after: 5 },
      { field: 'webhook', before: 'http://old/hook', after: 'http://new/hook' },
    ])
    expect(changes.find((c) => c.name === 'daily-report')!.fields).toEqual([
      { field: 'schedule', before: '0 9 * * *', after: '*/5 * * * *' },
    ])
    const created = changes.find((c) => c.name === 'user_created')!
    expect(created.fields.map((f) => f.field)).toContain('webhook')
    expect(created.fields.every((f) => !('before' in f))).toBe(true)
  })

  it('leaves unmanaged objects alone, even on a managed table', () => {
    const desired = desiredFromModel(model([trigger()]))
    const act = actual(
      [{ trigger: emitLike('user_created') }, { trigger: emitLike('made_in_console') }],
      [{ name: 'console-cron', webhook: 'http://x', schedule: '0 0 * * *', include_in_metadata: true }],
    )
    expect(diffTriggers(desired, act, owner(['user_created']))).toEqual([])
  })

  it('reports headers, webhook source and table moves as field changes', () => {
    const desired = desiredFromModel(
      model([trigger({ webhook: { fromEnv: 'HOOK_URL' }, table: { schema: 'shop', name: 'users' } })]),
    )
    const act = actual([
      { trigger: { ...emitLike('user_created'), headers: [{ name: 'X-Webhook-Secret', value: 'lit' }] } },
    ])
    const [change] = diffTriggers(desired, act, owner(['user_created']))
    expect(change?.action).toBe('update')
    expect(change?.fields.map((f) => f.field)).toEqual([
      'headers',
      'table.schema',
      'webhook',
      'webhook_from_env',
    ])
    expect(change?.fields.find((f) => f.field === 'webhook_from_env')).toEqual({
      field: 'webhook_from_env',
      after: 'HOOK_URL',
    })
  })

  it('a name under a managed name but made by hand elsewhere counts as an update to it', () => {
    const desired = desiredFromModel(model([trigger()]))
    const act = actual([{ trigger: { ...emitLike('user_created'), webhook: 'http://hand-made' } }])
    const changes = diffTriggers(desired, act, owner([]))
    expect(changes).toHaveLength(1)
    expect(changes[0]?.fields).toEqual([
      { field: 'webhook', before: 'http://hand-made', after: 'http://webhooks:3001/webhooks/user-created' },
    ])
  })

  it('keeps crons kept out of metadata out of the files view', () => {
    const m = model([], [cron({ includeInMetadata: false })])
    expect(desiredFromModel(m, { crons: 'metadata' }).cronTriggers).toEqual([])
    expect(desiredFromModel(m, { crons: 'all' }).cronTriggers).toHaveLength(1)
  })

  it('canonical form is independent of key order', () => {
    const a = canonicalEventTrigger(emitLike('t'), users)
    const b = canonicalEventTrigger(reverseKeys(emitLike('t')) as HasuraEventTrigger, {
      name: 'users',
      schema: 'public',
    })
    expect(JSON.stringify(a)).toBe(JSON.stringify(b))
  })
})

function reverseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseKeys)
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .reverse()
        .map(([k, x]) => [k, reverseKeys(x)]),
    )
  return v
}

function emitLike(name: string): HasuraEventTrigger {
  return desiredFromModel(model([trigger({ name })])).eventTriggers[0]!.trigger
}
