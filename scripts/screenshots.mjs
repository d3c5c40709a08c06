#!/usr/bin/env node
// Screenshots of the console's main pages for the README (docs/console-*.png), made with the
// same browser setup as its tests: Debian's chromium driven by playwright-core, against the
// embedded engine running the example project (a temporary copy of fixtures/nself-project).
// Also prints the size of the console's built assets. Run after `npm run build`.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { PassThrough } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { chromium } from 'playwright-core'
import { sync } from '../dist/commands/sync.js'
import { startConsole } from '../dist/console/index.js'
import { APP_CSS, indexHtml } from '../dist/console/page.js'
import { startEngine } from '../dist/engine/index.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'docs')
mkdirSync(out, { recursive: true })

const assets = {
  'index.html': indexHtml(),
  'app.css': APP_CSS,
  'app.js': readFileSync(join(root, 'dist', 'console', 'ui', 'app.js'), 'utf8'),
}
let raw = 0
let gz = 0
for (const [name, text] of Object.entries(assets)) {
  const r = Buffer.byteLength(text)
  const g = gzipSync(text).length
  raw += r
  gz += g
  console.log(`${name.padEnd(10)} ${String(r).padStart(6)} bytes  ${String(g).padStart(5)} gzipped`)
}
console.log(`${'total'.padEnd(10)} ${String(raw).padStart(6)} bytes  ${String(gz).padStart(5)} gzipped`)

// a handler that fails until it is fixed
let failing = true
const handler = createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    if (failing)
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"database unavailable"}')
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
  })
})
await new Promise((r) => handler.listen(0, '127.0.0.1', r))
const handlerUrl = `http://127.0.0.1:${handler.address().port}`

const project = mkdtempSync(join(tmpdir(), 'nself-hooks-screens-'))
cpSync(join(root, 'fixtures', 'nself-project'), project, { recursive: true })
const configFile = join(project, 'webhooks.config.ts')
writeFileSync(
  configFile,
  readFileSync(configFile, 'utf8')
    .replace(
      "service: 'webhooks',",
      `service: { name: 'webhooks', template: 'express-ts', port: 3001, routePrefix: '/webhooks', baseUrl: '${handlerUrl}' },`,
    )
    .replace('numRetries: 3, intervalSec: 10', 'numRetries: 1, intervalSec: 10'),
)
const env = { WEBHOOK_SECRET: 'screens-webhook-secret', ORDER_WEBHOOK_BASE: `${handlerUrl}/webhooks` }
const engine = await startEngine({
  port: 0,
  adminSecret: 'dev-admin-secret-change-me',
  env,
  pollIntervalMs: 50,
  timeScale: 0.005,
})
await engine.query(readFileSync(join(project, 'schema.sql'), 'utf8'))
const quiet = new PassThrough().resume()
const ctx = {
  cwd: project,
  env: { HASURA_GRAPHQL_ENDPOINT: engine.url, ...env },
  stdout: quiet,
  stderr: quiet,
  isTTY: false,
  color: false,
  verbose: false,
}
if ((await sync({ yes: true }, ctx)) !== 0) throw new Error('sync failed')

const waitFor = async (sql) => {
  for (let i = 0; i < 400; i++) {
    if ((await engine.query(sql)).rows[0]?.ok) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out: ${sql}`)
}
await engine.query(
  `INSERT INTO public.users (email, name) VALUES ('ada@example.com', 'Ada'), ('grace@example.com', 'Grace')`,
)
await waitFor(`SELECT count(*) FILTER (WHERE error) = 2 AS ok FROM hdb_catalog.event_log`)
failing = false
await engine.query(
  `INSERT INTO public.users (email, name) VALUES ('alan@example.com', 'Alan'), ('edsger@example.com', 'Edsger'), ('barbara@example.com', 'Barbara')`,
)
await engine.query(`INSERT INTO shop.orders (customer_id, status, total) VALUES (1, 'pending', 42.5)`)
await engine.query(`UPDATE shop.orders SET status = 'completed'`)
await engine.query(`UPDATE public.users SET name = 'Ada Lovelace' WHERE email = 'ada@example.com'`)
await waitFor(`SELECT count(*) FILTER (WHERE delivered) = 5 AS ok FROM hdb_catalog.event_log`)

const running = await startConsole({ port: 0 }, ctx)
const profile = mkdtempSync(join(tmpdir(), 'nh-chromium-'))
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 820 },
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
})
try {
  const page = await browser.newPage()
  await page.goto(running.signInUrl)
  const shot = async (name, scheme = 'light', fullPage = false) => {
    await page.emulateMedia({ colorScheme: scheme })
    await page.waitForTimeout(200)
    await page.screenshot({ path: join(out, `console-${name}.png`), fullPage })
    console.log(`wrote docs/console-${name}.png`)
  }
  await page.locator('#triggers').waitFor()
  await shot('overview')
  await shot('overview-dark', 'dark')
  await page.goto(`${running.url}#/events`)
  await page.locator('#events').waitFor()
  await shot('events')
  const failed = (
    await engine.query(`SELECT id FROM hdb_catalog.event_log WHERE error ORDER BY created_at LIMIT 1`)
  ).rows[0].id
  await page.goto(`${running.url}#/event/${failed}`)
  await page.locator('section.attempt').first().waitFor()
  await shot('event', 'light', true)
} finally {
  await browser.close()
  await running.stop()
  await engine.stop()
  handler.close()
}
