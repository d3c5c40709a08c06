/**
 * Tests of the github webhook github route, through the generated router on a listening server.
 * This file is yours: nself-hooks scaffold wrote it once and never overwrites it. `npm test` compiles
 * and runs it (node:test); extend it as your handler grows.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import express from 'express'
import { webhooksRouter } from '../../_generated/routes.js'
import { signForTest } from '../../_generated/signatures.js'

const PATH = '/webhooks/external/github'
const SECRET = 'whsec_dGVzdC1zaWduaW5nLXNlY3JldA=='
/** a delivery as the provider sends it */
const BODY = {
  "test": true
}

describe('external github → POST /webhooks/external/github', () => {
  let server: Server
  let url: string

  before(async () => {
    process.env['GITHUB_WEBHOOK_SECRET'] = SECRET
    server = express().use(webhooksRouter).listen(0, '127.0.0.1')
    await once(server, 'listening')
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}`
  })
  after(() => {
    server.close()
  })

  const post = (headers: Record<string, string>) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(BODY),
    })

  it('answers a delivery signed with the secret 200', async () => {
    const res = await post(signForTest('github', JSON.stringify(BODY), SECRET, 'x-hub-signature-256'))
    assert.equal(res.status, 200, await res.text())
  })

  it('answers a signature made with another secret 401', async () => {
    const res = await post(signForTest('github', JSON.stringify(BODY), 'whsec_b3RoZXItc2VjcmV0', 'x-hub-signature-256'))
    assert.equal(res.status, 401, await res.text())
  })
})
