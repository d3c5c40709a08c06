// Applies N event triggers (default 1,500) with `nself-hooks sync` (one replace_metadata) and, in the
// same run, creates the same number one `pg_create_event_trigger` at a time, on two fresh databases.
// Prints both times and their ratio. Needs `npm run build` first (npm run bench:sync does it).
//   node bench/sync.mjs [count]      NH_TEST_DATABASE_URL=postgres://... (else an embedded PGlite)
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import pg from 'pg'
import { countingProxy, reachable, row } from './lib.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const { startEngine } = await import(join(ROOT, 'dist', 'engine', 'index.js'))
const COUNT = Number(process.argv[2] ?? 1500)
const TABLES = 30
const SECRET = 'bench-secret'
const BASE_URL = process.env.NH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

const usePg = await reachable(BASE_URL)

async function freshEngine() {
  let drop = async () => {}
  const opts = { port: 0, adminSecret: SECRET, pollIntervalMs: 1000 }
  if (usePg) {
    const name = `nh_bench_${Math.random().toString(16).slice(2, 10)}`
    const admin = new pg.Client({ connectionString: BASE_URL })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    const url = new URL(BASE_URL)
    url.pathname = `/${name}`
    opts.databaseUrl = url.toString()
    drop = async () => {
      const c = new pg.Client({ connectionString: BASE_URL })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await c.end()
    }
  }
  const engine = await startEngine(opts)
  for (let i = 0; i < TABLES; i++) {
    await engine.query(`CREATE TABLE public.t${i} (id serial primary key, status text, email text)`)
  }
  return {
    engine,
    stop: async () => {
      await engine.stop()
      await drop()
    },
  }
}

async function call(url, type, args, extra = {}) {
  const res = await fetch(`${url}/v1/metadata`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hasura-admin-secret': SECRET },
    body: JSON.stringify({ type, args, ...extra }),
  })
  const body = await res.json()
  if (res.status !== 200) throw new Error(`${type}: ${res.status} ${JSON.stringify(body)}`)
  return body
}

async function countTriggers(url) {
  const { metadata } = await call(url, 'export_metadata', {}, { version: 2 })
  let n = 0
  for (const s of metadata.sources ?? []) for (const t of s.tables ?? []) n += (t.event_triggers ?? []).length
  return n
}

const trigger = (i) => ({
  name: `trigger_${i}`,
  table: `t${i % TABLES}`,
  webhook: `http://hooks.local/t/${i}`,
})

console.log(
  `nself-hooks sync benchmark: ${COUNT} event triggers on ${TABLES} tables, engine on ${usePg ? 'PostgreSQL' : 'PGlite'}`,
)

// baseline: one pg_create_event_trigger per trigger (what a script around the metadata API does)
const a = await freshEngine()
let baselineMs
try {
  for (let i = 0; i < TABLES; i++)
    await call(a.engine.url, 'pg_track_table', { table: { schema: 'public', name: `t${i}` } })
  const t0 = performance.now()
  for (let i = 0; i < COUNT; i++) {
    const t = trigger(i)
    await call(a.engine.url, 'pg_create_event_trigger', {
      name: t.name,
      table: { schema: 'public', name: t.table },
      insert: { columns: '*' },
      retry_conf: { num_retries: 3, interval_sec: 10, timeout_sec: 60 },
      webhook: t.webhook,
    })
  }
  baselineMs = performance.now() - t0
  if ((await countTriggers(a.engine.url)) !== COUNT) throw new Error('baseline did not create every trigger')
} finally {
  await a.stop()
}

// nself-hooks sync: the built CLI, as a user runs it (config load, plan, one replace_metadata, checks),
// through a proxy that counts its requests
async function runSync(count) {
  const b = await freshEngine()
  try {
    const dir = mkdtempSync(join(tmpdir(), 'nh-bench-'))
    const triggers = Array.from({ length: count }, (_, i) => {
      const t = trigger(i)
      return `    ${t.name}: { table: '${t.table}', on: { insert: true }, webhook: '${t.webhook}' },`
    }).join('\n')
    writeFileSync(
      join(dir, 'webhooks.config.ts'),
      `import { defineConfig } from 'nself-hooks'\nexport default defineConfig({\n  hasura: { endpoint: '${b.engine.url}' },\n  defaults: { retry: { numRetries: 3 } },\n  triggers: {\n${triggers}\n  },\n})\n`,
    )
    writeFileSync(join(dir, '.env'), `HASURA_GRAPHQL_ADMIN_SECRET=${SECRET}\n`)
    const proxy = await countingProxy(b.engine.url)
    const t0 = performance.now()
    const r = await execa(
      'node',
      [join(ROOT, 'bin', 'nself-hooks.js'), 'sync', '--yes', '--no-generate', '--endpoint', proxy.url],
      { cwd: dir, env: { NO_COLOR: '1' }, reject: false },
    )
    const ms = performance.now() - t0
    await proxy.close()
    if (r.exitCode !== 0) throw new Error(`sync failed (${r.exitCode}): ${r.stderr}`)
    if ((await countTriggers(b.engine.url)) !== count) throw new Error('sync did not create every trigger')
    return { ms, requests: proxy.counts.total, stdout: r.stdout }
  } finally {
    await b.stop()
  }
}
const small = await runSync(10)
const { ms: syncMs, requests, stdout } = await runSync(COUNT)

const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`
console.log(
  stdout
    .split('\n')
    .filter((l) => l.startsWith('applied') || l.startsWith('Plan:'))
    .join('\n'),
)
console.log(
  `one pg_create_event_trigger at a time: ${fmt(baselineMs)} (${(baselineMs / COUNT).toFixed(1)} ms per trigger)`,
)
console.log(`nself-hooks sync (whole CLI run):      ${fmt(syncMs)}`)
console.log(`ratio: sync is ${(baselineMs / syncMs).toFixed(1)}x faster`)

row({
  name: `sync ${COUNT} triggers, whole CLI run (wall)`,
  value: syncMs,
  unit: 'ms',
  baseline: baselineMs,
  baselineName: `${COUNT} pg_create_event_trigger calls`,
  goal: '<= 2.5 s',
  ok: syncMs <= 2500,
})
row({
  name: `sync ${COUNT} triggers: requests to the server`,
  value: requests,
  unit: '',
  baseline: small.requests,
  baselineName: 'with 10 triggers',
  goal: 'the same',
  ok: requests === small.requests,
})
