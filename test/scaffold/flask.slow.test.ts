import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Model } from '../../src/model/types.js'
import { waitFor } from '../helpers/wait.js'
import {
  checkBodyLimit,
  checkDirect,
  checkHasuraDelivery,
  checkHostileService,
  checkOutcomes,
  checkProductionReadsNoFiles,
  PY_USER_UPDATED,
  runGeneratedTests,
  SERVICE_ENV,
  type Service,
  scaffoldFixture,
  startService,
} from './e2e.js'
import { HOSTILE_HEADER, HOSTILE_TEXT, scaffoldHostile } from './hostile.js'

/** Debian's python3 with python3-flask (Werkzeug is its WSGI server) and python3-pydantic. */
const PYTHON = '/usr/bin/python3'
const pythonMissing = await (async () => {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`
  const r = await execa(PYTHON, ['-c', 'import flask, werkzeug, pydantic, dotenv'], { reject: false })
  return r.exitCode === 0
    ? undefined
    : `${PYTHON} lacks flask/pydantic/dotenv: apt-get install -y python3-flask python3-pydantic python3-dotenv`
})()
if (pythonMissing && process.env.CI) throw new Error(pythonMissing)

/** main.py's app served by Werkzeug's threaded WSGI server on $PORT (what `python main.py` runs). */
const SERVE = ['main.py']
const ENV = { PYTHONDONTWRITEBYTECODE: '1' }

/** The scaffolded handler tests: a delivery, a wrong secret, bad JSON and a wrong shape for the two triggers and the cron; an unsigned delivery for the two externals. */
const GENERATED_TESTS = 14

describe.skipIf(pythonMissing)('flask service: scaffolded, imported and served by Werkzeug', () => {
  let dir: string
  let model: Model
  let service: Service | undefined

  beforeAll(async () => {
    ;({ dir, model } = await scaffoldFixture('flask'))
  }, 120_000)
  afterAll(async () => {
    await service?.stop()
  })

  it('passes the per-handler tests scaffold wrote (unittest through the Flask test client)', async () => {
    await runGeneratedTests(
      dir,
      [PYTHON, '-m', 'unittest', 'discover', '-s', 'webhooks/handlers', '-t', '.'],
      GENERATED_TESTS,
    )
    // the user's own handler logic replaces the scaffolded one from here on
    writeFileSync(join(dir, 'webhooks/handlers/user_updated.py'), PY_USER_UPDATED)
  }, 120_000)

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

  it('reads its secrets from the .env layers of the project: serves an event the engine posts after a row insert; a wrong secret gets 401 and is retried', async () => {
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

  it('takes its body limit from WEBHOOK_BODY_LIMIT and refuses to start on a value that is not a size', async () => {
    const s = await startService(PYTHON, SERVE, dir, { ...ENV, WEBHOOK_BODY_LIMIT: '1kb' })
    try {
      const res = await fetch(`${s.url}/webhooks/user-created`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Webhook-Secret': 'e2e-webhook-secret' },
        body: JSON.stringify({ pad: 'x'.repeat(2048) }),
      })
      expect(res.status).toBe(413)
      expect(await res.json()).toEqual({ ok: false, error: 'body is larger than 1kb' })
    } finally {
      await s.stop()
    }
    await expect(
      startService(PYTHON, SERVE, dir, { ...ENV, WEBHOOK_BODY_LIMIT: 'ten megabytes' }),
    ).rejects.toThrow(/WEBHOOK_BODY_LIMIT='ten megabytes' is not a size/)
  }, 60_000)

  it('reads no .env file in production (ENV=prod): the secret the layers hold is missing', async () => {
    const s = await startService(PYTHON, SERVE, dir, { ...ENV, ENV: 'prod' })
    try {
      await checkProductionReadsNoFiles(s)
    } finally {
      await s.stop()
    }
  }, 60_000)

  it('imports a service whose names, tables, columns and headers are hostile, which then serves them exactly', async () => {
    const hostile = await scaffoldHostile('flask', HOSTILE_TEXT)
    const s = await startService(PYTHON, SERVE, hostile, { ...SERVICE_ENV, ...ENV })
    try {
      await checkHostileService(s, HOSTILE_TEXT.names, HOSTILE_HEADER, HOSTILE_TEXT.service)
      expect(s.logs()).not.toMatch(/Traceback/)
    } finally {
      await s.stop()
    }
  }, 120_000)
})
