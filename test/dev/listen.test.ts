import { parse } from 'lossless-json'
import { afterEach, describe, expect, test } from 'vitest'
import { startCli } from '../helpers/cli.js'
import { client } from '../helpers/engine.js'
import { startHandler } from '../helpers/http.js'
import { config, testdir } from '../helpers/project.js'
import { waitFor } from '../helpers/wait.js'

const SECRET = 'listen-secret-$`"x'

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f()
})

describe('nself-hooks listen', () => {
  test('forwards each new event from an engine to a local handler with the body the engine itself sends, digits and all; it never changes the server', async () => {
    const viaEngine = await startHandler()
    const viaListen = await startHandler()
    cleanup.push(
      () => viaEngine.close(),
      () => viaListen.close(),
    )
    const dir = testdir({
      '.env': `HASURA_GRAPHQL_ADMIN_SECRET=${SECRET}\nCS_1=hooks:express-ts:${viaEngine.port}:/webhooks\nHOOK_TOKEN=t0ken\n`,
      'schema.sql': 'CREATE TABLE items (id bigint PRIMARY KEY, price numeric, label text);\n',
      'webhooks.config.ts': config(`{
  service: 'hooks',
  defaults: { headers: { 'X-Token': { fromEnv: 'HOOK_TOKEN' } } },
  triggers: {
    item_created: { table: 'items', on: { insert: true }, handler: 'item-created' },
  },
}`),
    })
    const d = startCli(['dev', '--port', '0', '--sql', 'schema.sql', '--sync', '--quiet'], dir)
    cleanup.push(() => d.stop())
    await d.waitFor(/Press Ctrl\+C/)
    const url = d.out().match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)![1]!
    // an event from before listen started is not forwarded
    await client(url, SECRET).sql(`INSERT INTO items VALUES (1, 1, 'old')`)
    await waitFor(() => viaEngine.requests[0], 'the first delivery', 10_000)
    const before = await client(url, SECRET).ok('export_metadata', {})

    const l = startCli(['listen', '--endpoint', url, '--forward-to', `127.0.0.1:${viaListen.port}`], dir)
    cleanup.push(() => l.stop())
    await l.waitFor(/Press Ctrl\+C to stop/)
    expect(l.out()).toContain(`item_created → http://127.0.0.1:${viaListen.port}/webhooks/item-created`)
    await client(url, SECRET).sql(
      `INSERT INTO items VALUES (9007199254740993, 1.10000000000000000001, 'tab\there "q" \\u001b[2J')`,
    )
    const mine = await waitFor(() => viaListen.requests[0], 'the event through listen', 10_000)
    const engines = await waitFor(() => viaEngine.requests[1], 'the engine delivery', 10_000)
    expect(mine.raw).toContain('"id":9007199254740993')
    expect(mine.raw).toContain('1.10000000000000000001')
    // the same body as the engine's own delivery, every number's text kept (key order aside:
    // src/events/payload.ts and the engine order created_at differently)
    expect(parse(mine.raw)).toEqual(parse(engines.raw))
    expect(mine.path).toBe('/webhooks/item-created')
    expect(mine.headers['x-token']).toBe('t0ken')
    await l.waitFor(/item_created INSERT [0-9a-f]{8} 200 \d+ms \{"ok":true\}/)
    expect(viaListen.requests).toHaveLength(1)
    const r = await l.stop()
    expect(r.exitCode).toBe(0)
    expect(l.out()).toContain('stopped')
    expect(l.out() + l.err()).not.toContain('t0ken')
    const after = await client(url, SECRET).ok('export_metadata', {})
    expect(after).toEqual(before)
  })

  test('an unknown trigger: exit 1 naming the triggers', async () => {
    const dir = testdir({
      '.env': 'HASURA_GRAPHQL_ADMIN_SECRET=x\nCS_1=hooks:express-ts:3001\n',
      'webhooks.config.ts': config(`{
  service: 'hooks',
  triggers: { item_created: { table: 'items', on: { insert: true }, handler: 'item-created' } },
}`),
    })
    const r = await startCli(['listen', '--trigger', 'nope', '--forward-to', 'localhost:1'], dir).done
    expect(r.exitCode).toBe(1)
    expect(String(r.stderr)).toContain('no event trigger "nope" in the config')
    expect(String(r.stderr)).toContain('triggers: item_created')
  })
})
