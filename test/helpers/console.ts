import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { sync } from '../../src/commands/sync.js'
import { startConsole } from '../../src/console/index.js'
import { type Engine, startEngine } from '../../src/engine/index.js'
import { captureContext } from './cli.js'
import { startHandler, startProxy } from './http.js'
import { copyFixture, tempDir } from './project.js'

/** The browser console over the fixture project on the embedded engine, and a headless browser to drive it. */

/** The fixture's own secrets (fixtures/nself-project/.env): neither may ever reach the browser. */
export const ADMIN_SECRET = 'dev-admin-secret-change-me'
export const WEBHOOK_SECRET = 'dev-webhook-secret'

const CHROMIUM = '/usr/bin/chromium'
/** Without Debian's chromium the browser tests skip, saying why; under CI they must run. */
export const NO_BROWSER_REASON =
  existsSync(CHROMIUM) || process.env.CI === 'true'
    ? undefined
    : `${CHROMIUM} not found (apt-get install chromium; .ci/run installs it)`

const BROWSER_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Headless Chromium with a fresh profile, driven by playwright-core. */
export async function launchBrowser() {
  const { chromium } = await import('playwright-core')
  const profile = tempDir('nh-chromium-')
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: BROWSER_ARGS,
  })
}

/**
 * The nself-project fixture on the embedded engine: its tables (schema.sql), its triggers and
 * cron applied by `sync`, its webhook service pointed at a real handler on 127.0.0.1 that fails
 * until it is fixed, and the console over it.
 */
export async function fixtureConsole(opts: { recordMetadata?: boolean } = {}) {
  let failing = true
  const handler = await startHandler(() =>
    failing
      ? {
          status: 500,
          body: '{"error":"db down","hint":"<img src=x onerror=alert(1)>"}',
          headers: { 'X-Api-Token': 'resp-token-value' },
        }
      : { status: 200, body: '{"ok":true}' },
  )
  const dir = copyFixture()
  // the service the fixture names runs here, on 127.0.0.1; one retry each, so attempts show
  const configFile = join(dir, 'webhooks.config.ts')
  writeFileSync(
    configFile,
    readFileSync(configFile, 'utf8')
      .replace(
        "service: 'webhooks',",
        `service: { name: 'webhooks', template: 'express-ts', port: 3001, routePrefix: '/webhooks', baseUrl: '${handler.url}' },`,
      )
      .replace(
        'retry: { numRetries: 3, intervalSec: 10, timeoutSec: 60 }',
        'retry: { numRetries: 1, intervalSec: 10, timeoutSec: 5 }',
      ),
  )
  const engineEnv = { WEBHOOK_SECRET, ORDER_WEBHOOK_BASE: `${handler.url}/webhooks` }
  const engine: Engine = await startEngine({
    port: 0,
    adminSecret: ADMIN_SECRET,
    env: engineEnv,
    pollIntervalMs: 50,
    timeScale: 0.005,
  })
  await engine.query(readFileSync(join(dir, 'schema.sql'), 'utf8'))
  const cap = captureContext(dir, { env: { HASURA_GRAPHQL_ENDPOINT: engine.url, ...engineEnv } })
  const code = await sync({ yes: true }, cap.ctx)
  if (code !== 0) throw new Error(`sync failed: ${cap.out}${cap.err}`)
  // the console may talk to the engine through a proxy that records each metadata call
  const proxy = opts.recordMetadata ? await startProxy(engine.url) : undefined
  const running = await startConsole({ port: 0, ...(proxy ? { endpoint: proxy.url } : {}) }, cap.ctx)
  return {
    dir,
    engine,
    handler,
    console: running,
    output: () => cap.out + cap.err,
    fix() {
      failing = false
    },
    calls: proxy?.calls ?? [],
    /** the console's API as a script would call it (the token as a bearer header) */
    async api(path: string, body?: unknown): Promise<{ status: number; json: any }> {
      const token = new URL(running.signInUrl).searchParams.get('token')!
      const r = await fetch(`${running.url}api/${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      const text = await r.text()
      return { status: r.status, json: JSON.parse(text) }
    },
    async close() {
      await proxy?.close()
      await running.stop()
      await engine.stop()
      await handler.close()
    },
  }
}
