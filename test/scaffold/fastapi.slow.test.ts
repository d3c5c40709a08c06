import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Model } from '../../src/model/types.js'
import {
  checkDirect,
  checkHasuraDelivery,
  checkOutcomes,
  type Service,
  scaffoldFixture,
  startService,
} from './e2e.js'

/** Debian's python3 with python3-fastapi, -uvicorn, -pydantic, -httpx (not the pyenv one on PATH). */
export const PYTHON = '/usr/bin/python3'
const pythonMissing = await (async () => {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`
  const r = await execa(PYTHON, ['-c', 'import fastapi, uvicorn, pydantic'], { reject: false })
  return r.exitCode === 0
    ? undefined
    : `${PYTHON} lacks fastapi/uvicorn/pydantic: apt-get install -y python3-fastapi python3-uvicorn python3-pydantic python3-httpx`
})()
if (pythonMissing && process.env.CI) throw new Error(pythonMissing)

const USER_UPDATED = `from webhooks._generated.payloads import UserUpdatedUpdate
from webhooks._generated.runtime import EventContext, Outcome, fail, retry_after


def on_update(event: UserUpdatedUpdate, ctx: EventContext) -> Outcome:
    if ctx.attempt == 1:
        return retry_after(1, "downstream busy")
    return fail(f"cannot sync {event.data.new.email}")
`

describe.skipIf(pythonMissing)('fastapi service: scaffolded, imported and served by uvicorn', () => {
  let dir: string
  let model: Model
  let service: Service | undefined

  beforeAll(async () => {
    ;({ dir, model } = await scaffoldFixture('fastapi'))
    writeFileSync(join(dir, 'webhooks/handlers/user_updated.py'), USER_UPDATED)
  }, 120_000)
  afterAll(async () => {
    await service?.stop()
  })

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

  it('serves an event the engine posts after a row insert; a wrong secret gets 401 and is retried', async () => {
    service = await startService(
      PYTHON,
      ['-m', 'uvicorn', 'main:app', '--host', '127.0.0.1', '--port', '$PORT'],
      dir,
    )
    await checkHasuraDelivery(model, service)
  }, 120_000)

  it('maps retry_after to 503 + Retry-After and a permanent failure to 200 {ok:false}', async () => {
    expect(service, 'service from the previous test').toBeDefined()
    await checkOutcomes(model, service!)
  }, 120_000)

  it('answers bad bodies 400, checks the secret and verifies Stripe and GitHub signatures', async () => {
    await checkDirect(service!)
  }, 60_000)
})
