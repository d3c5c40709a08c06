// `nself-hooks events <trigger> --limit n`: how many requests the CLI sends to the server for a page
// of n events whose deliveries were tried (half failed, half delivered), counted by a proxy in front
// of the embedded engine. The figure at --limit 200 is compared with the one at --limit 10: a
// constant number of calls means they are equal. Needs `npm run build` first.
//   node bench/events.mjs [events=300]      NH_TEST_DATABASE_URL=... (else PGlite)

import { mkdtempSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { BIN, countingProxy, row } from './lib.mjs'

const { startEngine } = await import('../dist/engine/index.js')
const N = Number(process.argv[2] ?? 300)
const SECRET = 'bench-secret'
const BASE_URL = process.env.NH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

let hits = 0
const handler = http.createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    hits++
    res.writeHead(hits % 2 ? 500 : 200, { 'content-type': 'application/json' })
    res.end('{}')
  })
})
await new Promise((r) => handler.listen(0, '127.0.0.1', r))
const hook = `http://127.0.0.1:${handler.address().port}/hook`

let database
const admin = new pg.Client({ connectionString: BASE_URL, connectionTimeoutMillis: 2000 })
try {
  await admin.connect()
  const name = `nh_bench_${Math.random().toString(16).slice(2, 10)}`
  await admin.query(`CREATE DATABASE ${name}`)
  const url = new URL(BASE_URL)
  url.pathname = `/${name}`
  database = { url: url.toString(), name }
} catch {
  database = undefined
}
const engine = await startEngine({
  port: 0,
  adminSecret: SECRET,
  pollIntervalMs: 50,
  ...(database ? { databaseUrl: database.url } : {}),
})
const q = (sql) => engine.query(sql)
await q('CREATE TABLE public.items (id serial PRIMARY KEY, label text)')
const call = async (type, args) => {
  const res = await fetch(`${engine.url}/v1/metadata`, {
    method: 'POST',
    headers: { 'x-hasura-admin-secret': SECRET },
    body: JSON.stringify({ type, args }),
  })
  if (res.status !== 200) throw new Error(`${type}: ${await res.text()}`)
}
await call('pg_track_table', { table: { schema: 'public', name: 'items' } })
await call('pg_create_event_trigger', {
  name: 'item_created',
  table: { schema: 'public', name: 'items' },
  insert: { columns: '*' },
  webhook: hook,
  retry_conf: { num_retries: 0, interval_sec: 1, timeout_sec: 10 },
})
await q(`INSERT INTO public.items (label) SELECT 'item ' || g FROM generate_series(1, ${N}) g`)
for (;;) {
  const r = await q('SELECT count(*)::int AS n FROM hdb_catalog.event_log WHERE delivered OR error')
  if (r.rows[0].n === N) break
  await new Promise((r) => setTimeout(r, 100))
}

const dir = mkdtempSync(join(tmpdir(), 'nh-bench-events-'))
writeFileSync(
  join(dir, 'webhooks.config.ts'),
  `export default ${JSON.stringify({ triggers: { item_created: { table: 'items', on: { insert: true }, webhook: hook } } })}\n`,
)
writeFileSync(join(dir, '.env'), `HASURA_GRAPHQL_ADMIN_SECRET=${SECRET}\n`)
const proxy = await countingProxy(engine.url)
const page = async (limit) => {
  proxy.reset()
  // the proxy runs in this process: the CLI must run beside it, not block it
  const { execa } = await import('execa')
  const r = await execa(
    process.execPath,
    [BIN, 'events', 'item_created', '--limit', String(limit), '--json', '--endpoint', proxy.url],
    {
      cwd: dir,
      reject: false,
    },
  )
  if (r.exitCode !== 0) throw new Error(`events failed: ${r.stderr}`)
  const listed = JSON.parse(r.stdout)
  const n = (Array.isArray(listed) ? listed : (listed.events ?? [])).length
  return { calls: proxy.counts.total, listed: n, byType: { ...proxy.counts.byType } }
}
const ten = await page(10)
const many = await page(200)
console.log(
  `--limit 10: ${ten.listed} events listed with ${ten.calls} requests ${JSON.stringify(ten.byType)}`,
)
console.log(
  `--limit 200: ${many.listed} events listed with ${many.calls} requests ${JSON.stringify(many.byType)}`,
)
row({
  name: `events --limit 200 (${many.listed} listed): requests`,
  value: many.calls,
  unit: '',
  baseline: ten.calls,
  baselineName: `--limit 10 (${ten.listed} listed)`,
  goal: 'the same',
  ok: many.calls === ten.calls,
})

await proxy.close()
await engine.stop()
if (database) {
  await admin.query(`DROP DATABASE IF EXISTS ${database.name} WITH (FORCE)`)
  await admin.end()
}
handler.closeAllConnections()
handler.close()
