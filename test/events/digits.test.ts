import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventsShow } from '../../src/commands/events.js'
import { replay } from '../../src/commands/replay.js'
import { send } from '../../src/commands/send.js'
import { type Engine, type EngineOptions, startEngine } from '../../src/engine/index.js'
import { UserError } from '../../src/errors.js'
import { parseExact } from '../../src/output/exact-json.js'
import { captureContext } from '../helpers/cli.js'
import { backends, client } from '../helpers/engine.js'
import { startHandler } from '../helpers/http.js'
import { projectDir } from '../helpers/project.js'
import { waitFor } from '../helpers/wait.js'

/**
 * int8 and numeric values keep their digits through the CLI: `events show` (text and --json),
 * `replay --to` and `send` never pass a payload value through a JavaScript number
 * (docs/hasura-compatibility.md "Digits").
 */

const ADMIN = 'adm1n-digits'
const BIG = '9007199254740993'
const NUMERIC = '12345678901234567890.123456789'

for (const backend of backends) {
  describe.skipIf(backend.skip !== undefined)(`digits through the CLI (${backend.name})`, () => {
    let engine: Engine
    let drop: () => Promise<void>
    let dir: string
    const raws: { path: string; raw: string }[] = []
    let handler: Awaited<ReturnType<typeof startHandler>>
    const run = async (fn: (o: any, c: any) => Promise<number>, opts: Record<string, unknown>) => {
      const cap = captureContext(dir)
      try {
        return { code: await fn(opts, cap.ctx), out: cap.out }
      } catch (err) {
        return { code: err instanceof UserError ? err.exitCode : 99, out: cap.out + String(err) }
      }
    }

    beforeAll(async () => {
      const b = await backend.fresh()
      drop = b.cleanup
      handler = await startHandler(() => ({ status: 200 }))
      // the raw text of every request: the recorded body is JSON.parse'd, which would round
      const { default: http } = await import('node:http')
      const raw = http.createServer((req, res) => {
        const chunks: Buffer[] = []
        req.on('data', (c: Buffer) => chunks.push(c))
        req.on('end', () => {
          raws.push({ path: req.url ?? '/', raw: Buffer.concat(chunks).toString('utf8') })
          res.writeHead(200, { 'Content-Type': 'application/json' })
          res.end('{"ok":true}')
        })
      })
      await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()))
      const rawUrl = `http://127.0.0.1:${(raw.address() as { port: number }).port}`
      afterAll(() => new Promise<void>((r) => raw.close(() => r())))
      engine = await startEngine({ ...b.opts, port: 0, adminSecret: ADMIN, pollIntervalMs: 50 })
      await client(engine.url, ADMIN).sql(
        'CREATE TABLE public.ledger (id serial PRIMARY KEY, big int8, num numeric)',
      )
      await client(engine.url, ADMIN).ok('pg_track_table', {
        source: 'default',
        table: { schema: 'public', name: 'ledger' },
      })
      await client(engine.url, ADMIN).ok('pg_create_event_trigger', {
        name: 'ledger_changed',
        source: 'default',
        table: { schema: 'public', name: 'ledger' },
        insert: { columns: '*' },
        webhook: `${rawUrl}/hook`,
      })
      dir = projectDir(
        {
          hasura: { endpoint: engine.url },
          triggers: {
            ledger_changed: { table: 'ledger', on: { insert: true }, webhook: `${rawUrl}/hook` },
          },
        },
        { HASURA_GRAPHQL_ADMIN_SECRET: ADMIN },
      )
      await client(engine.url, ADMIN).sql(`INSERT INTO public.ledger (big, num) VALUES (${BIG}, ${NUMERIC})`)
      await waitFor(async () => raws.some((r) => r.path === '/hook'), 'the delivery')
      // and its invocation log written
      await waitFor(
        async () =>
          (await engine.query(`SELECT 1 FROM hdb_catalog.event_log WHERE delivered`)).rows.length === 1,
        'the event to be delivered',
      )
      ;(globalThis as any).__rawUrl = rawUrl
    })

    afterAll(async () => {
      await engine?.stop()
      await handler?.close()
      await drop?.()
    })

    const eventId = async () =>
      (await engine.query(`SELECT id FROM hdb_catalog.event_log WHERE trigger_name = 'ledger_changed'`))
        .rows[0].id as string

    it('events show prints the stored digits, as text and as --json', async () => {
      const id = await eventId()
      const text = await run(eventsShow, { eventId: id })
      expect(text.code).toBe(0)
      expect(text.out).toContain(`"big": ${BIG}`)
      expect(text.out).toContain(`"num": ${NUMERIC}`)
      expect(text.out).not.toContain('9007199254740992')
      const json = await run(eventsShow, { eventId: id, json: true })
      expect(json.code).toBe(0)
      expect(json.out).toContain(`"big": ${BIG}`)
      expect(json.out).toContain(`"num": ${NUMERIC}`)
      // the invocation's request payload too
      expect(json.out.split(`"big": ${BIG}`).length).toBeGreaterThanOrEqual(3)
    })

    it('replay --to posts the body with the digits the engine sent', async () => {
      const id = await eventId()
      const original = raws.find((r) => r.path === '/hook')!.raw
      const r = await run(replay, { eventId: id, to: `${(globalThis as any).__rawUrl}/local` })
      expect(r.code).toBe(0)
      const replayed = raws.find((x) => x.path === '/local')!.raw
      expect(replayed).toContain(`"big":${BIG}`)
      expect(replayed).toContain(`"num":${NUMERIC}`)
      // the body the engine sent, every value and digit (read back without rounding)
      expect(parseExact(replayed)).toEqual(parseExact(original))
    })

    it('send posts the digits given on the command line', async () => {
      const r = await run(send, {
        trigger: 'ledger_changed',
        to: `${(globalThis as any).__rawUrl}/send`,
        new: `{"id":1,"big":${BIG},"num":${NUMERIC}}`,
      })
      expect(r.code).toBe(0)
      const got = raws.find((x) => x.path === '/send')!.raw
      expect(got).toContain(`"big":${BIG}`)
      expect(got).toContain(`"num":${NUMERIC}`)
    })
  })
}
