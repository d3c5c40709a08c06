import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Model } from '../../src/model/types.js'
import { waitFor } from '../engine/helpers.js'
import {
  checkBodyLimit,
  checkDirect,
  checkHasuraDelivery,
  checkHostileService,
  checkOutcomes,
  type Service,
  scaffoldFixture,
  startService,
} from './e2e.js'
import { HOSTILE_HEADER, HOSTILE_TEXT, scaffoldHostile } from './hostile.js'

/** Debian's python3 with python3-flask (Werkzeug is its WSGI server) and python3-pydantic. */
const PYTHON = '/usr/bin/python3'
const pythonMissing = await (async () => {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`
  const r = await execa(PYTHON, ['-c', 'import flask, werkzeug, pydantic'], { reject: false })
  return r.exitCode === 0
    ? undefined
    : `${PYTHON} lacks flask/pydantic: apt-get install -y python3-flask python3-pydantic`
})()
if (pythonMissing && process.env.CI) throw new Error(pythonMissing)

/** The user's own handler logic, a plain function as Flask views are. */
const USER_UPDATED = `from webhooks._generated.payloads import UserUpdatedUpdate
from webhooks._generated.runtime import EventContext, Outcome, fail, retry, retry_after


def on_update(event: UserUpdatedUpdate, ctx: EventContext) -> Outcome:
    if ctx.attempt == 1:
        return retry_after(1, "downstream busy")
    if ctx.attempt <= 3:
        return retry("still busy")
    return fail(f"cannot sync {event.data.new.email}")
`

/** main.py's app served by Werkzeug's threaded WSGI server on $PORT (what `python main.py` runs). */
const SERVE = ['main.py']
const ENV = { PYTHONDONTWRITEBYTECODE: '1' }

describe.skipIf(pythonMissing)('flask service: scaffolded, imported and served by Werkzeug', () => {
  let dir: string
  let model: Model
  let service: Service | undefined

  beforeAll(async () => {
    ;({ dir, model } = await scaffoldFixture('flask'))
    writeFileSync(join(dir, 'webhooks/handlers/user_updated.py'), USER_UPDATED)
  }, 120_000)
  afterAll(async () => {
    await service?.stop()
  })

  it('imports cleanly through create_app and registers every route on the Blueprint', async () => {
    const r = await execa(
      PYTHON,
      [
        '-c',
        'import main; app = main.create_app(); print("\\n".join(sorted(f"{sorted(r.methods - {\'HEAD\', \'OPTIONS\'})[0]} {r.rule}" for r in app.url_map.iter_rules() if r.endpoint != "static")))',
      ],
      { cwd: dir, env: ENV },
    )
    expect(r.stdout.split('\n')).toEqual([
      'GET /health',
      'POST /webhooks/external/github',
      'POST /webhooks/external/stripe',
      'POST /webhooks/scheduled/daily-report',
      'POST /webhooks/user-created',
      'POST /webhooks/user-updated',
    ])
  })

  it('runs the scaffolded handler tests with unittest through the test client', async () => {
    const r = await execa(PYTHON, ['-m', 'unittest', 'discover', '-s', 'webhooks/handlers', '-t', '.'], {
      cwd: dir,
      env: ENV,
      reject: false,
    })
    expect(r.exitCode, r.stderr).toBe(0)
    // user-created and user-updated: wrong secret, bad JSON, wrong shape; the cron the same; two externals: unsigned
    expect(r.stderr).toMatch(/Ran 14 tests/)
    expect(r.stderr).toMatch(/\nOK\n?$/)
  }, 60_000)

  it('flask --debug run serves the app and reloads it when a file changes', async () => {
    const s = await startService(
      PYTHON,
      ['-m', 'flask', '--app', 'main', '--debug', 'run', '-p', '$PORT'],
      dir,
      ENV,
    )
    const main = join(dir, 'main.py')
    const text = readFileSync(main, 'utf8')
    try {
      writeFileSync(main, text.replace('"status": "ok"', '"status": "changed"'))
      await waitFor(
        async () => {
          const health = await fetch(`${s.url}/health`)
            .then((r) => r.json() as Promise<{ status?: string }>)
            .catch(() => ({ status: undefined }))
          return health.status === 'changed'
        },
        'the debug server serving the changed app',
        30_000,
      )
    } finally {
      writeFileSync(main, text)
      await s.stop()
    }
  }, 120_000)

  it('serves an event the engine posts after a row insert; a wrong secret gets 401 and is retried', async () => {
    service = await startService(PYTHON, SERVE, dir, ENV)
    await checkHasuraDelivery(model, service)
  }, 120_000)

  it('maps retry_after to 503 + Retry-After, backs off exponentially, and a permanent failure to 200 {ok:false}', async () => {
    expect(service, 'service from the previous test').toBeDefined()
    await checkOutcomes(model, service!)
  }, 120_000)

  it('answers bad bodies 400, checks the secret, takes scheduled and replayed cron bodies, verifies Stripe and GitHub signatures', async () => {
    expect(service, 'service from an earlier test').toBeDefined()
    await checkDirect(service!)
  }, 60_000)

  it('answers a body over the limit with a JSON 413, dropping the body instead of keeping it', async () => {
    const s = await startService(PYTHON, SERVE, dir, ENV)
    try {
      await checkBodyLimit(s)
      expect(s.logs()).not.toMatch(/Traceback/)
    } finally {
      await s.stop()
    }
  }, 60_000)

  it('imports a service whose names, tables, columns and headers are hostile, which then serves them exactly', async () => {
    const hostile = await scaffoldHostile('flask', HOSTILE_TEXT)
    const s = await startService(PYTHON, SERVE, hostile, ENV)
    try {
      await checkHostileService(s, HOSTILE_TEXT.names, HOSTILE_HEADER, HOSTILE_TEXT.service)
      expect(s.logs()).not.toMatch(/Traceback/)
    } finally {
      await s.stop()
    }
  }, 120_000)
})
