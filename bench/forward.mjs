// Event-to-handler latency of the embedded engine with `dev`'s forwarding (a delivery-time URL
// rewrite, http://hooks:PORT → http://127.0.0.1:PORT) against the same engine delivering to
// 127.0.0.1 as written. One row inserted at a time; the time until the handler has the request.
// Prints p50 / p95 of both and the ratio of the p50s. Needs `npm run build` first.
//   node bench/forward.mjs [events=300]
import http from 'node:http'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const { startEngine } = await import(join(ROOT, 'dist', 'engine', 'index.js'))
const EVENTS = Number(process.argv[2] ?? 300)
const SECRET = 'bench'

let arrived = () => {}
const handler = http.createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    res.end('{}')
    arrived()
  })
})
await new Promise((r) => handler.listen(0, '127.0.0.1', r))
const port = handler.address().port

async function run(label, webhook, forward) {
  const engine = await startEngine({ port: 0, adminSecret: SECRET, ...(forward ? { forward } : {}) })
  try {
    await engine.query('CREATE TABLE items (id serial PRIMARY KEY, label text)')
    const call = async (body) => {
      const res = await fetch(`${engine.url}/v1/metadata`, {
        method: 'POST',
        headers: { 'x-hasura-admin-secret': SECRET },
        body: JSON.stringify(body),
      })
      if (!res.ok) throw new Error(`${res.status} ${await res.text()}`)
    }
    await call({ type: 'pg_track_table', args: { source: 'default', table: 'items' } })
    await call({
      type: 'pg_create_event_trigger',
      args: { source: 'default', name: 'bench', table: 'items', webhook, insert: { columns: '*' } },
    })
    const times = []
    for (let i = 0; i < EVENTS + 20; i++) {
      const got = new Promise((r) => {
        arrived = r
      })
      const t0 = performance.now()
      await engine.query(`INSERT INTO items (label) VALUES ('x')`)
      await got
      if (i >= 20) times.push(performance.now() - t0) // the first 20 warm up
    }
    times.sort((a, b) => a - b)
    const p = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))]
    console.log(`${label.padEnd(28)} p50 ${p(0.5).toFixed(2)} ms   p95 ${p(0.95).toFixed(2)} ms`)
    return p(0.5)
  } finally {
    await engine.stop()
  }
}

console.log(`event → handler latency, ${EVENTS} events one at a time (PGlite in memory)`)
const direct = await run('as written (127.0.0.1)', `http://127.0.0.1:${port}/hook`)
const forwarded = await run(
  'forwarded (hooks → 127.0.0.1)',
  `http://hooks:${port}/hook`,
  new Map([[`http://hooks:${port}`, `http://127.0.0.1:${port}`]]),
)
console.log(`ratio forwarded / as written (p50): ${(forwarded / direct).toFixed(2)}`)
handler.close()
