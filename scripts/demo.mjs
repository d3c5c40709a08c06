#!/usr/bin/env node
// The main job on the example project, end to end, with the embedded engine (nothing else needed):
// generate the metadata files, apply them with sync, change rows, watch the deliveries, replay one.
// Works on a temporary copy of fixtures/nself-project; the repository is not changed.
import { cpSync, mkdtempSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { startEngine } from '../dist/engine/index.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const project = mkdtempSync(join(tmpdir(), 'nself-hooks-demo-'))
cpSync(join(root, 'fixtures', 'nself-project'), project, { recursive: true })

// A local handler standing in for the webhooks service.
const received = []
const handler = createServer((req, res) => {
  let body = ''
  req.on('data', (c) => (body += c))
  req.on('end', () => {
    const event = JSON.parse(body || '{}')
    received.push(event)
    console.log(
      `  handler <- ${req.url}  ${event.trigger?.name ?? event.name} ${event.event?.op ?? ''} id=${event.id}`,
    )
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
  })
})
await new Promise((r) => handler.listen(0, '127.0.0.1', r))
const handlerUrl = `http://127.0.0.1:${handler.address().port}`

const adminSecret = 'demo-admin-secret'
const engine = await startEngine({
  port: 0,
  adminSecret,
  // what Hasura would have in its environment: {{ORDER_WEBHOOK_BASE}} points at the local handler
  env: { WEBHOOK_SECRET: 'demo-webhook-secret', ORDER_WEBHOOK_BASE: `${handlerUrl}/webhooks` },
})
// run_sql, as users and migrations change the database through Hasura
const runSql = async (sql) => {
  const res = await fetch(`${engine.url}/v2/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hasura-admin-secret': adminSecret },
    body: JSON.stringify({ type: 'run_sql', args: { sql } }),
  })
  if (!res.ok) throw new Error(`run_sql failed: ${await res.text()}`)
}
await runSql(readFileSync(join(project, 'schema.sql'), 'utf8'))

const env = {
  HASURA_GRAPHQL_ENDPOINT: engine.url,
  HASURA_GRAPHQL_ADMIN_SECRET: adminSecret,
  NO_COLOR: process.env.NO_COLOR ?? '',
}
const run = async (args) => {
  console.log(`\n$ nself-hooks ${args.join(' ')}`)
  const r = await execa('node', [join(root, 'bin', 'nself-hooks.js'), ...args], {
    cwd: project,
    env,
    reject: false,
    stdin: 'ignore',
  })
  if (r.stdout) console.log(r.stdout)
  if (r.stderr) console.log(r.stderr)
  console.log(`(exit ${r.exitCode})`)
  return r
}

let failed = false
try {
  console.log(`project: ${project}\nengine:  ${engine.url} (embedded PGlite)`)
  await run(['generate'])
  failed ||= (await run(['sync', '--yes'])).exitCode !== 0
  failed ||= (await run(['diff', '--against', 'all'])).exitCode !== 0
  console.log('\n-- a new user and a completed order --')
  await runSql(`INSERT INTO public.users (email, name) VALUES ('ada@example.com', 'Ada');
    INSERT INTO shop.orders (customer_id) VALUES (1);
    UPDATE shop.orders SET status = 'completed' WHERE id = 1;`)
  for (let i = 0; i < 50 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 100))
  await run(['events', 'order_completed'])
  // user_created goes to http://webhooks:3001, the service's Docker-internal address: unreachable here.
  const events = await run(['events', 'user_created', '--json'])
  const id = JSON.parse(events.stdout || '{"events":[]}').events?.[0]?.id
  if (id) await run(['replay', id, '--to', `${handlerUrl}/webhooks/user-created`])
} finally {
  await engine.stop()
  handler.close()
}
process.exitCode = failed ? 1 : 0
