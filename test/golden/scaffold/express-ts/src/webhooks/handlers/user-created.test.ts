/**
 * Tests of the trigger user_created route, through the generated router on a listening server.
 * This file is yours: nself-hooks scaffold wrote it once and never overwrites it. `npm test` compiles
 * and runs it (node:test); extend it as your handler grows.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import express from 'express'
import { webhooksRouter } from '../_generated/routes.js'

const PATH = '/webhooks/user-created'
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
    "name": "user_created"
  },
  "event": {
    "op": "INSERT",
    "data": {
      "old": null,
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

describe('trigger user_created → POST /webhooks/user-created', () => {
  let server: Server
  let url: string

  before(async () => {
    process.env['WEBHOOK_SECRET'] = SECRET
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
