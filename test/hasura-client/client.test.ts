import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import { connectHasura, HasuraClient } from '../../src/hasura/client.js'
import {
  HasuraAuthError,
  HasuraConflictError,
  HasuraError,
  HasuraUnreachableError,
} from '../../src/hasura/errors.js'

const SECRET = 's3cr3t-admin-value'

type Handler = (body: any, req: http.IncomingMessage, n: number) => { status: number; body: string } | 'hang'

const servers: http.Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections()
    await new Promise((r) => s.close(r))
  }
})

async function serve(
  handler: Handler,
): Promise<{ url: string; bodies: any[]; headers: http.IncomingHttpHeaders[] }> {
  const bodies: any[] = []
  const headers: http.IncomingHttpHeaders[] = []
  const server = http.createServer((req, res) => {
    let text = ''
    req.on('data', (c) => {
      text += c
    })
    req.on('end', () => {
      const body = text ? JSON.parse(text) : undefined
      bodies.push(body)
      headers.push(req.headers)
      const r = handler(body, req, bodies.length)
      if (r === 'hang') return
      res.writeHead(r.status, { 'content-type': 'application/json' })
      res.end(r.body)
    })
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, headers }
}

function client(url: string, extra: Partial<ConstructorParameters<typeof HasuraClient>[0]> = {}) {
  return new HasuraClient({
    endpoint: url,
    adminSecret: SECRET,
    adminSecretEnv: 'HASURA_GRAPHQL_ADMIN_SECRET',
    backoffMs: 5,
    ...extra,
  })
}

async function caught(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a rejection')
}

describe('HasuraClient', () => {
  it('sends the metadata request with the admin secret header and validates the answer', async () => {
    const s = await serve(() => ({
      status: 200,
      body: JSON.stringify({ resource_version: 7, metadata: { version: 3 } }),
    }))
    const out = await client(`${s.url}/`).exportMetadata()
    expect(out).toEqual({ resource_version: 7, metadata: { version: 3 } })
    expect(s.bodies[0]).toEqual({ type: 'export_metadata', version: 2, args: {} })
    expect(s.headers[0]?.['x-hasura-admin-secret']).toBe(SECRET)
  })

  it('sends resource_version and strict replace_metadata', async () => {
    const s = await serve(() => ({ status: 200, body: '{"is_consistent":true,"inconsistent_objects":[]}' }))
    await client(s.url).replaceMetadata({ version: 3 }, { resourceVersion: 4 })
    expect(s.bodies[0]).toEqual({
      type: 'replace_metadata',
      version: 2,
      resource_version: 4,
      args: { metadata: { version: 3 }, allow_inconsistent_metadata: false },
    })
  })

  it('a rejected secret names the env it came from, never the value', async () => {
    const s = await serve(() => ({
      status: 401,
      body: JSON.stringify({
        error: 'invalid x-hasura-admin-secret/x-hasura-access-key',
        path: '$',
        code: 'access-denied',
      }),
    }))
    const lines: string[] = []
    const err = await caught(client(s.url, { log: (l) => lines.push(l) }).exportMetadata())
    expect(err).toBeInstanceOf(HasuraAuthError)
    expect(err.message).toContain('rejected the admin secret from HASURA_GRAPHQL_ADMIN_SECRET')
    expect((err as UserError).hint).toContain('HASURA_GRAPHQL_ADMIN_SECRET')
    const all = [err.message, (err as UserError).hint, ...lines].join('\n')
    expect(all).not.toContain(SECRET)
    expect(s.bodies).toHaveLength(1) // auth failures are not retried
  })

  it('redacts the secret even when the server echoes it back', async () => {
    const s = await serve(() => ({
      status: 400,
      body: JSON.stringify({ error: `bad value ${SECRET}`, path: '$.args', code: 'parse-failed' }),
    }))
    const err = await caught(client(s.url).pgCreateEventTrigger({ name: 'x' }))
    expect(err).toBeInstanceOf(HasuraError)
    expect(err.message).toBe(
      'Hasura refused pg_create_event_trigger: bad value *** (at $.args) [parse-failed]',
    )
  })

  it('connection refused: says which endpoint and how to start one, after bounded retries', async () => {
    const s = await serve(() => ({ status: 200, body: '{}' }))
    const url = s.url
    const server = servers.pop()!
    await new Promise((r) => server.close(r))
    const c = client(url, { retries: 2 })
    const err = await caught(c.exportMetadata())
    expect(err).toBeInstanceOf(HasuraUnreachableError)
    expect(err.message).toBe(`cannot reach Hasura at ${url}: connection refused`)
    expect((err as UserError).hint).toMatch(/nself-hooks dev.*nself start/)
    expect(c.requestCount).toBe(3)
  })

  it('409 becomes a conflict error', async () => {
    const s = await serve(() => ({
      status: 409,
      body: JSON.stringify({
        error: 'metadata resource version referenced (3) did not match current version',
        path: '$',
        code: 'conflict',
      }),
    }))
    const err = await caught(client(s.url).replaceMetadata({ version: 3 }, { resourceVersion: 3 }))
    expect(err).toBeInstanceOf(HasuraConflictError)
    expect(err.message).toContain('did not match current version')
  })

  it('retries reads on 503 and timeouts, never a write that may have happened', async () => {
    const s = await serve((_b, _r, n) =>
      n === 1
        ? { status: 503, body: '{"error":"busy","code":"unexpected"}' }
        : n === 2
          ? 'hang'
          : { status: 200, body: '{"cron_triggers":[]}' },
    )
    const c = client(s.url, { timeoutMs: 200 })
    expect(await c.getCronTriggers()).toEqual([])
    expect(s.bodies).toHaveLength(3)

    const w = await serve(() => 'hang')
    const cw = client(w.url, { timeoutMs: 150 })
    const err = await caught(cw.pgCreateEventTrigger({ name: 'x' }))
    expect(err).toBeInstanceOf(HasuraUnreachableError)
    expect(err.message).toMatch(/did not answer pg_create_event_trigger within/)
    expect(w.bodies).toHaveLength(1)
  })

  it('an answer of the wrong shape is an error, not a crash later', async () => {
    const s = await serve(() => ({ status: 200, body: '{"metadata":{}}' }))
    const err = await caught(client(s.url).exportMetadata())
    expect(err).toBeInstanceOf(HasuraError)
    expect(err.message).toMatch(/unexpected answer to export_metadata/)
  })

  it('a server that is not Hasura is named as such', async () => {
    const s = await serve(() => ({ status: 404, body: '<html>not found</html>' }))
    const err = await caught(client(s.url).exportMetadata())
    expect(err.message).toMatch(/not JSON: is it a Hasura server\?/)
  })

  it('runSql goes to /v2/query', async () => {
    let path = ''
    const s = await serve((_b, req) => {
      path = req.url ?? ''
      return { status: 200, body: '{"result_type":"TuplesOk","result":[["n"],["1"]]}' }
    })
    const r = await client(s.url).runSql('select 1 as n', { readOnly: true })
    expect(path).toBe('/v2/query')
    expect(s.bodies[0]).toEqual({
      type: 'run_sql',
      args: { source: 'default', sql: 'select 1 as n', read_only: true },
    })
    expect(r.result).toEqual([['n'], ['1']])
  })

  it('verbose logging shows requests, never the secret', async () => {
    const s = await serve(() => ({ status: 200, body: '{"is_consistent":true,"inconsistent_objects":[]}' }))
    const written: string[] = []
    const stderr = { write: (x: string) => written.push(x) } as unknown as NodeJS.WritableStream
    const c = connectHasura(
      {
        model: {
          hasura: { endpoint: s.url, adminSecretEnv: 'MY_SECRET', metadataDir: '/x', source: 'default' },
        } as any,
        env: { values: { MY_SECRET: SECRET } },
      },
      { verbose: true, stderr: stderr as any },
    )
    await c.getInconsistentMetadata()
    expect(written.join('')).toMatch(/get_inconsistent_metadata/)
    expect(written.join('')).not.toContain(SECRET)
  })

  it('a missing admin secret env is a UserError naming the env', () => {
    const make = () =>
      connectHasura(
        {
          model: {
            hasura: {
              endpoint: 'http://x',
              adminSecretEnv: 'MY_SECRET',
              metadataDir: '/x',
              source: 'default',
            },
          } as any,
          env: { values: {} },
        },
        { verbose: false, stderr: process.stderr },
      )
    expect(make).toThrow(UserError)
    expect(make).toThrow('the admin secret env MY_SECRET is not set')
  })

  it('credentials in the endpoint URL are refused, and never printed back', () => {
    const make = () =>
      connectHasura(
        {
          model: {
            hasura: {
              endpoint: 'http://u:pw123@127.0.0.1:9',
              adminSecretEnv: 'S',
              metadataDir: '/x',
              source: 'default',
            },
          } as any,
          env: { values: { S: 'x' } },
        },
        { verbose: false, stderr: process.stderr },
      )
    expect(make).toThrow('the Hasura endpoint http://***:***@127.0.0.1:9 has credentials in it')
    try {
      make()
    } catch (err) {
      expect(`${(err as UserError).message} ${(err as UserError).hint}`).not.toContain('pw123')
    }
  })
})
