import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { join } from 'node:path'
import { sign as githubSign } from '@octokit/webhooks-methods'
import { execa } from 'execa'
import Stripe from 'stripe'
import { expect } from 'vitest'
import { scaffold } from '../../src/commands/scaffold.js'
import { startEngine } from '../../src/engine/index.js'
import { parseHasuraTime } from '../../src/events/time.js'
import { emitEventTrigger, eventTriggerArgs } from '../../src/metadata/emit.js'
import type { Model } from '../../src/model/types.js'
import { loadProject } from '../../src/project.js'
import { renderColumnsCache } from '../../src/scaffold/columns.js'
import { captureContext } from '../helpers/cli.js'
import { client } from '../helpers/engine.js'
import { copyFixture, FIXTURE, FIXTURE_COLUMNS } from '../helpers/project.js'
import { waitFor } from '../helpers/wait.js'

/** Shared by the per-template end-to-end tests: scaffold the fixture, run the service, feed it real events. */

const WEBHOOK_SECRET = 'e2e-webhook-secret'
const STRIPE_SECRET = 'whsec_e2e_stripe'
const GITHUB_SECRET = 'e2e-github-secret'
/** The secrets, for services started outside the fixture project (hostile names, small configs). */
export const SERVICE_ENV = {
  WEBHOOK_SECRET,
  STRIPE_WEBHOOK_SECRET: STRIPE_SECRET,
  GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
}

/**
 * The fixture project's .env layers carry the service's secrets, spread over three files so their
 * order matters: .env.dev (lowest) sets a WEBHOOK_SECRET that .env overrides, .env.local adds the
 * provider secrets. The service reads them itself; the tests pass it no secret.
 */
function writeEnvLayers(root: string): void {
  const append = (name: string, text: string) =>
    writeFileSync(
      join(root, name),
      `${existsSync(join(root, name)) ? readFileSync(join(root, name), 'utf8') : ''}\n${text}\n`,
    )
  append('.env.dev', 'WEBHOOK_SECRET=overridden-by-dot-env\nSTRIPE_WEBHOOK_SECRET=overridden-by-env-local')
  append('.env.local', `STRIPE_WEBHOOK_SECRET=${STRIPE_SECRET}\nGITHUB_WEBHOOK_SECRET="${GITHUB_SECRET}"`)
  const dotEnv = readFileSync(join(root, '.env'), 'utf8')
  expect(dotEnv).toMatch(/^WEBHOOK_SECRET=/m)
  writeFileSync(
    join(root, '.env'),
    dotEnv.replace(/^WEBHOOK_SECRET=.*$/m, `WEBHOOK_SECRET=${WEBHOOK_SECRET}`),
  )
}

export async function scaffoldFixture(
  template: string,
): Promise<{ root: string; dir: string; model: Model }> {
  const root = copyFixture()
  writeFileSync(join(root, 'webhooks.columns.json'), renderColumnsCache(FIXTURE_COLUMNS))
  // user_updated backs off exponentially: Retry-After 1, 2, 4 capped at 3 (checkOutcomes)
  const config = join(root, 'webhooks.config.ts')
  const text = readFileSync(config, 'utf8')
  const withBackoff = text.replace(
    "handler: 'user-updated',",
    "handler: 'user-updated',\n      retry: { intervalSec: 1, backoff: 'exponential', maxIntervalSec: 3 },",
  )
  expect(withBackoff).not.toBe(text)
  writeFileSync(config, withBackoff)
  const env = { CS_2: `webhooks:${template}:3001:/webhooks` }
  const c = captureContext(root, { env })
  const code = await scaffold({ all: true, initService: true }, c.ctx)
  expect(code, c.err).toBe(0)
  writeEnvLayers(root)
  const { model } = await loadProject(captureContext(root, { env }).ctx, {})
  return { root, dir: model.service!.dir, model }
}

export async function npmInstall(dir: string): Promise<void> {
  await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    timeout: 240_000,
  })
}

/** tsc --strict with the service's own TypeScript; returns the compiler output (empty when clean). */
export async function compile(dir: string): Promise<string> {
  const r = await execa(join(dir, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json', '--strict'], {
    cwd: dir,
    reject: false,
  })
  return `${r.stdout}${r.stderr}`.trim()
}

async function freePort(): Promise<number> {
  const srv = net.createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()))
  const port = (srv.address() as net.AddressInfo).port
  await new Promise((r) => srv.close(r))
  return port
}

export interface Service {
  url: string
  logs: () => string
  stop: () => Promise<void>
}

export async function startService(
  cmd: string,
  args: string[],
  cwd: string,
  extraEnv = {},
): Promise<Service> {
  const port = await freePort()
  // kept apart: a chunk of one stream can end mid-line, and the other's chunk would cut that line
  let out = ''
  let err = ''
  const logs = () => `${out}\n${err}`
  const child: ChildProcess = spawn(
    cmd,
    args.map((a) => (a === '$PORT' ? String(port) : a)),
    {
      cwd,
      // nothing else from the test's environment: secrets come from the project's .env layers or extraEnv
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: String(port),
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  child.stdout?.on('data', (d) => {
    out += String(d)
  })
  child.stderr?.on('data', (d) => {
    err += String(d)
  })
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode !== null) return
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))])
    if (child.exitCode === null) child.kill('SIGKILL')
  }
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`service exited ${child.exitCode}:\n${logs()}`)
        const r = await fetch(`${url}/health`).catch(() => undefined)
        return r?.ok
      },
      'service health',
      30_000,
    )
  } catch (err) {
    await stop()
    throw err
  }
  return { url, logs, stop }
}

/** JSON log lines the service printed; a record Nest's JSON logger wraps in `message` is unwrapped. */
function logLines(service: Service): Record<string, unknown>[] {
  return service
    .logs()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        const line = JSON.parse(l) as Record<string, unknown>
        const message = line.message
        return [message && typeof message === 'object' ? { ...line, ...message } : line]
      } catch {
        return []
      }
    })
}

const ADMIN = 'e2e-admin'

/**
 * The embedded engine with the fixture's tables and triggers pointed at the running service, plus a
 * trigger that sends the wrong secret. Retry intervals are scaled down; the rules stay Hasura's.
 */
async function engineFor(model: Model, serviceUrl: string, timeScale = 0.05) {
  const engine = await startEngine({
    port: 0,
    adminSecret: ADMIN,
    pollIntervalMs: 100,
    timeScale,
    env: { WEBHOOK_SECRET },
  })
  const api = client(engine, ADMIN)
  await api.sql(readFileSync(join(FIXTURE, 'schema.sql'), 'utf8'))
  await api.ok('pg_track_table', { table: { schema: 'public', name: 'users' } })
  const local = (url: string) => url.replace(model.service!.baseUrl, serviceUrl)
  for (const t of model.triggers.filter((t) => t.handler && t.table.name === 'users')) {
    const emitted = emitEventTrigger(t)
    const args = eventTriggerArgs(emitted, t.table, 'default')
    await api.ok('pg_create_event_trigger', { ...args, webhook: local(String(args.webhook)) })
  }
  const userCreated = model.triggers.find((t) => t.name === 'user_created')!
  await api.ok('pg_create_event_trigger', {
    name: 'user_created_bad_secret',
    table: { schema: 'public', name: 'users' },
    insert: { columns: '*' },
    webhook: local(
      String(eventTriggerArgs(emitEventTrigger(userCreated), userCreated.table, 'default').webhook),
    ),
    headers: [{ name: 'X-Webhook-Secret', value: 'not-the-secret' }],
    retry_conf: { num_retries: 2, interval_sec: 1, timeout_sec: 10 },
  })
  return { engine, api, stop: () => engine.stop() }
}

interface EventRow {
  id: string
  delivered: boolean
  error: boolean
  tries: number
}

async function eventsOf(
  api: ReturnType<typeof client>,
  trigger: string,
): Promise<
  { event: EventRow; invocations: { http_status: number; response: unknown; created_at: string }[] }[]
> {
  const logs = (await api.ok('pg_get_event_logs', { name: trigger, source: 'default' })) as EventRow[]
  return Promise.all(
    logs.map(async (e) => {
      const r = (await api.ok('pg_get_event_by_id', { event_id: e.id, source: 'default' })) as {
        event: EventRow
        invocations: { http_status: number; response: unknown; created_at: string }[]
      }
      return r
    }),
  )
}

/** A row insert through run_sql → the service handles the real event; the wrong secret gets 401 and retries. */
export async function checkHasuraDelivery(model: Model, service: Service): Promise<void> {
  const { api, stop } = await engineFor(model, service.url)
  try {
    await api.sql("INSERT INTO public.users (email, name) VALUES ('ada@example.com', NULL)")
    const good = await waitFor(async () => {
      const evs = await eventsOf(api, 'user_created')
      return evs[0]?.event.delivered ? evs[0] : undefined
    }, 'user_created delivered')
    expect(good.event.tries).toBe(1)
    expect(good.invocations.map((i) => i.http_status)).toEqual([200])

    const bad = await waitFor(
      async () => {
        const evs = await eventsOf(api, 'user_created_bad_secret')
        return evs[0]?.event.error ? evs[0] : undefined
      },
      'bad secret retried to the end',
      30_000,
    )
    // num_retries 2: three attempts, every one refused
    expect(bad.event.tries).toBe(3)
    expect(bad.invocations.map((i) => i.http_status)).toEqual([401, 401, 401])
    expect(bad.event.delivered).toBe(false)

    // the service logged the delivery: event id, trigger, op, attempt, status, duration
    const line = await waitFor(
      () => logLines(service).find((l) => l.event_id === good.event.id && l.msg === 'webhook handled'),
      'delivery log line',
    )
    expect(line).toMatchObject({
      trigger: 'user_created',
      op: 'INSERT',
      attempt: 1,
      status: 200,
      outcome: 'ok',
    })
    expect(typeof line.duration_ms).toBe('number')
    // the handler saw the typed row and the idempotency key
    expect(logLines(service).find((l) => l.msg === 'user_created INSERT')).toMatchObject({
      event: good.event.id,
      event_id: good.event.id,
    })
  } finally {
    await stop()
  }
}

/** Direct requests: bad JSON, wrong secret, a cron body, and signed requests from the providers' libraries. */
export async function checkDirect(service: Service): Promise<void> {
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${service.url}/webhooks/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    })
  const secret = { 'X-Webhook-Secret': WEBHOOK_SECRET }
  // malformed and mis-shaped bodies: 400 (after the secret check)
  expect((await post('user-created', '{"id": ', secret)).status).toBe(400)
  const wrongShape = await post('user-created', JSON.stringify({ id: 'x', event: { op: 'DELETE' } }), secret)
  expect(wrongShape.status).toBe(400)
  expect(((await wrongShape.json()) as { issues: string[] }).issues.length).toBeGreaterThan(0)
  // the secret: missing or wrong is 401, whatever its length
  expect((await post('user-created', '{}')).status).toBe(401)
  expect((await post('user-created', '{}', { 'X-Webhook-Secret': 'x' })).status).toBe(401)
  expect(
    (await post('user-created', '{}', { 'X-Webhook-Secret': `${WEBHOOK_SECRET}-and-more` })).status,
  ).toBe(401)
  // a row larger than the frameworks' default body limits (100 kB) is still an event
  const big = {
    id: 'big-1',
    created_at: '2026-11-28T09:00:00.123456',
    table: { schema: 'public', name: 'users' },
    trigger: { name: 'user_created' },
    event: {
      op: 'INSERT',
      data: {
        old: null,
        new: { id: 1, email: 'a@b.c', name: 'x'.repeat(300_000), created_at: '2026-11-28T09:00:00+00:00' },
      },
      session_variables: { 'x-hasura-role': 'admin' },
      trace_context: null,
    },
    delivery_info: { current_retry: 0, max_retries: 3 },
  }
  const bigRes = await post('user-created', JSON.stringify(big), secret)
  expect(bigRes.status).toBe(200)
  expect(await bigRes.json()).toEqual({ ok: true })
  // a cron delivery as Hasura sends it
  const cron = JSON.stringify({
    id: '0a3f5c7e-0000-4000-8000-000000000001',
    name: 'daily-report-generation',
    scheduled_time: '2026-11-28T09:00:00Z',
    payload: { report_type: 'daily_summary' },
    comment: 'Daily summary at 09:00 UTC',
  })
  const cronRes = await post('scheduled/daily-report', cron, secret)
  expect(cronRes.status).toBe(200)
  expect(await cronRes.json()).toEqual({ ok: true })
  // a replayed cron event: Hasura sends it as a one-off scheduled event, created_at and no name
  const oneOff = {
    id: '0a3f5c7e-0000-4000-8000-000000000002',
    scheduled_time: '2026-11-28T10:00:00Z',
    created_at: '2026-11-28T09:59:58.123456Z',
    payload: { report_type: 'daily_summary' },
    comment: 'nself-hooks replay of cron daily-report-generation',
  }
  const oneOffRes = await post('scheduled/daily-report', JSON.stringify(oneOff), secret)
  expect(oneOffRes.status, await oneOffRes.clone().text()).toBe(200)
  // neither body: no name and no created_at, or another cron's name
  const { created_at: _, ...neither } = oneOff
  expect((await post('scheduled/daily-report', JSON.stringify(neither), secret)).status).toBe(400)
  expect(
    (await post('scheduled/daily-report', JSON.stringify({ ...neither, name: 'other-cron' }), secret)).status,
  ).toBe(400)

  // Stripe, signed by the stripe package
  const stripeBody = JSON.stringify({
    id: 'evt_e2e_1',
    object: 'event',
    type: 'invoice.paid',
    created: 1_764_000_000,
    livemode: false,
    data: { object: { id: 'in_1', amount_paid: 1200 } },
  })
  const stripe = new Stripe('sk_test_dummy')
  const sig = stripe.webhooks.generateTestHeaderString({ payload: stripeBody, secret: STRIPE_SECRET })
  const okStripe = await post('external/stripe', stripeBody, { 'Stripe-Signature': sig })
  expect(okStripe.status).toBe(200)
  expect(
    (await post('external/stripe', stripeBody.replace('1200', '1'), { 'Stripe-Signature': sig })).status,
  ).toBe(401)
  expect((await post('external/stripe', stripeBody, { 'Stripe-Signature': sig.slice(0, 30) })).status).toBe(
    401,
  )
  const old = stripe.webhooks.generateTestHeaderString({
    payload: stripeBody,
    secret: STRIPE_SECRET,
    timestamp: Math.floor(Date.now() / 1000) - 3600,
  })
  expect((await post('external/stripe', stripeBody, { 'Stripe-Signature': old })).status).toBe(401)
  await waitFor(
    () => logLines(service).find((l) => l.msg === 'webhook handled' && l.event_id === 'evt_e2e_1'),
    'stripe event id as idempotency key',
  )

  // GitHub, signed by @octokit/webhooks-methods
  const ghBody = JSON.stringify({ action: 'opened', number: 1 })
  const ghHeaders = {
    'X-Hub-Signature-256': await githubSign(GITHUB_SECRET, ghBody),
    'X-GitHub-Event': 'pull_request',
    'X-GitHub-Delivery': 'gh-delivery-1',
  }
  expect((await post('external/github', ghBody, ghHeaders)).status).toBe(200)
  expect((await post('external/github', `${ghBody} `, ghHeaders)).status).toBe(401)
  await waitFor(
    () => logLines(service).find((l) => l.msg === 'webhook handled' && l.event_id === 'gh-delivery-1'),
    'github delivery id as idempotency key',
  )
}

/**
 * Outcomes mapped onto Hasura's rules, through the engine: the user's handler asks for a retry after
 * 1 s on the first attempt (503 + Retry-After), asks for a plain retry on the next two, which the
 * trigger's exponential backoff answers with Retry-After 2 and 3 (4, capped), then fails permanently
 * (200, {ok:false, retry:false}). The engine spaces the attempts as asked.
 */
export async function checkOutcomes(model: Model, service: Service): Promise<void> {
  // directly: the first attempt's answer carries Retry-After
  const row = { id: 1, email: 'a@b.c', name: null, created_at: '2026-11-28T09:00:00.5+00:00' }
  const directBody = (current_retry: number, max_retries: number) =>
    JSON.stringify({
      id: 'direct-1',
      created_at: '2026-11-28T09:00:00.123456',
      table: { schema: 'public', name: 'users' },
      trigger: { name: 'user_updated' },
      event: {
        op: 'UPDATE',
        data: { old: row, new: { ...row, name: 'A' } },
        session_variables: null,
        trace_context: null,
      },
      delivery_info: { current_retry, max_retries },
    })
  const attempt = (current_retry: number, max_retries: number) =>
    fetch(`${service.url}/webhooks/user-updated`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Webhook-Secret': WEBHOOK_SECRET },
      body: directBody(current_retry, max_retries),
    })
  const direct = await attempt(0, 3)
  expect(direct.status).toBe(503)
  expect(direct.headers.get('retry-after')).toBe('1')
  // retry() under exponential backoff (interval 1 s, at most 3 s): 2 s after the second attempt, 3
  // (not 4) after the third, and no Retry-After once retries are used up (it would force one more)
  const answer = async (current_retry: number, max_retries: number) => {
    const res = await attempt(current_retry, max_retries)
    return [res.status, res.headers.get('retry-after')]
  }
  expect(await answer(1, 3)).toEqual([503, '2'])
  expect(await answer(2, 3)).toEqual([503, '3'])
  expect(await answer(1, 1)).toEqual([500, null])

  // real time, so the measured gaps are the ones Hasura would keep
  const { api, stop } = await engineFor(model, service.url, 1)
  try {
    await api.sql("INSERT INTO public.users (email) VALUES ('grace@example.com')")
    await api.sql("UPDATE public.users SET name = 'Grace' WHERE email = 'grace@example.com'")
    const ev = await waitFor(
      async () => {
        const evs = await eventsOf(api, 'user_updated')
        return evs[0]?.event.delivered ? evs[0] : undefined
      },
      'user_updated delivered',
      30_000,
    )
    const attempts = [...ev.invocations].sort((a, b) =>
      String(a.created_at).localeCompare(String(b.created_at)),
    )
    expect(attempts.map((i) => i.http_status)).toEqual([503, 503, 503, 200])
    expect(ev.event.tries).toBe(4)
    // the engine waited at least what each answer asked for
    const at = attempts.map((i) => parseHasuraTime(String(i.created_at)).getTime())
    const gaps = at.slice(1).map((t, k) => (t - at[k]!) / 1000)
    gaps.forEach((gap, k) => {
      expect(gap, `gap ${k + 1}: ${gaps.join(', ')} s`).toBeGreaterThanOrEqual([1, 2, 3][k]! - 0.05)
    })
    const lines = logLines(service).filter((l) => l.event_id === ev.event.id && l.msg === 'webhook handled')
    expect(lines.map((l) => [l.attempt, l.status, l.outcome])).toEqual([
      [1, 503, 'retry'],
      [2, 503, 'retry'],
      [3, 503, 'retry'],
      [4, 200, 'failed'],
    ])
  } finally {
    await stop()
  }
}

/**
 * A body over the service's 10 MB limit is answered 413 in JSON, without a stack trace or an HTML
 * error page: once with a Content-Length, once streamed in chunks without one.
 */
export async function checkBodyLimit(
  service: Service,
  expected: unknown = { ok: false, error: 'body is larger than 10mb' },
): Promise<void> {
  const big = `{"pad": "${'x'.repeat(11 * 1024 * 1024)}"}`
  const sized = await fetch(`${service.url}/webhooks/user-created`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-Webhook-Secret': WEBHOOK_SECRET },
    body: big,
  })
  const chunk = new TextEncoder().encode('x'.repeat(1024 * 1024))
  let sent = 0
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ < 12) controller.enqueue(chunk)
      else controller.close()
    },
  })
  const streamed = await fetch(`${service.url}/webhooks/user-created`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-Webhook-Secret': WEBHOOK_SECRET },
    body: stream,
    duplex: 'half',
  } as RequestInit)
  for (const res of [sized, streamed]) {
    const text = await res.text()
    expect(res.status, text.slice(0, 300)).toBe(413)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(JSON.parse(text)).toEqual(expected)
    expect(text).not.toMatch(/at \w+ \(|Traceback|<html|PayloadTooLarge|node_modules/i)
  }
  // the service still serves after refusing them
  expect((await fetch(`${service.url}/health`)).status).toBe(200)
}

/**
 * The hostile-values service running: its health route returns the service name exactly, and every
 * cron route accepts a delivery carrying its hostile name (a zod or pydantic literal) under its
 * hostile secret header name, and refuses the same body with another cron's name.
 */
export async function checkHostileService(service: Service, names: string[], header: string, name: string) {
  const health = (await (await fetch(`${service.url}/health`)).json()) as { service: string }
  expect(health.service).toBe(name)
  for (const [i, cron] of names.entries()) {
    const body = (n: string) =>
      JSON.stringify({
        id: `hostile-${i}`,
        name: n,
        scheduled_time: '2026-11-28T09:00:00Z',
        payload: { [cron]: cron, nested: { [cron]: i, list: [{ [cron]: true }] } },
        comment: null,
      })
    const post = (n: string) =>
      fetch(`${service.url}/hooks/cron/c${i}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [`${header}${i}`]: WEBHOOK_SECRET },
        body: body(n),
      })
    const res = await post(cron)
    expect(res.status, `${JSON.stringify(cron)}: ${await res.clone().text()}`).toBe(200)
    expect((await post(names[(i + 1) % names.length]!)).status).toBe(400)
  }
}

/**
 * The per-handler tests scaffold wrote, run the way the service's README says (`npm test`, or
 * `python3 -m unittest`) with nothing from the test's environment but PATH and HOME: every one passes,
 * and there are as many as the handlers need (a valid delivery, a wrong secret or signature).
 */
export async function runGeneratedTests(dir: string, command: [string, ...string[]], expected: number) {
  const [cmd, ...args] = command
  const r = await execa(cmd, args, {
    cwd: dir,
    reject: false,
    all: true,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PYTHONDONTWRITEBYTECODE: '1' },
    extendEnv: false,
    timeout: 240_000,
  })
  expect(r.exitCode, r.all).toBe(0)
  const node = /^# pass (\d+)$/m.exec(r.all ?? '')
  const python = /^Ran (\d+) tests?/m.exec(r.all ?? '')
  expect(Number((node ?? python)?.[1]), r.all).toBe(expected)
  if (node) expect(r.all).toMatch(/^# fail 0$/m)
  else expect(r.all).toMatch(/^OK$/m)
}

/** In production the service reads no .env file: the secret the layers hold is missing, so the route fails closed. */
export async function checkProductionReadsNoFiles(service: Service): Promise<void> {
  const res = await fetch(`${service.url}/webhooks/user-created`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-Webhook-Secret': WEBHOOK_SECRET },
    body: '{}',
  })
  const body = await res.text()
  expect(res.status, body).toBe(500)
  expect(JSON.parse(body)).toMatchObject({
    ok: false,
    error: 'WEBHOOK_SECRET is not set in the service environment',
  })
}

/** The user's own handler logic (Node templates): the first attempt asks for a retry in 1 s, then plain retries until the third, then it fails for good. */
export const TS_USER_UPDATED = `import type { UserUpdatedHandlers } from '../_generated/payloads.js'
import { fail, retry, retryAfter } from '../_generated/runtime.js'

export const userUpdated: UserUpdatedHandlers = {
  async update(event, ctx) {
    if (ctx.attempt === 1) return retryAfter(1, 'downstream busy')
    if (ctx.attempt <= 3) return retry('still busy')
    return fail(\`cannot sync \${event.data.new.email}\`)
  },
}
`

/** The same logic in Python (fastapi, flask). */
export const PY_USER_UPDATED = `from webhooks._generated.payloads import UserUpdatedUpdate
from webhooks._generated.runtime import EventContext, Outcome, fail, retry, retry_after


def on_update(event: UserUpdatedUpdate, ctx: EventContext) -> Outcome:
    if ctx.attempt == 1:
        return retry_after(1, "downstream busy")
    if ctx.attempt <= 3:
        return retry("still busy")
    return fail(f"cannot sync {event.data.new.email}")
`
