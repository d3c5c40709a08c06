import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scaffold } from '../../src/commands/scaffold.js'
import type { Model } from '../../src/model/types.js'
import { renderColumnsCache } from '../../src/scaffold/columns.js'
import { captureContext } from '../helpers/cli.js'
import { testdir } from '../helpers/project.js'
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

/** Debian's python3 with python3-fastapi, -uvicorn, -pydantic, -httpx (not the pyenv one on PATH). */
export const PYTHON = '/usr/bin/python3'
const pythonMissing = await (async () => {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`
  const r = await execa(PYTHON, ['-c', 'import fastapi, uvicorn, pydantic, httpx, dotenv'], { reject: false })
  return r.exitCode === 0
    ? undefined
    : `${PYTHON} lacks fastapi/uvicorn/pydantic: apt-get install -y python3-fastapi python3-uvicorn python3-pydantic python3-httpx python3-dotenv`
})()
if (pythonMissing && process.env.CI) throw new Error(pythonMissing)

describe.skipIf(pythonMissing)('fastapi service: scaffolded, imported and served by uvicorn', () => {
  let dir: string
  let model: Model
  let service: Service | undefined

  beforeAll(async () => {
    ;({ dir, model } = await scaffoldFixture('fastapi'))
  }, 120_000)
  afterAll(async () => {
    await service?.stop()
  })

  it('passes the per-handler tests scaffold wrote (python3 -m unittest: TestClient on the generated router)', async () => {
    // 5 handlers: a valid delivery and a wrong secret (or a foreign signature) each
    await runGeneratedTests(dir, [PYTHON, '-m', 'unittest'], 10)
    // the user's own handler logic replaces the scaffolded one from here on
    writeFileSync(join(dir, 'webhooks/handlers/user_updated.py'), PY_USER_UPDATED)
  }, 120_000)

  it('imports cleanly and registers every route on the APIRouter', async () => {
    const r = await execa(
      PYTHON,
      ['-c', 'import main; print("\\n".join(sorted(r.path for r in main.app.routes)))'],
      {
        cwd: dir,
      },
    )
    expect(r.stdout.split('\n')).toEqual(
      expect.arrayContaining([
        '/health',
        '/webhooks/user-created',
        '/webhooks/user-updated',
        '/webhooks/scheduled/daily-report',
        '/webhooks/external/stripe',
        '/webhooks/external/github',
      ]),
    )
  })

  it('reads its secrets from the .env layers of the project: serves an event the engine posts after a row insert; a wrong secret gets 401 and is retried', async () => {
    service = await startService(
      PYTHON,
      ['-m', 'uvicorn', 'main:app', '--host', '127.0.0.1', '--port', '$PORT'],
      dir,
    )
    await checkHasuraDelivery(model, service)
  }, 300_000)

  it('maps retry_after to 503 + Retry-After and a permanent failure to 200 {ok:false}', async () => {
    expect(service, 'service from the previous test').toBeDefined()
    await checkOutcomes(model, service!)
  }, 120_000)

  it('answers bad bodies 400, checks the secret and verifies Stripe and GitHub signatures', async () => {
    await checkDirect(service!)
  }, 60_000)

  it('answers a body over the limit with a JSON 413 instead of reading it all', async () => {
    expect(service, 'service from an earlier test').toBeDefined()
    await checkBodyLimit(service!)
  }, 60_000)

  it('takes its body limit from WEBHOOK_BODY_LIMIT and refuses to start on a value that is not a size', async () => {
    const uvicorn = ['-m', 'uvicorn', 'main:app', '--host', '127.0.0.1', '--port', '$PORT']
    const s = await startService(PYTHON, uvicorn, dir, {
      WEBHOOK_BODY_LIMIT: '1kb',
      PYTHONDONTWRITEBYTECODE: '1',
    })
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
      startService(PYTHON, uvicorn, dir, {
        WEBHOOK_BODY_LIMIT: 'ten megabytes',
        PYTHONDONTWRITEBYTECODE: '1',
      }),
    ).rejects.toThrow(/WEBHOOK_BODY_LIMIT='ten megabytes' is not a size/)
  }, 60_000)

  it('reads no .env file in production (ENV=prod): the secret the layers hold is missing', async () => {
    const s = await startService(
      PYTHON,
      ['-m', 'uvicorn', 'main:app', '--host', '127.0.0.1', '--port', '$PORT'],
      dir,
      { ENV: 'prod', PYTHONDONTWRITEBYTECODE: '1' },
    )
    try {
      await checkProductionReadsNoFiles(s)
    } finally {
      await s.stop()
    }
  }, 60_000)

  it('imports a service whose names, tables, columns and headers are hostile, which then serves them exactly', async () => {
    const hostile = await scaffoldHostile('fastapi', HOSTILE_TEXT)
    const s = await startService(
      PYTHON,
      ['-m', 'uvicorn', 'main:app', '--host', '127.0.0.1', '--port', '$PORT'],
      hostile,
      { ...SERVICE_ENV, PYTHONDONTWRITEBYTECODE: '1' },
    )
    try {
      await checkHostileService(s, HOSTILE_TEXT.names, HOSTILE_HEADER, HOSTILE_TEXT.service)
    } finally {
      await s.stop()
    }
  }, 120_000)

  it('models columns whose names are not Python names (keywords, BaseModel attributes, dashes) through aliases', async () => {
    const cols = [
      { name: 'class', type: 'text', nullable: false },
      { name: 'schema', type: 'text', nullable: true },
      { name: 'my-col', type: 'int4', nullable: false },
      { name: '1st', type: 'bool', nullable: false },
      { name: 'json', type: 'jsonb', nullable: true },
      { name: 'mood', type: 'mood', nullable: false, enum: ['happy', 'sad'] },
      { name: 'tags', type: '_text', nullable: false },
    ]
    const odd = testdir({
      'webhooks.config.ts': `import { defineConfig } from 'nself-hooks'
export default defineConfig({
  service: { name: 'odd', template: 'fastapi' },
  triggers: { odd_rows: { table: 'odd', on: { insert: true } , handler: 'odd' } },
})
`,
      'webhooks.columns.json': renderColumnsCache({ source: 'postgres', tables: { 'public.odd': cols } }),
    })
    expect(await scaffold({ all: true, initService: true }, captureContext(odd).ctx)).toBe(0)
    const row = {
      class: 'a',
      schema: null,
      'my-col': 3,
      '1st': true,
      json: { x: [1] },
      mood: 'sad',
      tags: ['t'],
    }
    const event = {
      id: 'e1',
      created_at: '2026-11-28T09:00:00.123456',
      table: { schema: 'public', name: 'odd' },
      trigger: { name: 'odd_rows' },
      event: { op: 'INSERT', data: { old: null, new: row }, session_variables: null, trace_context: null },
      delivery_info: { current_retry: 0, max_retries: 0 },
    }
    const script = `
import json, sys
from pydantic import ValidationError
from webhooks._generated.payloads import OddRowsPayload
p = OddRowsPayload.parse_obj(json.loads(sys.argv[1]))
r = p.event.data.new
print(json.dumps([r.class_, r.schema_, r.my_col, r.f_1st, r.json_, r.mood, r.tags]))
bad = json.loads(sys.argv[1]); bad["event"]["data"]["new"]["mood"] = "angry"
try:
    OddRowsPayload.parse_obj(bad); print("accepted")
except ValidationError:
    print("refused")
`
    const r = await execa(PYTHON, ['-c', script, JSON.stringify(event)], {
      cwd: join(odd, 'services/odd'),
      env: { PYTHONDONTWRITEBYTECODE: '1' },
    })
    const [values, verdict] = r.stdout.trim().split('\n')
    expect(JSON.parse(values!)).toEqual(['a', null, 3, true, { x: [1] }, 'sad', ['t']])
    expect(verdict).toBe('refused')
  })
})
