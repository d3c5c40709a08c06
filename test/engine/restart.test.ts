import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, test } from 'vitest'
import { startEngine } from '../../src/engine/index.js'
import { client, SECRET } from '../helpers/engine.js'
import { startHandler } from '../helpers/http.js'
import { freshDatabase, postgresUnavailable } from '../helpers/pg.js'
import { waitFor } from '../helpers/wait.js'

const pgReason = await postgresUnavailable()

describe('restarts keep metadata and events', () => {
  const dirs: string[] = []
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  test('PGlite --data-dir keeps metadata, resource_version and the trigger functions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nh-'))
    dirs.push(dir)
    const hook = await startHandler()
    let engine = await startEngine({ port: 0, adminSecret: SECRET, dataDir: dir, pollIntervalMs: 200 })
    let api = client(engine)
    await api.sql('CREATE TABLE users (id int primary key, email text)')
    await api.ok('pg_track_table', { table: 'users' })
    await api.ok('pg_create_event_trigger', {
      name: 'kept',
      table: 'users',
      insert: { columns: '*' },
      webhook: hook.url,
    })
    const before = await api.ok('export_metadata', {}, { version: 2 })
    await engine.stop()

    engine = await startEngine({ port: 0, adminSecret: SECRET, dataDir: dir, pollIntervalMs: 200 })
    api = client(engine)
    expect(await api.ok('export_metadata', {}, { version: 2 })).toEqual(before)
    await api.sql(`INSERT INTO users VALUES (1, 'a')`)
    await waitFor(() => hook.requests.length === 1, 'delivery after restart')
    expect(hook.requests[0]!.body.trigger.name).toBe('kept')
    await engine.stop()
    await hook.close()
  })

  test.skipIf(pgReason)('stop() waits for deliveries in flight and records them', async () => {
    const db = await freshDatabase()
    const hook = await startHandler(() => ({ delayMs: 600 }))
    const engine = await startEngine({
      port: 0,
      adminSecret: SECRET,
      databaseUrl: db.url,
      pollIntervalMs: 200,
    })
    const api = client(engine)
    await api.sql('CREATE TABLE t (id int)')
    await api.ok('pg_track_table', { table: 't' })
    await api.ok('pg_create_event_trigger', {
      name: 'slow',
      table: 't',
      insert: { columns: '*' },
      webhook: hook.url,
    })
    await api.sql('INSERT INTO t VALUES (1)')
    await waitFor(() => hook.requests.length === 1, 'request sent')
    await engine.stop()
    const c = new pg.Client({ connectionString: db.url })
    await c.connect()
    const { rows } = await c.query('SELECT delivered, tries, locked FROM hdb_catalog.event_log')
    expect(rows).toEqual([{ delivered: true, tries: 1, locked: null }])
    await c.end()
    await hook.close()
    await db.drop()
  })

  test.skipIf(pgReason)('events a killed engine left locked are delivered by the next start', async () => {
    const db = await freshDatabase()
    const hook = await startHandler()
    let engine = await startEngine({ port: 0, adminSecret: SECRET, databaseUrl: db.url, pollIntervalMs: 200 })
    const api = client(engine)
    await api.sql('CREATE TABLE t (id int)')
    await api.ok('pg_track_table', { table: 't' })
    await api.ok('pg_create_event_trigger', {
      name: 'orphan',
      table: 't',
      insert: { columns: '*' },
      webhook: hook.url,
    })
    await engine.stop()
    // rows inserted while no engine ran, some locked as a killed engine would leave them
    const c = new pg.Client({ connectionString: db.url })
    await c.connect()
    await c.query('INSERT INTO t SELECT g FROM generate_series(1, 50) g')
    await c.query(
      `UPDATE hdb_catalog.event_log SET locked = now() WHERE id IN (SELECT id FROM hdb_catalog.event_log LIMIT 20)`,
    )
    engine = await startEngine({ port: 0, adminSecret: SECRET, databaseUrl: db.url, pollIntervalMs: 200 })
    await waitFor(
      async () =>
        (await c.query('SELECT count(*)::int AS n FROM hdb_catalog.event_log WHERE delivered')).rows[0].n ===
        50,
      'all 50 delivered',
    )
    expect(new Set(hook.requests.map((r) => r.body.event.data.new.id)).size).toBe(50)
    await c.end()
    await engine.stop()
    await hook.close()
    await db.drop()
  })

  test.skipIf(pgReason)('two engines on one database build on each other’s metadata changes', async () => {
    const db = await freshDatabase()
    const a = await startEngine({ port: 0, adminSecret: SECRET, databaseUrl: db.url })
    const b = await startEngine({ port: 0, adminSecret: SECRET, databaseUrl: db.url })
    const apiA = client(a)
    const apiB = client(b)
    await apiA.sql('CREATE TABLE t (id int)')
    await apiA.ok('pg_track_table', { table: 't' })
    await apiA.ok('pg_create_event_trigger', {
      name: 'from_a',
      table: 't',
      insert: { columns: '*' },
      webhook: 'http://x',
    })
    await apiB.ok('pg_create_event_trigger', {
      name: 'from_b',
      table: 't',
      delete: { columns: '*' },
      webhook: 'http://x',
    })
    const exported = await apiB.ok('export_metadata', {}, { version: 2 })
    expect(
      exported.metadata.sources[0].tables[0].event_triggers.map((t: { name: string }) => t.name),
    ).toEqual(['from_a', 'from_b'])
    expect(exported.resource_version).toBe(4)
    // A sees B's change too
    expect(await apiA.ok('export_metadata', {}, { version: 2 })).toEqual(exported)
    await a.stop()
    await b.stop()
    await db.drop()
  })
})
