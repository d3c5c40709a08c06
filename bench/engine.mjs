// The embedded engine's metadata hot path against a floor measured in the same run:
// replace_metadata with T event triggers (insert/update/delete each), vs. running the same
// trigger DDL straight on the database in one transaction. (Delivery has its own bench:
// bench/drain.mjs.) Prints times and ratios. Needs `npm run build` first (npm run bench:engine
// does it).
//   node bench/engine.mjs [triggers=1500]   NH_TEST_DATABASE_URL=... (else PGlite)
import http from 'node:http'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { reachable, row } from './lib.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const { startEngine } = await import(join(ROOT, 'dist', 'engine', 'index.js'))
const { triggerSql } = await import(join(ROOT, 'dist', 'engine', 'trigger-sql.js'))
const TRIGGERS = Number(process.argv[2] ?? 1500)
const BASE_URL = process.env.NH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const SECRET = 'bench'

const usePg = await reachable(BASE_URL)

async function freshDb() {
  if (!usePg) return { opts: {}, drop: async () => {} }
  const name = `nh_bench_${Math.random().toString(16).slice(2, 10)}`
  const admin = new pg.Client({ connectionString: BASE_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(BASE_URL)
  url.pathname = `/${name}`
  return {
    opts: { databaseUrl: url.toString() },
    drop: async () => {
      const c = new pg.Client({ connectionString: BASE_URL })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await c.end()
    },
  }
}

const handler = http.createServer((req, res) => {
  req.resume()
  req.on('end', () => res.end('{}'))
})
await new Promise((r) => handler.listen(0, '127.0.0.1', r))
const hookUrl = `http://127.0.0.1:${handler.address().port}/hook`

async function call(engine, type, args, extra = {}) {
  const res = await fetch(`${engine.url}/v1/metadata`, {
    method: 'POST',
    headers: { 'x-hasura-admin-secret': SECRET },
    body: JSON.stringify({ type, args, ...extra }),
  })
  const body = await res.json()
  if (res.status !== 200) throw new Error(`${type}: ${JSON.stringify(body)}`)
  return body
}
async function sql(engine, text) {
  const res = await fetch(`${engine.url}/v2/query`, {
    method: 'POST',
    headers: { 'x-hasura-admin-secret': SECRET },
    body: JSON.stringify({ type: 'run_sql', args: { sql: text } }),
  })
  const body = await res.json()
  if (res.status !== 200) throw new Error(`run_sql: ${JSON.stringify(body)}`)
  return body
}

const db1 = await freshDb()
const engine = await startEngine({ port: 0, adminSecret: SECRET, ...db1.opts })

// ---- replace_metadata vs the same DDL run directly
const tables = Math.ceil(TRIGGERS / 5)
let ddl = ''
for (let i = 0; i < tables; i++) ddl += `CREATE TABLE t${i} (id int, a text, b text);`
await sql(engine, ddl)
const meta = await call(engine, 'export_metadata', {})
meta.sources[0].tables.push(
  ...Array.from({ length: tables }, (_, i) => ({
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
      webhook: hookUrl,
    })),
  })),
)
let t = performance.now()
await call(engine, 'replace_metadata', { metadata: meta }, { version: 2 })
const replace = performance.now() - t
// the floor: the same functions and triggers, straight into a second schema-identical database
const db2 = await freshDb()
const raw = await startEngine({ port: 0, adminSecret: SECRET, ...db2.opts })
await sql(raw, ddl)
let script = ''
for (const tb of meta.sources[0].tables.filter((x) => x.table.name !== 'bench'))
  for (const et of tb.event_triggers ?? []) for (const s of triggerSql(et, tb.table)) script += s.sql
const check = await raw.query(`SELECT count(*)::int AS n FROM pg_trigger WHERE tgname LIKE 'notify_hasura_%'`)
if (check.rows[0].n !== 0) throw new Error('the floor database is not empty')
t = performance.now()
await raw.query(`BEGIN; ${script} COMMIT;`)
const floorDdl = performance.now() - t

await engine.stop()
await raw.stop()
await db1.drop()
await db2.drop()
handler.close()

const ms = (x) => `${Math.round(x)} ms`
console.log(`storage: ${usePg ? 'PostgreSQL' : 'PGlite'}`)
console.log(
  `replace_metadata: ${TRIGGERS} triggers in ${ms(replace)}; the same DDL alone ${ms(floorDdl)}; ratio ${(replace / floorDdl).toFixed(1)}x`,
)
row({
  name: `replace_metadata ${TRIGGERS} triggers (wall)`,
  value: replace,
  unit: 'ms',
  baseline: floorDdl,
  baselineName: 'the same DDL alone',
  goal: '-',
})
