import { test } from 'vitest'
import { backends, engineFor, startHandler, waitFor } from './helpers.js'

for (const backend of backends) {
  test(`perf ${backend.name}`, async () => {
    const ctx = await engineFor(backend)
    const hook = await startHandler()
    const api = ctx.api
    let sql = ''
    for (let i = 0; i < 300; i++) sql += `CREATE TABLE t${i} (id int, a text, b text);`
    await api.sql(sql)
    const meta = (await api.ok('export_metadata')) as any
    meta.sources[0].tables = Array.from({ length: 300 }, (_, i) => ({
      table: { name: `t${i}`, schema: 'public' },
      event_triggers: Array.from({ length: 5 }, (_, j) => ({
        name: `tr_${i}_${j}`,
        definition: {
          enable_manual: false,
          insert: { columns: '*' },
          update: { columns: ['a'] },
          delete: { columns: '*' },
        },
        retry_conf: { interval_sec: 10, num_retries: 0, timeout_sec: 60 },
        webhook: hook.url,
      })),
    }))
    let t = Date.now()
    const r = await api.metadata('replace_metadata', { metadata: meta }, { version: 2 })
    console.log(backend.name, 'replace 1500 triggers', Date.now() - t, 'ms', r.status)
    t = Date.now()
    meta.sources[0].tables[0].event_triggers[0].webhook = hook.url + '/x'
    await api.metadata('replace_metadata', { metadata: meta }, { version: 2 })
    console.log(backend.name, 'replace again (1 change)', Date.now() - t, 'ms')
    t = Date.now()
    await api.ok('export_metadata')
    console.log(backend.name, 'export', Date.now() - t, 'ms')
    // 10k events
    await api.sql(`CREATE TABLE big (id int); `)
    await api.ok('pg_track_table', { table: 'big' })
    await api.ok('pg_create_event_trigger', {
      name: 'big_ins',
      table: 'big',
      insert: { columns: '*' },
      webhook: hook.url,
    })
    t = Date.now()
    await api.sql(`INSERT INTO big SELECT g FROM generate_series(1, 10000) g`)
    console.log(backend.name, 'insert 10k', Date.now() - t, 'ms')
    t = Date.now()
    await waitFor(() => hook.requests.length >= 10000, '10k', 120000)
    console.log(backend.name, 'drain 10k', Date.now() - t, 'ms')
    await hook.close()
    await ctx.stop()
  }, 300000)
}
