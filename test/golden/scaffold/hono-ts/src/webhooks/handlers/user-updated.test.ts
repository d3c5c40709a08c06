/**
 * Tests of the trigger route for handler user-updated, through the Hono app in memory (app.request, no
 * server). This file is yours: nself-hooks scaffold wrote it once and never overwrites it.
 * `npm test` compiles and runs every *.test.ts with node:test; add a test that posts a real delivery.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { app } from '../../app.js'

const path = '/webhooks/user-updated'
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
process.env['WEBHOOK_SECRET'] ||= 'test-secret'
const headers: Record<string, string> = {
  'content-type': 'application/json',
  ['X-Webhook-Secret']: process.env['WEBHOOK_SECRET']!,
}

test('answers a delivery with 200', async () => {
  const res = await app.request(path, { method: 'POST', headers, body: JSON.stringify(BODY) })
  assert.equal(res.status, 200, await res.clone().text())
})

test('refuses a request with a wrong secret with 401', async () => {
  const wrong = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, k === 'content-type' ? v : 'wrong']))
  const res = await app.request(path, { method: 'POST', headers: wrong, body: '{}' })
  assert.equal(res.status, 401)
})

test('answers a body that is not JSON with 400', async () => {
  const res = await app.request(path, { method: 'POST', headers, body: '{"id": ' })
  assert.equal(res.status, 400)
  assert.deepEqual(await res.json(), { ok: false, error: 'body is not valid JSON' })
})

test('answers a body of another shape with 400 and the problems', async () => {
  const res = await app.request(path, { method: 'POST', headers, body: '{"id": 1}' })
  assert.equal(res.status, 400)
  const body = (await res.json()) as { issues: string[] }
  assert.ok(body.issues.length > 0)
})
