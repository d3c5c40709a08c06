import { describe, expect, it } from 'vitest'
import {
  safeEqual,
  verifyGithub,
  verifyHmacSha256,
  verifyStandardWebhook,
  verifyStripe,
} from '../../templates/_ts/signatures.js'
import { makeVectors, type Vector } from './vectors.js'

function verify(v: Vector) {
  const h = v.headers
  switch (v.provider) {
    case 'stripe':
      return verifyStripe(v.body, h['stripe-signature'], v.secret, { now: v.now })
    case 'github':
      return verifyGithub(v.body, h['x-hub-signature-256'], v.secret)
    case 'standard-webhooks':
      return verifyStandardWebhook(
        Buffer.from(v.body),
        { id: h['webhook-id'], timestamp: h['webhook-timestamp'], signature: h['webhook-signature'] },
        v.secret,
        { now: v.now },
      )
    case 'hmac-sha256':
      return verifyHmacSha256(v.body, h['x-signature'], v.secret)
  }
}

describe('signature helpers accept what the providers sign and refuse tampering', async () => {
  const vectors = await makeVectors()
  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const result = verify(v)
    expect(result.ok, JSON.stringify(result)).toBe(v.expect)
    if (!result.ok) expect(result.reason).toMatch(/\w/)
  })
})

describe('signature helpers never throw on hostile input', () => {
  const inputs: unknown[] = [undefined, '', ' ', ',', '=', 't=', 'v1=', 'x'.repeat(100_000), ['a', 'b'], []]
  it('returns { ok: false } for every malformed header', () => {
    for (const h of inputs) {
      const header = h as string | string[] | undefined
      expect(verifyStripe('{}', header, 'whsec_x').ok).toBe(false)
      expect(verifyGithub('{}', header, 's').ok).toBe(false)
      expect(verifyHmacSha256('{}', header, 's').ok).toBe(false)
      expect(
        verifyStandardWebhook('{}', { id: header, timestamp: header, signature: header }, 'whsec_AAAA').ok,
      ).toBe(false)
    }
  })
  it('refuses when the secret is empty (a missing env var must not open the door)', () => {
    expect(verifyGithub('{}', `sha256=${'0'.repeat(64)}`, '').ok).toBe(false)
    expect(verifyHmacSha256('{}', '0'.repeat(64), '').ok).toBe(false)
    expect(verifyStandardWebhook('{}', { id: 'a', timestamp: '1', signature: 'v1,AA==' }, '').ok).toBe(false)
    expect(verifyStripe('{}', 't=1,v1=00', '').ok).toBe(false)
  })
  it('compares values of different lengths without throwing', () => {
    expect(safeEqual('a', 'a')).toBe(true)
    expect(safeEqual('a', 'ab')).toBe(false)
    expect(safeEqual(Buffer.alloc(0), 'x'.repeat(1000))).toBe(false)
  })
})
