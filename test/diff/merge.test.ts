import { describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import type { DesiredTriggers, Ownership } from '../../src/metadata/diff.js'
import { actualFromServer, diffTriggers } from '../../src/metadata/diff.js'
import type { HasuraEventTrigger } from '../../src/metadata/emit.js'
import { mergeMetadata } from '../../src/metadata/merge.js'

const et = (name: string, webhook = 'http://hook'): HasuraEventTrigger => ({
  name,
  definition: { enable_manual: false, insert: { columns: '*' } },
  retry_conf: { interval_sec: 10, num_retries: 0, timeout_sec: 60 },
  webhook,
})

function server() {
  return {
    version: 3,
    sources: [
      {
        name: 'default',
        kind: 'postgres',
        configuration: { connection_info: { database_url: { from_env: 'DB_URL' } } },
        tables: [
          {
            table: { name: 'users', schema: 'public' },
            select_permissions: [{ role: 'user', permission: { columns: ['id'], filter: {} } }],
            event_triggers: [et('console_made'), et('managed_old'), et('managed_keep', 'http://old')],
          },
          { table: { name: 'posts', schema: 'public' }, event_triggers: [et('gone')] },
        ],
      },
      { name: 'analytics', kind: 'postgres', configuration: {}, tables: [] },
    ],
    actions: [{ name: 'login', definition: { handler: 'http://x' } }],
    cron_triggers: [
      { name: 'console-cron', webhook: 'http://c', schedule: '0 0 * * *', include_in_metadata: true },
      { name: 'managed-cron', webhook: 'http://old', schedule: '0 0 * * *', include_in_metadata: true },
    ],
  }
}

const owned: Ownership = {
  eventTriggers: (_s, n) => ['managed_old', 'managed_keep', 'gone', 'new_one', 'on_orders'].includes(n),
  cronTriggers: (n) => ['managed-cron', 'new-cron'].includes(n),
}

const desired: DesiredTriggers = {
  eventTriggers: [
    {
      source: 'default',
      table: { schema: 'public', name: 'users' },
      trigger: et('managed_keep', 'http://new'),
    },
    { source: 'default', table: { schema: 'public', name: 'users' }, trigger: et('new_one') },
    { source: 'default', table: { schema: 'shop', name: 'orders' }, trigger: et('on_orders') },
  ],
  cronTriggers: [
    { name: 'managed-cron', webhook: 'http://new', schedule: '0 1 * * *', include_in_metadata: true },
    { name: 'new-cron', webhook: 'http://n', schedule: '0 2 * * *', include_in_metadata: false },
  ],
}

describe('mergeMetadata', () => {
  it('replaces managed triggers and crons, keeps everything else as it was', () => {
    const before = server()
    const { metadata, trackedTables } = mergeMetadata(before, desired, owned)
    expect(before).toEqual(server()) // the input is not touched
    const src = (metadata.sources as any[])[0]
    const users = src.tables[0]
    expect(users.select_permissions).toEqual(before.sources[0]!.tables[0]!.select_permissions)
    expect(users.event_triggers.map((t: any) => `${t.name} ${t.webhook}`)).toEqual([
      'console_made http://hook',
      'managed_keep http://new',
      'new_one http://hook',
    ])
    // a table left without triggers loses the key, not the table
    expect(src.tables[1]).toEqual({ table: { name: 'posts', schema: 'public' } })
    // an untracked table is tracked for its trigger
    expect(src.tables[2]).toEqual({
      table: { name: 'orders', schema: 'shop' },
      event_triggers: [et('on_orders')],
    })
    expect(trackedTables).toEqual([{ source: 'default', table: { schema: 'shop', name: 'orders' } }])
    expect((metadata.sources as any[])[1]).toEqual(before.sources[1])
    expect(metadata.actions).toEqual(before.actions)
    expect(
      (metadata.cron_triggers as any[]).map((c) => `${c.name} ${c.webhook} ${c.include_in_metadata}`),
    ).toEqual(['console-cron http://c true', 'managed-cron http://new true', 'new-cron http://n false'])
  })

  it('the merged metadata holds exactly the desired managed objects (the plan against it is empty)', () => {
    const { metadata } = mergeMetadata(server(), desired, owned)
    const crons = (metadata.cron_triggers as any[]) ?? []
    expect(diffTriggers(desired, actualFromServer(metadata, crons), owned)).toEqual([])
  })

  it('refuses a source the server does not have', () => {
    const d: DesiredTriggers = {
      eventTriggers: [{ source: 'nope', table: { schema: 'public', name: 'x' }, trigger: et('new_one') }],
      cronTriggers: [],
    }
    expect(() => mergeMetadata(server(), d, owned)).toThrow(UserError)
    expect(() => mergeMetadata(server(), d, owned)).toThrow(/no database source "nope"/)
  })

  it('removes cron_triggers when nothing is left, and adds it when needed', () => {
    const s = server()
    s.cron_triggers = s.cron_triggers.filter((c) => c.name === 'managed-cron')
    const none = mergeMetadata(s, { eventTriggers: [], cronTriggers: [] }, owned).metadata
    expect('cron_triggers' in none).toBe(false)
  })
})
