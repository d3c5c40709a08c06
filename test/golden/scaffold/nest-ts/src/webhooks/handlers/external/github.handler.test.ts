/**
 * Tests of the github webhook github route: your WebhooksModule in a Nest testing module, on a listening server.
 * This file is yours: nself-hooks scaffold wrote it once and never overwrites it. `npm test` compiles
 * and runs it (node:test); override the providers your handler injects with .overrideProvider().
 */
import 'reflect-metadata'
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { NestExpressApplication } from '@nestjs/platform-express'
import { Test } from '@nestjs/testing'
import { signForTest } from '../../_generated/signatures'
import { WebhooksModule } from '../../webhooks.module'

const PATH = '/webhooks/external/github'
const SECRET = 'whsec_dGVzdC1zaWduaW5nLXNlY3JldA=='
/** a delivery as the provider sends it */
const BODY = {
  "test": true
}

describe('external github → POST /webhooks/external/github', () => {
  let app: NestExpressApplication
  let url: string

  before(async () => {
    process.env['GITHUB_WEBHOOK_SECRET'] = SECRET
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

  it('answers a delivery signed with the secret 200', async () => {
    const res = await post(signForTest('github', JSON.stringify(BODY), SECRET, 'x-hub-signature-256'))
    assert.equal(res.status, 200, await res.text())
  })

  it('answers a signature made with another secret 401', async () => {
    const res = await post(signForTest('github', JSON.stringify(BODY), 'whsec_b3RoZXItc2VjcmV0', 'x-hub-signature-256'))
    assert.equal(res.status, 401, await res.text())
  })
})
