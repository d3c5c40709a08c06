import { afterEach, describe, expect, test } from 'vitest'
import { runCli, startCli } from '../helpers/cli.js'
import { client } from '../helpers/engine.js'
import { startHandler } from '../helpers/http.js'
import { config, testdir } from '../helpers/project.js'
import { waitFor } from '../helpers/wait.js'

const SECRET = 'prefix-secret'
const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f()
})

describe('event ids as unique prefixes', () => {
  test('events show and replay take a prefix of 6+ characters; an ambiguous one lists the candidates', async () => {
    const h = await startHandler()
    cleanup.push(() => h.close())
    const dir = testdir({
      '.env': `HASURA_GRAPHQL_ADMIN_SECRET=${SECRET}\nCS_1=hooks:express-ts:${h.port}:/webhooks\n`,
      'schema.sql': 'CREATE TABLE items (id bigint PRIMARY KEY);\n',
      'webhooks.config.ts': config(`{
  service: 'hooks',
  triggers: { item_created: { table: 'items', on: { insert: true }, handler: 'item-created' } },
}`),
    })
    const d = startCli(['dev', '--port', '0', '--sql', 'schema.sql', '--sync', '--quiet'], dir)
    cleanup.push(() => d.stop())
    await d.waitFor(/Press Ctrl\+C/)
    const url = d.out().match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)![1]!
    // two stored events whose ids share the prefix abcdef
    const payload = `'{"op":"INSERT","data":{"old":null,"new":{"id":7}},"session_variables":null,"trace_context":null}'`
    await client(
      url,
      SECRET,
    ).sql(`INSERT INTO hdb_catalog.event_log (id, schema_name, table_name, trigger_name, payload)
       VALUES ('abcdef01-0000-4000-8000-000000000001', 'public', 'items', 'item_created', ${payload}),
              ('abcdef02-0000-4000-8000-000000000002', 'public', 'items', 'item_created', ${payload})`)
    await waitFor(() => (h.requests.length >= 2 ? true : undefined), 'both deliveries', 10_000)
    const env = { HASURA_GRAPHQL_ENDPOINT: url }

    const shown = await runCli(['events', 'show', 'ABCDEF02'], { cwd: dir, env })
    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain('abcdef02-0000-4000-8000-000000000002')

    const ambiguous = await runCli(['replay', 'abcdef'], { cwd: dir, env })
    expect(ambiguous.code).toBe(1)
    expect(ambiguous.stderr).toContain('event id prefix "abcdef" matches 2 events')
    expect(ambiguous.stderr).toContain('abcdef01-0000-4000-8000-000000000001')
    expect(ambiguous.stderr).toContain('abcdef02-0000-4000-8000-000000000002')

    const short = await runCli(['events', 'show', 'abcde'], { cwd: dir, env })
    expect(short.code).toBe(1)
    expect(short.stderr).toContain('too short: give at least 6 characters')

    const replayed = await runCli(['replay', 'abcdef01', '--wait', '--timeout', '20'], { cwd: dir, env })
    expect(replayed.code).toBe(0)
    await waitFor(() => (h.requests.length >= 3 ? true : undefined), 'the redelivery', 10_000)
    expect(JSON.parse(h.requests[2]!.raw).id).toBe('abcdef01-0000-4000-8000-000000000001')

    const none = await runCli(['events', 'show', 'ffffff'], { cwd: dir, env })
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('no event with id ffffff')
  })
})
