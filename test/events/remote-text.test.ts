import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventsShow } from '../../src/commands/events.js'
import { replay } from '../../src/commands/replay.js'
import { send } from '../../src/commands/send.js'
import { type Engine, startEngine } from '../../src/engine/index.js'
import { REMOTE_TEXT_LIMIT, remoteText, visible } from '../../src/output/remote-text.js'
import { captureContext, runCli } from '../helpers/cli.js'
import { client } from '../helpers/engine.js'
import { type Reply, startHandler } from '../helpers/http.js'
import { projectDir } from '../helpers/project.js'
import { waitFor } from '../helpers/wait.js'

/**
 * A webhook (or a server) that answers with terminal escape sequences must not drive the user's
 * terminal: `events show`, `send` and `replay --to` print what it said with the control characters
 * shown, cut long bodies with a note, and keep --json exact.
 */

const ADMIN = 'rt-adm1n-s3cret'
const HEADER_SECRET = 'rt-hdr-s3cret-value-0123456789'
/** OSC 52 writes the clipboard; ESC[2J clears the screen; CR overprints; U+202E reverses text; 0x9B is CSI. */
const EVIL =
  'ok \u001b]52;c;ZXZpbA==\u0007 \u001b[2J\u001b[31mred\u001b[0m\rspoofed \u202edesrever\u009b6n\nsecond line\tend'
const EVIL_SHOWN =
  'ok \\x1b]52;c;ZXZpbA==\\x07 \\x1b[2J\\x1b[31mred\\x1b[0m\\x0dspoofed \\u202edesrever\\x9b6n\nsecond line\tend'
const EVIL_HEADER = '\u009b2J\u009b31m'
/** 1 MiB of text whose byte 4096 falls inside a two-byte character. */
const BIG = `a${'é'.repeat(512 * 1024 - 1)}!`
const BIG_BYTES = Buffer.byteLength(BIG)
// biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

describe('remoteText / visible', () => {
  it('shows every control character and keeps newlines and tabs of multi-line text', () => {
    expect(remoteText(EVIL)).toBe(EVIL_SHOWN)
    expect(visible('a\nb\tc')).toBe('a\\x0ab\\x09c')
    expect(remoteText('crlf\r\nline')).toBe('crlf\r\nline')
  })

  it('cuts at a character boundary and says how much was left out and which flag shows all', () => {
    const out = remoteText(BIG)
    const [kept, note] = out.split('\n')
    expect(Buffer.byteLength(kept!)).toBe(REMOTE_TEXT_LIMIT - 1)
    expect(kept).not.toContain('\uFFFD')
    expect(note).toBe(
      `… ${BIG_BYTES - REMOTE_TEXT_LIMIT + 1} more bytes left out (${BIG_BYTES} in all); --full shows all`,
    )
    expect(remoteText(BIG, { full: true })).toBe(BIG)
  })
})

describe('remote text on the engine: events show, send, replay --to', () => {
  let engine: Engine
  let handler: Awaited<ReturnType<typeof startHandler>>
  let dir: string
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    handler = await startHandler((r): Reply => {
      const kind = r.body?.event?.data?.new?.kind
      if (kind === 'evil') return { status: 200, body: EVIL, headers: { 'X-Evil': EVIL_HEADER } }
      if (kind === 'big') return { status: 500, body: BIG, headers: { 'Content-Type': 'text/plain' } }
      if (kind === 'echo')
        // the secret header sent back around the cut: masking must happen before cutting
        return { status: 200, body: `${'a'.repeat(REMOTE_TEXT_LIMIT - 8)}${r.headers['x-webhook-secret']}` }
      return { status: 200 }
    })
    engine = await startEngine({
      port: 0,
      adminSecret: ADMIN,
      env: { WEBHOOK_SECRET: HEADER_SECRET },
      pollIntervalMs: 50,
    })
    await client(engine.url, ADMIN).sql(
      'CREATE TABLE public.orders (id serial PRIMARY KEY, kind text NOT NULL)',
    )
    await client(engine.url, ADMIN).ok('pg_track_table', {
      source: 'default',
      table: { schema: 'public', name: 'orders' },
    })
    const trigger = {
      table: 'orders',
      on: { insert: true },
      webhook: `${handler.url}/orders`,
      headers: { 'X-Webhook-Secret': { fromEnv: 'WEBHOOK_SECRET' } },
      retry: { numRetries: 0, intervalSec: 1, timeoutSec: 10 },
    }
    await client(engine.url, ADMIN).ok('pg_create_event_trigger', {
      name: 'orders',
      source: 'default',
      table: { schema: 'public', name: 'orders' },
      insert: { columns: '*' },
      webhook: trigger.webhook,
      headers: [{ name: 'X-Webhook-Secret', value_from_env: 'WEBHOOK_SECRET' }],
      retry_conf: { num_retries: 0, interval_sec: 1, timeout_sec: 10 },
    })
    dir = projectDir(
      { hasura: { endpoint: engine.url }, triggers: { orders: trigger } },
      { HASURA_GRAPHQL_ADMIN_SECRET: ADMIN, WEBHOOK_SECRET: HEADER_SECRET },
    )
    await client(engine.url, ADMIN).sql(`INSERT INTO public.orders (kind) VALUES ('evil'), ('big')`)
    const rows = await waitFor(async () => {
      const r = await engine.query(
        `SELECT id, (payload->'data'->'new'->>'kind') AS kind FROM hdb_catalog.event_log WHERE delivered OR error`,
      )
      return r.rows.length === 2 ? r.rows : undefined
    }, 'both events delivered or failed')
    for (const row of rows) ids[row.kind] = row.id
  })

  afterAll(async () => {
    await engine?.stop()
    await handler?.close()
  })

  const run = async (fn: (o: any, c: any) => Promise<number>, opts: Record<string, unknown>) => {
    const cap = captureContext(dir)
    const code = await fn(opts, cap.ctx)
    return { code, out: cap.out, err: cap.err }
  }

  it('events show: the webhook body and its headers with control characters shown', async () => {
    const r = await run(eventsShow, { eventId: ids.evil })
    expect(r.code).toBe(0)
    expect(r.out).not.toMatch(RAW_CONTROL)
    expect(r.out).toContain(EVIL_SHOWN.split('\n')[0])
    // the body's second line stays a line of its own, indented under the response
    expect(r.out).toContain(`${EVIL_SHOWN.split('\n')[0]}\n    ${EVIL_SHOWN.split('\n')[1]}\n`)
    expect(r.out).toMatch(/x-evil: \\x9b2J\\x9b31m/i)
  })

  it('events show --json keeps the exact data', async () => {
    const r = await run(eventsShow, { eventId: ids.evil, json: true })
    const inv = JSON.parse(r.out).invocations[0]
    expect(inv.response.data.body).toBe(EVIL)
    expect(inv.response.data.headers).toContainEqual({ name: 'X-Evil', value: EVIL_HEADER })
  })

  it('events show cuts a 1 MB failure body with a note; --full prints it whole', async () => {
    const r = await run(eventsShow, { eventId: ids.big })
    expect(r.out.length).toBeLessThan(16_000)
    expect(r.out).toContain(
      `… ${BIG_BYTES - REMOTE_TEXT_LIMIT + 1} more bytes left out (${BIG_BYTES} in all); --full shows all`,
    )
    const full = await run(eventsShow, { eventId: ids.big, full: true })
    expect(full.out).toContain(BIG)
  })

  it('send --to: the handler answer shown safely; --json exact', async () => {
    const r = await run(send, { trigger: 'orders', new: '{"kind":"evil"}', to: `${handler.url}/local` })
    expect(r.code).toBe(0)
    expect(r.out).not.toMatch(RAW_CONTROL)
    expect(r.out).toContain(EVIL_SHOWN)
    const j = await run(send, {
      trigger: 'orders',
      new: '{"kind":"evil"}',
      to: `${handler.url}/local`,
      json: true,
    })
    expect(JSON.parse(j.out).response.body).toBe(EVIL)
  })

  it('send: a 1 MB answer is cut, --full shows all, and a secret echoed across the cut never shows in part', async () => {
    const r = await run(send, { trigger: 'orders', new: '{"kind":"big"}' })
    expect(r.code).toBe(1)
    expect(r.out.length).toBeLessThan(8_000)
    expect(r.out).toContain(`more bytes left out (${BIG_BYTES} in all); --full shows all`)
    const full = await run(send, { trigger: 'orders', new: '{"kind":"big"}', full: true })
    expect(full.out).toContain(BIG)
    const echo = await run(send, { trigger: 'orders', new: '{"kind":"echo"}' })
    expect(echo.out).toContain('more bytes left out')
    expect(echo.out).not.toContain(HEADER_SECRET.slice(0, 6))
  })

  it('replay --to: the same for a stored event', async () => {
    const r = await run(replay, { eventId: ids.evil, to: `${handler.url}/again` })
    expect(r.code).toBe(0)
    expect(r.out).not.toMatch(RAW_CONTROL)
    expect(r.out).toContain(EVIL_SHOWN)
    const big = await run(replay, { eventId: ids.big, to: `${handler.url}/again` })
    expect(big.out).toContain(`more bytes left out (${BIG_BYTES} in all); --full shows all`)
  })
})

describe('an error message from the server (the CLI)', () => {
  let server: http.Server
  let url: string
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        res.writeHead(400, { 'Content-Type': 'application/json' })
        res.end(JSON.stringify({ error: `denied ${EVIL}`, code: 'unexpected', path: '$' }))
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))

  it('is printed with its control characters shown, exit 1', async () => {
    const d = projectDir(
      {
        hasura: { endpoint: url },
        triggers: { orders: { table: 'orders', on: { insert: true }, webhook: 'http://x/h' } },
      },
      { HASURA_GRAPHQL_ADMIN_SECRET: ADMIN },
    )
    const r = await runCli(['events', 'orders'], { cwd: d })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`denied ${EVIL_SHOWN.split('\n')[0]}`)
    expect(r.stderr + r.stdout).not.toMatch(RAW_CONTROL)
  })
})
