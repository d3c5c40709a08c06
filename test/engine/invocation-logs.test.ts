import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { backends, type Client, engineFor, SECRET, uniq } from '../helpers/engine.js'
import { type Handler, startHandler } from '../helpers/http.js'
import { waitFor } from '../helpers/wait.js'

// Invocation logs, timestamps, digits and trace context as Hasura writes them
// (docs/hasura-compatibility.md "Invocation logs", "Trace context").

const SECRET_VALUE = 's3cr3t-from-env-9f1c'
const BAD_URL_SECRET = 'not a url s3cr3t-url-77aa'
const BIG = '9007199254740993'
const NUMERIC = '12345678901234567890.123456789'

/** A port nothing listens on: a server is opened and closed on it. */
async function closedPort(): Promise<number> {
  const s = http.createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

describe.each(backends)('invocation logs on $name', (backend) => {
  let ctx: Awaited<ReturnType<typeof engineFor>>
  let api: Client
  let hook: Handler
  const lines: string[] = []
  let deadUrl: string
  beforeAll(async () => {
    if (backend.skip) return
    hook = await startHandler((r) =>
      r.path.startsWith('/fail')
        ? { status: 500, body: 'no thanks {"x": 1.50}' }
        : { status: 200, headers: { 'X-Reply': 'yes' }, body: '{"ok": 1.50}' },
    )
    deadUrl = `http://127.0.0.1:${await closedPort()}/dead?q=1`
    ctx = await engineFor(backend, {
      env: { NH_T_SECRET: SECRET_VALUE, NH_T_BAD_URL: BAD_URL_SECRET, NH_T_DEAD_URL: deadUrl },
      log: (l) => lines.push(l),
    })
    api = ctx.api
  })
  afterAll(async () => {
    await ctx?.stop()
    await hook?.close()
  })
  const it = backend.skip ? test.skip : test

  async function trigger(webhook: Record<string, string>, extra: Record<string, unknown> = {}) {
    const t = uniq('t')
    await api.sql(`CREATE TABLE public.${t} (id serial primary key, big int8, num numeric)`)
    await api.ok('pg_track_table', { source: 'default', table: { schema: 'public', name: t } })
    const name = uniq('inv')
    await api.ok('pg_create_event_trigger', {
      name,
      table: { schema: 'public', name: t },
      insert: { columns: '*' },
      enable_manual: true,
      headers: [
        { name: 'X-Lit', value: 'lit' },
        { name: 'X-Env', value_from_env: 'NH_T_SECRET' },
        { name: 'X-Tpl', value: 'Bearer {{NH_T_SECRET}}' },
      ],
      ...webhook,
      ...extra,
    })
    return { t, name }
  }
  /** The invocation logs of a trigger, as raw text and parsed, once `n` are there. */
  async function invocations(name: string, n = 1) {
    return waitFor(async () => {
      const r = await api.post('/v1/metadata', { type: 'pg_get_event_invocation_logs', args: { name } })
      return Array.isArray(r.body) && r.body.length >= n ? r.body : undefined
    }, `${n} invocation(s) of ${name}`)
  }
  async function rawText(type: string, args: Record<string, unknown>) {
    const res = await fetch(`${ctx.engine.url}/v1/metadata`, {
      method: 'POST',
      headers: { 'X-Hasura-Admin-Secret': SECRET, 'Content-Type': 'application/json' },
      body: JSON.stringify({ type, args }),
    })
    return res.text()
  }

  it('records the request Hasura sent and the answer as text, version "2", no env value', async () => {
    const { t, name } = await trigger({ webhook: `${hook.url}/ok` })
    await api.sql(`INSERT INTO public.${t} (big, num) VALUES (${BIG}, ${NUMERIC})`)
    const [inv] = await invocations(name)
    expect(inv.http_status).toBe(200)
    expect(inv.request.version).toBe('2')
    // every header sent, defaults first; configured ones as configured, env-sourced by name only
    expect(inv.request.headers).toEqual([
      { name: 'Content-Type', value: 'application/json' },
      { name: 'User-Agent', value: expect.stringMatching(/^hasura-graphql-engine\/v2\./) },
      { name: 'X-Lit', value: 'lit' },
      { name: 'X-Env', value_from_env: 'NH_T_SECRET' },
      { name: 'X-Tpl', value: 'Bearer {{NH_T_SECRET}}' },
    ])
    expect(inv.response).toMatchObject({
      type: 'webhook_response',
      version: '2',
      data: { status: 200, body: '{"ok": 1.50}' },
    })
    expect(inv.response.data.headers).toContainEqual({ name: 'X-Reply', value: 'yes' })
    // the handler did get the env values
    const got = hook.forTrigger(name)[0]!
    expect(got.headers['x-env']).toBe(SECRET_VALUE)
    expect(got.headers['x-tpl']).toBe(`Bearer ${SECRET_VALUE}`)
    // digits end to end: the body sent, the logged request payload, the event log
    expect(got.raw).toContain(`"big":${BIG}`)
    expect(got.raw).toContain(`"num":${NUMERIC}`)
    const invText = await rawText('pg_get_event_invocation_logs', { name })
    expect(invText).toContain(`"big":${BIG}`)
    expect(invText).toContain(`"num":${NUMERIC}`)
    expect(invText).not.toContain(SECRET_VALUE)
    const logText = await rawText('pg_get_event_logs', { name })
    expect(logText).toContain(`"big":${BIG}`)
    expect(logText).toContain(`"num":${NUMERIC}`)
    // UTC timestamps with a trailing Z in the API (the body sent keeps Hasura's zone-less created_at)
    const [ev] = (await api.ok('pg_get_event_logs', { name })) as any[]
    expect(ev.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/)
    expect(inv.created_at).toMatch(/Z$/)
    const byId = await api.ok('pg_get_event_by_id', { event_id: ev.id })
    expect(byId.event.created_at).toBe(ev.created_at)
    expect(byId.invocations[0].created_at).toMatch(/Z$/)
    expect((got.body as any).created_at).not.toMatch(/Z$/)
    expect(`${(got.body as any).created_at}Z`).toBe(ev.created_at)
  })

  it('records a non-2xx answer and a connection failure as client errors, Hasura shape', async () => {
    const failing = await trigger({ webhook: `${hook.url}/fail` })
    await api.sql(`INSERT INTO public.${failing.t} (big) VALUES (1)`)
    const [bad] = await invocations(failing.name)
    expect(bad.http_status).toBe(500)
    expect(bad.response).toEqual({
      type: 'client_error',
      data: { message: 'no thanks {"x": 1.50}' },
      version: '2',
    })

    const dead = await trigger({ webhook: deadUrl })
    await api.sql(`INSERT INTO public.${dead.t} (big) VALUES (1)`)
    const [inv] = await invocations(dead.name)
    expect(inv.http_status).toBeNull()
    expect(inv.response.type).toBe('client_error')
    expect(inv.response.version).toBe('2')
    // the message is the HttpException as JSON text, as Hasura's httpExceptionErrorEncoding writes it
    expect(typeof inv.response.data.message).toBe('string')
    const ex = JSON.parse(inv.response.data.message)
    expect(Object.keys(ex)).toEqual(['message', 'request', 'type'])
    expect(ex.type).toBe('http_exception')
    expect(ex.message).toMatch(/^Connection failure: /)
    expect(ex.request).toMatchObject({
      host: '127.0.0.1',
      method: 'POST',
      path: '/dead',
      queryString: '?q=1',
      secure: false,
      responseTimeout: 'ResponseTimeoutMicro 60000000',
    })
    // env-sourced header values are redacted like Hasura redacts Authorization
    expect(ex.request.requestHeaders).toMatchObject({
      'X-Lit': 'lit',
      'X-Env': '<REDACTED>',
      'X-Tpl': '<REDACTED>',
    })
    expect(JSON.stringify(inv)).not.toContain(SECRET_VALUE)
  })

  it('never writes an env-resolved URL: invalid_url with the reason only, a redacted request', async () => {
    const bad = await trigger({ webhook_from_env: 'NH_T_BAD_URL' })
    await api.sql(`INSERT INTO public.${bad.t} (big) VALUES (1)`)
    const [inv] = await invocations(bad.name)
    expect(inv.http_status).toBeNull()
    expect(inv.response.data.message).toBe('{"message":"Invalid URL","type":"invalid_url"}')

    const dead = await trigger({ webhook_from_env: 'NH_T_DEAD_URL' })
    await api.sql(`INSERT INTO public.${dead.t} (big) VALUES (1)`)
    const [d] = await invocations(dead.name)
    const ex = JSON.parse(d.response.data.message)
    expect(ex.request).toMatchObject({ host: '<REDACTED>', path: '<REDACTED>', queryString: '<REDACTED>' })

    for (const name of [bad.name, dead.name]) {
      const text = await rawText('pg_get_event_invocation_logs', { name })
      expect(text).not.toContain('s3cr3t')
      expect(text).not.toContain(deadUrl)
    }
    expect(lines.join('\n')).not.toContain('s3cr3t')
    expect(lines.join('\n')).not.toContain('/dead?q=1')
  })

  it('stores a MANUAL event with the caller trace context, and its digits as sent', async () => {
    const { name } = await trigger({ webhook: `${hook.url}/ok` })
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    const callerSpan = '00f067aa0ba902b7'
    // the payload goes as text: JSON.stringify would round the digits before they are sent
    const invoke = (headers: Record<string, string>) =>
      api.post(
        '/v1/metadata',
        `{"type":"pg_invoke_event_trigger","args":{"name":"${name}","payload":{"big":${BIG},"num":${NUMERIC}}}}`,
        headers,
      )
    const w3c = await invoke({ traceparent: `00-${traceId}-${callerSpan}-01` })
    const b3 = await invoke({
      'X-B3-TraceId': 'a3ce929d0e0e4736',
      'X-B3-SpanId': callerSpan,
      'X-B3-Sampled': '0',
    })
    const none = await invoke({})
    const payloadOf = async (id: string) => {
      const text = await rawText('pg_get_event_by_id', { event_id: id })
      return { text, ev: JSON.parse(text).event.payload }
    }
    const a = await payloadOf(w3c.body.event_id)
    expect(a.ev.op).toBe('MANUAL')
    expect(a.ev.trace_context).toEqual({
      sampling_state: '1',
      span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
      trace_id: traceId,
    })
    // a span of its own, child of the caller's
    expect(a.ev.trace_context.span_id).not.toBe(callerSpan)
    expect(a.text).toContain(`"big":${BIG}`)
    expect(a.text).toContain(`"num":${NUMERIC}`)
    const b = await payloadOf(b3.body.event_id)
    expect(b.ev.trace_context).toMatchObject({
      sampling_state: '0',
      trace_id: `0000000000000000a3ce929d0e0e4736`,
    })
    const c = await payloadOf(none.body.event_id)
    expect(c.ev.trace_context).toEqual({
      sampling_state: '1',
      span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
      trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
    })
    // the delivered body carries the digits too
    const got = await waitFor(() =>
      hook.forTrigger(name).find((r) => (r.body as any).id === w3c.body.event_id),
    )
    expect(got.raw).toContain(`"big":${BIG}`)
    expect(got.raw).toContain(`"num":${NUMERIC}`)
    expect(got.raw).toContain(`"trace_id":"${traceId}"`)
  })

  it('keeps the trace context null for a row changed outside Hasura', async () => {
    const { t, name } = await trigger({ webhook: `${hook.url}/ok` })
    await api.sql(`INSERT INTO public.${t} (big) VALUES (1)`)
    const [ev] = await waitFor(async () => {
      const r = (await api.ok('pg_get_event_logs', { name })) as any[]
      return r.length > 0 ? r : undefined
    })
    expect(ev.payload.trace_context).toBeNull()
  })

  it('logs scheduled events with version "1", their digits, and Z timestamps', async () => {
    const when = new Date(Date.now() - 1000).toISOString()
    const created = await api.post(
      '/v1/metadata',
      `{"type":"create_scheduled_event","args":{"webhook":"${hook.url}/sched","schedule_at":"${when}","payload":{"big":${BIG},"num":${NUMERIC}},"headers":[{"name":"X-Env","value_from_env":"NH_T_SECRET"}]}}`,
    )
    expect(created.status).toBe(200)
    const id = created.body.event_id
    const got = await waitFor(() => hook.requests.find((r) => (r.body as any)?.id === id))
    expect(got.raw).toContain(`"big":${BIG}`)
    expect(got.raw).toContain(`"num":${NUMERIC}`)
    const text = await waitFor(async () => {
      const t = await rawText('get_scheduled_event_invocations', { type: 'one_off', event_id: id })
      return JSON.parse(t).invocations.length > 0 ? t : undefined
    })
    expect(text).toContain(`"big":${BIG}`)
    expect(text).toContain(`"num":${NUMERIC}`)
    expect(text).not.toContain(SECRET_VALUE)
    const inv = JSON.parse(text).invocations[0]
    expect(inv.request.version).toBe('1')
    expect(inv.request.headers).toContainEqual({ name: 'X-Env', value_from_env: 'NH_T_SECRET' })
    expect(inv.response).toMatchObject({
      type: 'webhook_response',
      version: '1',
      data: { body: '{"ok": 1.50}' },
    })
    expect(inv.created_at).toMatch(/Z$/)
    const events = await rawText('get_scheduled_events', { type: 'one_off' })
    expect(events).toContain(`"big":${BIG}`)
    const ev = JSON.parse(events).events.find((e: any) => e.id === id)
    expect(ev.scheduled_time).toMatch(/Z$/)
    expect(ev.created_at).toMatch(/\.\d+Z$|:\d{2}Z$/)
  })
})
