// The embedded engine's delivery path against the network's pace, measured in the same run:
//  - floor: N plain keep-alive POSTs of the engine's own body to the same handler, 100 at a time
//    (the engine's concurrency), no database at all;
//  - drain: N rows inserted in one statement until the handler has every event and every event is
//    marked delivered (one event trigger, the same handler, the same body size).
// Both run in this one process (client, handler and engine share a thread), so a loaded machine
// slows both. Besides wall time it prints this process's CPU time and, on PostgreSQL, the CPU
// time of the engine's database backends (from /proc) and the statements the engine ran (from
// pg_stat_statements when the server preloads it). On PGlite the database runs in this thread too:
// that figure is stated, not held to the goal.
// Needs `npm run build` first (npm run bench:drain does it).
//   node bench/drain.mjs [events=10000] [rounds=3]   NH_TEST_DATABASE_URL=... (else PGlite only)
//   NH_BENCH_DRAIN=pglite|postgres|both (default both when PostgreSQL is reachable)
//   NH_BENCH_PROFILE=<dir>: a V8 CPU profile of each timed phase, written to <dir>
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { Session } from 'node:inspector/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { median, reachable, row } from './lib.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const { startEngine } = await import(join(ROOT, 'dist', 'engine', 'index.js'))
const EVENTS = Number(process.argv[2] ?? 10_000)
const ROUNDS = Number(process.argv[3] ?? 3)
const BASE_URL = process.env.NH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const SECRET = 'bench'
const CONCURRENCY = 100

const which = process.env.NH_BENCH_DRAIN ?? 'both'
const usePg = which !== 'pglite' && (await reachable(BASE_URL))
const usePglite = which !== 'postgres'

async function withAdmin(fn) {
  const c = new pg.Client({ connectionString: BASE_URL })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

// ---- the handler: counts bodies, answers `{}` as a trivial handler does
let received = 0
let onReceived = () => {}
const handler = http.createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    received++
    res.end('{}')
    if (received >= EVENTS) onReceived()
  })
})
handler.keepAliveTimeout = 60_000
let connections = 0
handler.on('connection', () => connections++)
await new Promise((r) => handler.listen(0, '127.0.0.1', r))
const hookUrl = `http://127.0.0.1:${handler.address().port}/hook`

function allReceived() {
  return new Promise((r) => {
    if (received >= EVENTS) r()
    else onReceived = r
  })
}

const PROFILE_DIR = process.env.NH_BENCH_PROFILE
let session
async function profileStart() {
  if (!PROFILE_DIR) return
  session ??= new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.start')
}
async function profileStop(name) {
  if (!PROFILE_DIR) return
  const { profile } = await session.post('Profiler.stop')
  session.disconnect()
  mkdirSync(PROFILE_DIR, { recursive: true })
  writeFileSync(join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile))
}

const cpuMs = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

// a body the size of what the engine sends for `INSERT INTO bench VALUES (n)`
const sample = JSON.stringify({
  created_at: '2026-01-01T00:00:00.000000',
  delivery_info: { current_retry: 0, max_retries: 0 },
  event: {
    data: { new: { id: 1 }, old: null },
    op: 'INSERT',
    session_variables: null,
    trace_context: null,
  },
  id: '00000000-0000-0000-0000-000000000000',
  table: { name: 'bench', schema: 'public' },
  trigger: { name: 'bench_insert' },
})

async function plainPosts() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  received = 0
  connections = 0
  await profileStart()
  const cpu0 = cpuMs()
  const t = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < EVENTS) {
        next++
        await new Promise((ok, fail) => {
          const r = http.request(
            hookUrl,
            {
              method: 'POST',
              agent,
              headers: { 'content-type': 'application/json', 'user-agent': 'bench' },
            },
            (res) => {
              res.resume()
              res.on('end', ok)
            },
          )
          r.on('error', fail)
          r.end(sample)
        })
      }
    }),
  )
  const out = { wall: performance.now() - t, cpu: cpuMs() - cpu0, connections }
  await profileStop('floor')
  agent.destroy()
  return out
}

/** CPU ms of the server processes serving `db` (Linux /proc; undefined elsewhere). */
async function backendCpu(admin, db) {
  try {
    const { rows } = await admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [db])
    let ticks = 0
    for (const { pid } of rows) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ticks += Number(f[11]) + Number(f[12])
    }
    return ticks * 10 // USER_HZ is 100 on Linux
  } catch {
    return undefined
  }
}

async function statements(admin) {
  try {
    const { rows } = await admin.query(
      `SELECT calls::int AS calls, round(total_exec_time)::int AS ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS q
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = current_database() ORDER BY total_exec_time DESC`,
    )
    return rows
  } catch {
    return undefined
  }
}

async function drain(kind) {
  let name
  let opts = {}
  if (kind === 'postgres') {
    name = `nh_bench_drain_${Math.random().toString(16).slice(2, 10)}`
    await withAdmin((c) => c.query(`CREATE DATABASE ${name}`))
    const url = new URL(BASE_URL)
    url.pathname = `/${name}`
    opts = { databaseUrl: url.toString() }
  }
  const engine = await startEngine({ port: 0, adminSecret: SECRET, ...opts })
  const api = async (path, body) => {
    const res = await fetch(`${engine.url}${path}`, {
      method: 'POST',
      headers: { 'x-hasura-admin-secret': SECRET },
      body: JSON.stringify(body),
    })
    if (res.status !== 200) throw new Error(`${body.type}: ${await res.text()}`)
  }
  const sql = (text) => api('/v2/query', { type: 'run_sql', args: { sql: text } })
  let admin
  try {
    await sql('CREATE TABLE bench (id int)')
    await api('/v1/metadata', { type: 'pg_track_table', args: { table: 'bench' } })
    await api('/v1/metadata', {
      type: 'pg_create_event_trigger',
      args: { name: 'bench_insert', table: 'bench', insert: { columns: '*' }, webhook: hookUrl },
    })
    if (kind === 'postgres') {
      const url = new URL(BASE_URL)
      url.pathname = `/${name}`
      admin = new pg.Client({ connectionString: url.toString() })
      await admin.connect()
      await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements').catch(() => {})
      await admin.query('SELECT pg_stat_statements_reset()').catch(() => {})
    }
    const dbCpu0 = admin ? await backendCpu(admin, name) : undefined
    received = 0
    connections = 0
    await profileStart()
    const cpu0 = cpuMs()
    const t = performance.now()
    await sql(`INSERT INTO bench SELECT g FROM generate_series(1, ${EVENTS}) g`)
    const committed = performance.now()
    await allReceived()
    // drained: every event marked delivered, not only sent
    for (;;) {
      const r = await engine.query('SELECT count(*)::int AS n FROM hdb_catalog.event_log WHERE delivered', [])
      if (r.rows[0].n === EVENTS) break
      await new Promise((r) => setTimeout(r, 5))
    }
    const done = performance.now()
    const cpu = cpuMs() - cpu0
    await profileStop(`drain-${kind}`)
    const dbCpu1 = admin ? await backendCpu(admin, name) : undefined
    const stmts = admin ? await statements(admin) : undefined
    return {
      // the drain: from the INSERT's commit (its events pending) to every event delivered
      wall: done - committed,
      total: done - t,
      inserted: committed - t,
      connections,
      cpu,
      dbCpu: dbCpu0 !== undefined && dbCpu1 !== undefined ? dbCpu1 - dbCpu0 : undefined,
      stmts,
    }
  } finally {
    await admin?.end().catch(() => {})
    await engine.stop()
    if (name) await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(() => {})
  }
}

const ms = (x) => (x === undefined ? '-' : `${Math.round(x)} ms`)
const kinds = [...(usePg ? ['postgres'] : []), ...(usePglite ? ['pglite'] : [])]
for (const kind of kinds) {
  const label = kind === 'postgres' ? 'PostgreSQL' : 'PGlite'
  // rounds alternate floor and drain so load changes hit both; the medians are compared
  const floors = []
  const drains = []
  for (let i = 0; i < ROUNDS; i++) {
    floors.push(await plainPosts())
    drains.push(await drain(kind))
  }
  const floor = { wall: median(floors.map((f) => f.wall)), cpu: median(floors.map((f) => f.cpu)) }
  const d = {
    wall: median(drains.map((x) => x.wall)),
    cpu: median(drains.map((x) => x.cpu)),
    inserted: median(drains.map((x) => x.inserted)),
    total: median(drains.map((x) => x.total)),
    dbCpu: drains[0].dbCpu === undefined ? undefined : median(drains.map((x) => x.dbCpu)),
  }
  console.log(`${label}: ${EVENTS} events, ${CONCURRENCY} in flight, median of ${ROUNDS} rounds`)
  console.log(
    `  plain keep-alive POSTs: ${ms(floor.wall)} wall, ${ms(floor.cpu)} CPU (this process), ${floors[0].connections} connections; rounds ${floors.map((f) => ms(f.wall)).join(', ')}`,
  )
  console.log(
    `  engine drain:           ${ms(d.wall)} wall from the INSERT's commit, ${drains[0].connections} connections; rounds ${drains.map((x) => ms(x.wall)).join(', ')}`,
  )
  console.log(
    `  with the INSERT:        ${ms(d.total)} wall (the INSERT and its trigger alone ${ms(d.inserted)}), ${ms(d.cpu)} CPU (this process)${
      d.dbCpu !== undefined ? `, ${ms(d.dbCpu)} CPU in the database backends` : ''
    }`,
  )
  console.log(
    `  ratio ${(d.wall / floor.wall).toFixed(2)}x wall (${(d.total / floor.wall).toFixed(2)}x with the INSERT), ${(d.cpu / floor.cpu).toFixed(2)}x CPU of this process`,
  )
  const stmts = drains[drains.length - 1].stmts
  if (stmts) {
    console.log('  statements of the last round (pg_stat_statements: calls, total ms, text):')
    for (const s of stmts.slice(0, 8))
      console.log(`    ${String(s.calls).padStart(6)} ${String(s.ms).padStart(6)} ms  ${s.q}`)
  }
  if (kind === 'pglite')
    console.log(
      '  PGlite runs the database in this same thread: the trigger inserts, each fetch and each outcome write take turns with the HTTP work, so the drain is bounded by single-thread CPU, not the network',
    )
  row({
    name: `drain ${EVENTS} events on ${label} (wall)`,
    value: d.wall,
    unit: 'ms',
    baseline: floor.wall,
    baselineName: 'plain keep-alive POSTs',
    goal: kind === 'postgres' ? '<= 2x' : 'stated',
    ok: kind === 'postgres' ? d.wall / floor.wall <= 2 : undefined,
  })
  row({
    name: `drain ${EVENTS} events on ${label} (CPU, this process)`,
    value: d.cpu,
    unit: 'ms',
    baseline: floor.cpu,
    baselineName: 'plain keep-alive POSTs',
    goal: '-',
  })
}
handler.close()
