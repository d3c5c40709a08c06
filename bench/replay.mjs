// Bulk replay vs a one-at-a-time loop of pg_redeliver_event, in the same run, on the embedded engine.
//   npm run bench:replay        (builds first; 5,000 failed events; the engine on PostgreSQL when
//                                NH_TEST_DATABASE_URL's server is reachable, else on PGlite)
//   NH_BENCH_BACKEND=pglite|postgres NH_BENCH_EVENTS=2000 NH_BENCH_CONCURRENCY=20 node bench/replay.mjs
// PGlite runs every query on one thread, so the engine itself is the bottleneck there and bounded
// concurrency cannot win much; on PostgreSQL the engine's pool serves calls in parallel.
import { mkdtempSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import pg from 'pg'
import { replay } from '../dist/commands/replay.js'
import { startEngine } from '../dist/engine/index.js'
import { HasuraClient } from '../dist/hasura/client.js'
import { row } from './lib.mjs'

const N = Number(process.env.NH_BENCH_EVENTS ?? 5000)
const CONCURRENCY = Number(process.env.NH_BENCH_CONCURRENCY ?? 10)
const SECRET = 'bench-admin-secret'

const handler = http.createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    res.writeHead(500, { 'Content-Type': 'application/json' })
    res.end('{"error":"still broken"}')
  })
})
await new Promise((r) => handler.listen(0, '127.0.0.1', r))
const hook = `http://127.0.0.1:${handler.address().port}/hook`

/** a fresh database on the test server, or undefined (PGlite) when it is unreachable or not wanted */
async function freshDatabase() {
  if (process.env.NH_BENCH_BACKEND === 'pglite') return undefined
  const base = process.env.NH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 })
  try {
    await admin.connect()
  } catch (err) {
    if (process.env.NH_BENCH_BACKEND === 'postgres') throw err
    return undefined
  }
  const name = `nh_bench_${Date.now().toString(36)}`
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(base)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await c.end()
    },
  }
}
const database = await freshDatabase()
const engine = await startEngine({
  port: 0,
  adminSecret: SECRET,
  pollIntervalMs: 100,
  ...(database ? { databaseUrl: database.url } : {}),
})
const client = new HasuraClient({
  endpoint: engine.url,
  adminSecret: SECRET,
  adminSecretEnv: 'HASURA_GRAPHQL_ADMIN_SECRET',
})
const md = (type, args) => client.metadataRequest(type, args)

await client.runSql('CREATE TABLE public.items (id serial PRIMARY KEY, label text NOT NULL)')
await md('pg_track_table', { source: 'default', table: { schema: 'public', name: 'items' } })
await md('pg_create_event_trigger', {
  name: 'item_created',
  source: 'default',
  table: { schema: 'public', name: 'items' },
  insert: { columns: '*' },
  webhook: hook,
  retry_conf: { num_retries: 0, interval_sec: 1, timeout_sec: 10 },
})

const count = async (where) =>
  Number(
    (await engine.query(`SELECT count(*)::int AS n FROM hdb_catalog.event_log WHERE ${where}`)).rows[0].n,
  )
const allFailed = async (label) => {
  const t = Date.now()
  for (;;) {
    if ((await count('error AND NOT delivered')) === N) break
    await new Promise((r) => setTimeout(r, 100))
  }
  console.log(`  ${label}: ${N} events failed (${((Date.now() - t) / 1000).toFixed(1)} s of delivery)`)
}

console.log(
  `replay bench: ${N} failed events, engine on ${database ? 'PostgreSQL' : 'PGlite (single-threaded: the engine is the bottleneck)'}`,
)
await client.runSql(`INSERT INTO public.items (label) SELECT 'item ' || g FROM generate_series(1, ${N}) g`)
await allFailed('setup')
const ids = (await engine.query(`SELECT id FROM hdb_catalog.event_log ORDER BY created_at DESC`)).rows.map(
  (r) => r.id,
)

// baseline: what a script would do, one redeliver call after another
let t0 = performance.now()
let loopErrors = 0
for (const id of ids) {
  try {
    await md('pg_redeliver_event', { event_id: id, source: 'default' })
  } catch {
    loopErrors++
  }
}
const loopMs = performance.now() - t0
console.log(
  `  one-at-a-time loop: ${N} redeliver calls in ${(loopMs / 1000).toFixed(2)} s (${loopErrors} refused)`,
)
await allFailed('between runs')

// the command: pages the log, keeps the failed ones, redelivers with bounded concurrency
const dir = mkdtempSync(join(tmpdir(), 'nh-bench-'))
writeFileSync(
  join(dir, 'webhooks.config.ts'),
  `export default ${JSON.stringify({
    hasura: { endpoint: engine.url },
    triggers: {
      item_created: { table: 'items', on: { insert: true }, webhook: hook, retry: { numRetries: 0 } },
    },
  })}\n`,
)
writeFileSync(join(dir, '.env'), `HASURA_GRAPHQL_ADMIN_SECRET=${SECRET}\n`)
let out = ''
const sink = new Writable({
  write(c, _e, done) {
    out += String(c)
    done()
  },
})
const ctx = { cwd: dir, env: {}, stdout: sink, stderr: sink, isTTY: false, color: false, verbose: false }
t0 = performance.now()
const code = await replay(
  { failed: true, trigger: 'item_created', yes: true, concurrency: String(CONCURRENCY) },
  ctx,
)
const bulkMs = performance.now() - t0
const summary = out.split('\n').find((l) => l.includes('redelivered') && l.includes(' of ')) ?? out
console.log(
  `  replay --failed --concurrency ${CONCURRENCY}: ${(bulkMs / 1000).toFixed(2)} s, exit ${code}: ${summary.trim()}`,
)
console.log(`ratio (loop / bulk): ${(loopMs / bulkMs).toFixed(2)}x`)

await engine.stop()
await database?.drop()
handler.closeAllConnections()
handler.close()
row({
  name: `replay --failed ${N} events (wall)`,
  value: bulkMs,
  unit: 'ms',
  baseline: loopMs,
  baselineName: 'one-at-a-time loop',
  goal: '-',
})
