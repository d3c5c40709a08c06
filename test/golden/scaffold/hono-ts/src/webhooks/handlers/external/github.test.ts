/**
 * Tests of the external route for handler external/github, through the Hono app in memory (app.request, no
 * server). This file is yours: nself-hooks scaffold wrote it once and never overwrites it.
 * `npm test` compiles and runs every *.test.ts with node:test; add a test that posts a real delivery.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { app } from '../../../app.js'

const path = '/webhooks/external/github'
/** a delivery as the provider sends it */
const BODY = {
  "test": true
}
process.env['GITHUB_WEBHOOK_SECRET'] ||= 'test-signing-secret'

test('refuses an unsigned delivery with 401', async () => {
  const res = await app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(BODY),
  })
  assert.equal(res.status, 401)
})
