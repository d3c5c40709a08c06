/**
 * Tests of the external route for handler external/stripe, through the Hono app in memory (app.request, no
 * server). This file is yours: nself-hooks scaffold wrote it once and never overwrites it.
 * `npm test` compiles and runs every *.test.ts with node:test; add a test that posts a real delivery.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { app } from '../../../app.js'

const path = '/webhooks/external/stripe'
/** a delivery as the provider sends it */
const BODY = {
  "id": "evt_test_1",
  "object": "event",
  "type": "test.event",
  "created": 1767258000,
  "livemode": false,
  "data": {
    "object": {}
  }
}
process.env['STRIPE_WEBHOOK_SECRET'] ||= 'test-signing-secret'

test('refuses an unsigned delivery with 401', async () => {
  const res = await app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(BODY),
  })
  assert.equal(res.status, 401)
})
