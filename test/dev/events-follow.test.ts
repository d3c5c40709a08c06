import { afterEach, describe, expect, test } from 'vitest'
import { runCli, startCli } from '../helpers/cli.js'
import { client } from '../helpers/engine.js'
import { startHandler } from '../helpers/http.js'
import { config, testdir } from '../helpers/project.js'
import { waitFor } from '../helpers/wait.js'

const SECRET = 'follow-secret'
const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f()
})

describe('events without a trigger, and --follow', () => {
  test('lists every managed trigger newest first; --follow prints an event inserted after it started', async () => {
    const h = await startHandler()
    cleanup.push(() => h.close())
    const dir = testdir({
      '.env': `HASURA_GRAPHQL_ADMIN_SECRET=${SECRET}\nCS_1=hooks:express-ts:${h.port}:/webhooks\n`,
      'schema.sql':
        'CREATE TABLE items (id bigint PRIMARY KEY);\nCREATE TABLE notes (id bigint PRIMARY KEY);\n',
      'webhooks.config.ts': config(`{
  service: 'hooks',
  triggers: {
    item_created: { table: 'items', on: { insert: true }, handler: 'item-created' },
    note_added: { table: 'notes', on: { insert: true }, handler: 'note-added' },
  },
}`),
    })
    const d = startCli(['dev', '--port', '0', '--sql', 'schema.sql', '--sync', '--quiet'], dir)
    cleanup.push(() => d.stop())
    await d.waitFor(/Press Ctrl\+C/)
    const url = d.out().match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)![1]!
    const env = { HASURA_GRAPHQL_ENDPOINT: url }
    await client(url, SECRET).sql('INSERT INTO items VALUES (1)')
    await waitFor(() => h.requests[0], 'first delivery', 10_000)
    await new Promise((r) => setTimeout(r, 50))
    await client(url, SECRET).sql('INSERT INTO notes VALUES (2)')
    await waitFor(() => h.requests[1], 'second delivery', 10_000)

    const all = await runCli(['events'], { cwd: dir, env })
    expect(all.code).toBe(0)
    const lines = all.stdout.trim().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/ note_added {2}INSERT {2}[0-9a-f-]{36} {2}delivered {2}1 attempt$/)
    expect(lines[1]).toMatch(/ item_created {2}INSERT /)

    const f = startCli(['events', '--follow'], dir, env)
    cleanup.push(() => f.stop())
    await f.waitFor(/following item_created, note_added; Ctrl\+C stops/)
    const before = f.out()
    await client(url, SECRET).sql('INSERT INTO notes VALUES (3)')
    await f.waitFor(/note_added {2}INSERT {2}[0-9a-f-]{36} {2}(pending|delivered)/, 10_000)
    // only the new event was added after the start
    expect(f.out().slice(before.length).trim().split('\n')).toHaveLength(1)
    const r = await f.stop()
    expect(r.exitCode).toBe(0)
  })
})
