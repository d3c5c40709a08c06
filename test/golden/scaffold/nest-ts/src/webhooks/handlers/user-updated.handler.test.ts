/**
 * Tests of the trigger user_updated route: your WebhooksModule in a Nest testing module, on a listening server.
 * This file is yours: nself-hooks scaffold wrote it once and never overwrites it. `npm test` compiles
 * and runs it (node:test); override the providers your handler injects with .overrideProvider().
 */
import 'reflect-metadata'
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { NestExpressApplication } from '@nestjs/platform-express'
import { Test } from '@nestjs/testing'
import { WebhooksModule } from '../webhooks.module'

const PATH = '/webhooks/user-updated'
const SECRET = 'test-secret'
/** a delivery as Hasura sends it */
const BODY = {
  "id": "00000000-0000-4000-8000-000000000001",
  "created_at": "2026-01-01T09:00:00.000000",
  "table": {
    "schema": "public",
    "name": "users"
  },
  "trigger": {
    "name": "user_updated"
  },
  "event": {
    "op": "UPDATE",
    "data": {
      "old": {
        "id": 1,
        "email": "text",
        "name": "text",
        "created_at": "text"
      },
      "new": {
        "id": 1,
        "email": "text",
        "name": "text",
        "created_at": "text"
      }
    },
    "session_variables": {
      "x-hasura-role": "admin"
    },
    "trace_context": null
  },
  "delivery_info": {
    "current_retry": 0,
    "max_retries": 0
  }
}

describe('trigger user_updated → POST /webhooks/user-updated', () => {
  let app: NestExpressApplication
  let url: string

  before(async () => {
    process.env['WEBHOOK_SECRET'] = SECRET
    const moduleRef = await Test.createTestingModule({ imports: [WebhooksModule] }).compile()
    // as main.ts creates it: the raw body kept for signatures
    app = moduleRef.createNestApplication<NestExpressApplication>({ rawBody: true, logger: false })
    await app.listen(0, '127.0.0.1')
    url = `${await app.getUrl()}${PATH}`
  })
  after(async () => {
    await app.close()
  })

  const post = (headers: Record<string, string>) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(BODY),
    })

  it('answers a valid delivery 200', async () => {
    const res = await post({ 'X-Webhook-Secret': SECRET })
    const text = await res.text()
    assert.equal(res.status, 200, text)
    assert.deepEqual(JSON.parse(text), { ok: true })
  })

  it('answers a wrong secret 401', async () => {
    const res = await post({ 'X-Webhook-Secret': 'not-the-secret' })
    assert.equal(res.status, 401, await res.text())
  })
})
