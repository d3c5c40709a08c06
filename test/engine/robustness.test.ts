import http from 'node:http'
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startEngine } from '../../src/engine/index.js'
import { backends, type Client, client, engineFor, SECRET, uniq } from '../helpers/engine.js'
import { type Handler, startHandler } from '../helpers/http.js'
import { waitFor } from '../helpers/wait.js'

const CRLF_VALUE = 'ok\r\nX-Injected: yes'

describe.each(backends)('deliveries the engine cannot build on $name', (backend) => {
  let ctx: Awaited<ReturnType<typeof engineFor>>
  let api: Client
  let hook: Handler
  beforeAll(async () => {
    if (backend.skip) return
    hook = await startHandler()
    ctx = await engineFor(backend, {
      timeScale: 0.05,
      env: { CRLF_TOKEN: CRLF_VALUE, BAD_URL: 'http://exa mple.test/x', NUL_TOKEN: 'a\u0000b' },
    })
    api = ctx.api
  })
  afterAll(async () => {
    await ctx?.stop()
    await hook?.close()
  })
  const it = backend.skip ? test.skip : test

  /** Writes metadata straight into the catalog (what no metadata command lets through), then reloads. */
  async function forceTrigger(table: string, trigger: Record<string, unknown>) {
    const meta = (await api.ok('export_metadata', {}, { version: 2 })).metadata
    const source = meta.sources[0]
    source.tables.push({ table: { schema: 'public', name: table }, event_triggers: [trigger] })
    await ctx.engine.query(
      'UPDATE hdb_catalog.hdb_metadata SET metadata = $1, resource_version = resource_version + 1 WHERE id = 1',
      [JSON.stringify(meta)],
    )
    await api.ok('reload_metadata', {})
  }

  async function finalEvent(name: string) {
    return waitFor(async () => {
      const [e] = (await api.ok('pg_get_event_logs', { name })) as any[]
      return e && (e.error || e.delivered) && e
    }, `event of ${name} to end`)
  }

  it('a trigger forced into the catalog with a CR/LF header name, a CR/LF env value, a NUL value or a bad URL ends failed, logged, unlocked', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [
        'name',
        { webhook: `${hook.url}/h`, headers: [{ name: 'X-Bad\r\nX-Injected', value: 'v' }] },
        /invalid header name/,
      ],
      [
        'env',
        { webhook: `${hook.url}/h`, headers: [{ name: 'X-Token', value_from_env: 'CRLF_TOKEN' }] },
        /"X-Token" holds a control character/,
      ],
      [
        'nul',
        { webhook: `${hook.url}/h`, headers: [{ name: 'X-Nul', value: '{{NUL_TOKEN}}' }] },
        /"X-Nul" holds a control character/,
      ],
      // a request transform used to throw on the URL before the request was built
      [
        'url',
        {
          webhook: '{{BAD_URL}}',
          request_transform: { version: 2, method: 'PUT', template_engine: 'Kriti' },
        },
        /^Invalid URL$/,
      ],
    ]
    for (const [kind, extra, message] of cases) {
      const t = uniq(`bad_${kind}`)
      const name = uniq('forced')
      await api.sql(`CREATE TABLE public.${t} (id int primary key)`)
      await forceTrigger(t, {
        name,
        definition: { enable_manual: false, insert: { columns: '*' } },
        retry_conf: { interval_sec: 1, num_retries: 1 },
        ...extra,
      })
      await api.sql(`INSERT INTO public.${t} VALUES (1)`)
      const ev = await finalEvent(name)
      // both attempts happened and failed: never stuck, never delivered
      expect(ev, kind).toMatchObject({ delivered: false, error: true, tries: 2, locked: null })
      const { invocations } = await api.ok('pg_get_event_by_id', { event_id: ev.id })
      expect(invocations, kind).toHaveLength(2)
      for (const inv of invocations) {
        expect(inv.http_status, kind).toBeNull()
        expect(inv.response.type, kind).toBe('client_error')
        // the HttpException as JSON text (Hasura's httpExceptionErrorEncoding)
        const ex = JSON.parse(inv.response.data.message)
        expect(ex.type, kind).toBe(kind === 'url' ? 'invalid_url' : 'http_exception')
        expect(ex.message, kind).toMatch(message)
        // the env value (a secret) is not in the log
        expect(JSON.stringify(inv), kind).not.toContain('X-Injected: yes')
      }
      const { rows } = await ctx.engine.query(
        'SELECT locked FROM hdb_catalog.event_log WHERE trigger_name = $1',
        [name],
      )
      expect(rows, kind).toEqual([{ locked: null }])
    }
    expect(hook.requests.filter((r) => JSON.stringify(r.headers).includes('x-injected'))).toHaveLength(0)
    expect(hook.requests).toHaveLength(0)
  })

  it('a cron whose header value comes from an env var holding CR/LF ends in error with its invocation', async () => {
    const name = uniq('cron_crlf')
    await api.ok('create_cron_trigger', {
      name,
      webhook: `${hook.url}/cron`,
      schedule: '0 0 1 1 *',
      include_in_metadata: true,
      headers: [{ name: 'X-Token', value_from_env: 'CRLF_TOKEN' }],
    })
    const { rows } = await ctx.engine.query(
      `INSERT INTO hdb_catalog.hdb_cron_events (trigger_name, scheduled_time) VALUES ($1, now()) RETURNING id`,
      [name],
    )
    const id = rows[0].id
    const ev = await waitFor(async () => {
      const events = (await api.ok('get_scheduled_events', { type: 'cron', trigger_name: name }))
        .events as any[]
      return events.find((e) => e.id === id && e.status !== 'scheduled' && e.status !== 'locked')
    }, 'cron event to end')
    expect(ev).toMatchObject({ status: 'error', tries: 1 })
    const inv = await api.ok('get_scheduled_event_invocations', { type: 'cron', event_id: id })
    expect(inv.invocations).toHaveLength(1)
    expect(inv.invocations[0].status).toBeNull()
    expect(JSON.parse(inv.invocations[0].response.data.message).message).toMatch(
      /"X-Token" holds a control character/,
    )
    expect(hook.requests.filter((r) => r.body?.id === id)).toHaveLength(0)
  })
})

describe('headers HTTP forbids are refused when a trigger, cron or scheduled event is created', () => {
  let engine: Awaited<ReturnType<typeof startEngine>>
  let api: Client
  let hook: Handler
  beforeAll(async () => {
    hook = await startHandler()
    engine = await startEngine({ port: 0, adminSecret: SECRET, pollIntervalMs: 100 })
    api = client(engine)
    await api.sql('CREATE TABLE public.h (id int primary key)')
    await api.ok('pg_track_table', { table: 'h' })
  })
  afterAll(async () => {
    await engine?.stop()
    await hook?.close()
  })

  const trigger = (headers: unknown[]) => ({
    name: 'tr',
    table: 'h',
    insert: { columns: '*' },
    webhook: `${hook.url}/h`,
    headers,
  })

  test.each([
    [
      'CR/LF in a name',
      [{ name: 'X-A\r\nX-B', value: 'v' }],
      '$.args.headers[0].name',
      /invalid header name/,
    ],
    ['a space in a name', [{ name: 'X A', value: 'v' }], '$.args.headers[0].name', /invalid header name/],
    ['an empty name', [{ name: '', value: 'v' }], '$.args.headers[0].name', /invalid header name/],
    ['a colon in a name', [{ name: 'X-A:', value: 'v' }], '$.args.headers[0].name', /invalid header name/],
    [
      'LF in a value',
      [
        { name: 'X-Ok', value: 'fine' },
        { name: 'X-A', value: 'a\nb' },
      ],
      '$.args.headers[1].value',
      /control character/,
    ],
    ['CR in a value', [{ name: 'X-A', value: `s3cret\rX` }], '$.args.headers[0].value', /control character/],
    ['NUL in a value', [{ name: 'X-A', value: 'a\u0000' }], '$.args.headers[0].value', /control character/],
  ])('pg_create_event_trigger: %s', async (_what, headers, path, message) => {
    const r = await api.metadata('pg_create_event_trigger', trigger(headers))
    expect(r.status).toBe(400)
    expect(r.body).toMatchObject({ code: 'parse-failed', path })
    expect(r.body.error).toMatch(message)
    // the value (perhaps a secret) is never echoed
    expect(r.body.error).not.toContain('s3cret')
    expect((await api.ok('export_metadata', {})).sources[0].tables[0].event_triggers).toBeUndefined()
  })

  test('create_cron_trigger, create_scheduled_event and replace_metadata refuse them too, changing nothing', async () => {
    const cron = await api.metadata('create_cron_trigger', {
      name: 'c',
      webhook: `${hook.url}/c`,
      schedule: '0 0 1 1 *',
      include_in_metadata: true,
      headers: [{ name: 'X-C', value: 'x\r\nY: z' }],
    })
    expect(cron.status).toBe(400)
    expect(cron.body).toMatchObject({ code: 'parse-failed', path: '$.args.headers[0].value' })
    const once = await api.metadata('create_scheduled_event', {
      webhook: `${hook.url}/once`,
      schedule_at: new Date().toISOString(),
      headers: [{ name: 'Bad Name', value: 'v' }],
    })
    expect(once.status).toBe(400)
    expect(once.body).toMatchObject({ code: 'parse-failed', path: '$.args.headers[0].name' })
    const before = await api.ok('export_metadata', {}, { version: 2 })
    const meta = structuredClone(before.metadata)
    meta.sources[0].tables[0].event_triggers = [
      {
        name: 'tr',
        definition: { enable_manual: false, insert: { columns: '*' } },
        retry_conf: { interval_sec: 10, num_retries: 0 },
        webhook: `${hook.url}/h`,
        headers: [{ name: 'X-\nA', value: 'v' }],
      },
    ]
    const replaced = await api.metadata('replace_metadata', { metadata: meta }, { version: 2 })
    expect(replaced.status).toBe(400)
    expect(replaced.body).toMatchObject({
      code: 'parse-failed',
      path: '$.args.metadata.sources[0].tables[0].event_triggers[0].headers[0].name',
    })
    expect(await api.ok('export_metadata', {}, { version: 2 })).toEqual(before)
    expect(((await api.ok('get_scheduled_events', { type: 'one_off' })).events as unknown[]).length).toBe(0)
  })

  test('non-ASCII header values are accepted and sent as their UTF-8 bytes, as Hasura sends them', async () => {
    const value = 'ünïcødé € 日本'
    await api.ok('pg_create_event_trigger', trigger([{ name: 'X-Text', value }]))
    await api.sql('INSERT INTO public.h VALUES (1)')
    const [req] = await waitFor(() => hook.requests.length > 0 && hook.requests, 'delivery')
    const raw = req!.headers['x-text'] as string
    expect(Buffer.from(raw, 'latin1').toString('utf8')).toBe(value)
  })
})

/** A raw HTTP/1.1 exchange; resolves with what the server sent once it closes the connection. */
function rawExchange(url: string, write: (socket: net.Socket) => void): Promise<string> {
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(u.port), u.hostname)
    let got = ''
    socket.on('data', (d) => {
      got += d.toString('utf8')
    })
    socket.on('error', (err) =>
      (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve(got) : reject(err),
    )
    socket.on('close', () => resolve(got))
    socket.on('connect', () => write(socket))
  })
}

/** POST with node:http: the answer even when the server stops reading the body early. */
function postRaw(
  url: string,
  body: Buffer,
  opts: { chunked?: boolean } = {},
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Hasura-Admin-Secret': SECRET,
        ...(opts.chunked ? {} : { 'Content-Length': String(body.length) }),
      },
    })
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) }),
      )
    })
    req.on('error', (err) => {
      if (
        (err as NodeJS.ErrnoException).code !== 'EPIPE' &&
        (err as NodeJS.ErrnoException).code !== 'ECONNRESET'
      )
        reject(err)
    })
    if (opts.chunked) {
      // several writes without a length: the limit is counted as the body arrives
      for (let i = 0; i < body.length; i += 1000) req.write(body.subarray(i, i + 1000))
      req.end()
    } else req.end(body)
  })
}

describe('the HTTP server: body limit, timeouts, admin secret', () => {
  let engine: Awaited<ReturnType<typeof startEngine>>
  beforeAll(async () => {
    engine = await startEngine({
      port: 0,
      adminSecret: SECRET,
      limits: { maxBodyBytes: 4096, headersTimeoutMs: 300, requestTimeoutMs: 800 },
    })
  })
  afterAll(async () => {
    await engine?.stop()
  })

  test.each(['/v1/metadata', '/v2/query', '/v1/query', '/v1/graphql'])(
    '%s answers a body over the limit with 413 in Hasura’s error shape, declared or streamed',
    async (path) => {
      const big = Buffer.from(
        JSON.stringify({ type: 'run_sql', args: { sql: `SELECT '${'x'.repeat(20_000)}'` } }),
      )
      for (const chunked of [false, true]) {
        const r = await postRaw(engine.url + path, big, { chunked })
        expect(r.status, `chunked=${chunked}`).toBe(413)
        expect(r.body).toEqual({
          path: '$',
          code: 'bad-request',
          error: 'request body too large: the limit is 4096 bytes; send less per request (e.g. split a bulk)',
        })
      }
      // under the limit the same endpoint still answers
      const small = await postRaw(engine.url + path, Buffer.from('{"type":"export_metadata","args":{}}'))
      expect(small.status).not.toBe(413)
    },
  )

  test('a client that never finishes its headers is cut off with 408', async () => {
    const got = await rawExchange(engine.url, (s) => s.write('POST /v1/metadata HTTP/1.1\r\nHost: x\r\n'))
    expect(got).toMatch(/^HTTP\/1\.1 408/)
  })

  test('a client that never finishes its body is cut off with 408', async () => {
    const got = await rawExchange(engine.url, (s) => {
      s.write(
        `POST /v1/metadata HTTP/1.1\r\nHost: x\r\nX-Hasura-Admin-Secret: ${SECRET}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"type":`,
      )
      // keep trickling so only the whole-request timeout can end it
      const t = setInterval(() => s.writable && s.write(' '), 100)
      s.on('close', () => clearInterval(t))
    })
    expect(got).toMatch(/^HTTP\/1\.1 408/)
  })

  test.each([
    ['wrong, same length', SECRET.replace(/.$/, '!')],
    ['a prefix', SECRET.slice(0, -1)],
    ['longer', `${SECRET}x`],
    ['empty', ''],
    ['non-ASCII', 'tëst-sécret'],
  ])('an admin secret that is %s is refused', async (_what, secret) => {
    const r = await client(engine, secret).post(
      '/v1/metadata',
      { type: 'export_metadata', args: {} },
      secret === '' ? { 'X-Hasura-Admin-Secret': '' } : {},
    )
    expect(r.status).toBe(401)
    expect(r.body).toEqual({
      error: 'invalid x-hasura-admin-secret/x-hasura-access-key',
      path: '$',
      code: 'access-denied',
    })
    const ok = await client(engine).post('/v1/metadata', { type: 'export_metadata', args: {} })
    expect(ok.status).toBe(200)
  })
})

describe('get_scheduled_event_invocations', () => {
  let engine: Awaited<ReturnType<typeof startEngine>>
  let api: Client
  let hook: Handler
  beforeAll(async () => {
    hook = await startHandler()
    engine = await startEngine({ port: 0, adminSecret: SECRET, pollIntervalMs: 100 })
    api = client(engine)
  })
  afterAll(async () => {
    await engine?.stop()
    await hook?.close()
  })

  test('returns only the asked event’s attempts, or only the asked cron’s', async () => {
    const ids: Record<string, string[]> = {}
    for (const name of ['alpha', 'beta']) {
      await api.ok('create_cron_trigger', {
        name,
        webhook: `${hook.url}/${name}`,
        schedule: '0 0 1 1 *',
        include_in_metadata: true,
      })
      const { rows } = await engine.query(
        `INSERT INTO hdb_catalog.hdb_cron_events (trigger_name, scheduled_time)
         VALUES ($1, now() - interval '1 second'), ($1, now() - interval '2 seconds') RETURNING id`,
        [name],
      )
      ids[name] = rows.map((r: { id: string }) => r.id)
    }
    const once = await api.ok('create_scheduled_event', {
      webhook: `${hook.url}/once`,
      schedule_at: new Date(Date.now() - 1000).toISOString(),
    })
    await waitFor(async () => {
      const all = await api.ok('get_scheduled_event_invocations', { type: 'cron' })
      const one = await api.ok('get_scheduled_event_invocations', { type: 'one_off' })
      return all.invocations.length === 4 && one.invocations.length === 1
    }, 'five deliveries')
    const first = ids.alpha![0]!
    const byEvent = await api.ok('get_scheduled_event_invocations', { type: 'cron', event_id: first })
    expect(byEvent.invocations.map((i: any) => i.event_id)).toEqual([first])
    const byTrigger = await api.ok('get_scheduled_event_invocations', { type: 'cron', trigger_name: 'beta' })
    expect(byTrigger.invocations.map((i: any) => i.event_id).sort()).toEqual([...ids.beta!].sort())
    const oneOff = await api.ok('get_scheduled_event_invocations', {
      type: 'one_off',
      event_id: once.event_id,
    })
    expect(oneOff.invocations.map((i: any) => i.event_id)).toEqual([once.event_id])
    // an id of the other kind is none of this kind's
    const none = await api.ok('get_scheduled_event_invocations', { type: 'one_off', event_id: first })
    expect(none.invocations).toEqual([])
  })
})
