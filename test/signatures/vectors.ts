import { sign as githubSign } from '@octokit/webhooks-methods'
import { Webhook } from 'standardwebhooks'
import Stripe from 'stripe'

/** Signed requests made by the providers' own libraries, plus the tampered variants a verifier must refuse. */
export interface Vector {
  name: string
  provider: 'stripe' | 'github' | 'standard-webhooks' | 'hmac-sha256'
  body: string
  headers: Record<string, string>
  secret: string
  /** seconds since the epoch the verifier should take as now */
  now: number
  expect: boolean
}

const STRIPE_SECRET = 'whsec_test_5f2a1c0b9e8d7f6a5b4c3d2e1f0a9b8c'
const GITHUB_SECRET = "It's a Secret to Everybody"
const STANDARD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const HMAC_SECRET = 'plain-hmac-secret'

export async function makeVectors(): Promise<Vector[]> {
  const now = 1_760_000_000
  const body = JSON.stringify({
    id: 'evt_1',
    type: 'invoice.paid',
    data: { object: { amount: 1200, note: 'ünïcode ✓' } },
  })
  const changed = body.replace('1200', '1201')
  const stripe = new Stripe('sk_test_dummy')
  const stripeHeader = (secret: string, timestamp: number, payload = body) =>
    stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp })
  const gh = await githubSign(GITHUB_SECRET, body)
  const wh = new Webhook(STANDARD_SECRET)
  const whSig = wh.sign('msg_2Lh9KRb', new Date(now * 1000), body)
  const otherWh = new Webhook('whsec_QWxhZGRpbjpvcGVuIHNlc2FtZQ==')
  const hmacHex = (await githubSign(HMAC_SECRET, body)).slice('sha256='.length)
  const std = (sig: string, ts = now, id = 'msg_2Lh9KRb') => ({
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': sig,
  })
  const v = (
    name: string,
    provider: Vector['provider'],
    headers: Record<string, string>,
    expect: boolean,
    extra: Partial<Vector> = {},
  ): Vector => ({
    name,
    provider,
    body,
    headers,
    expect,
    now,
    secret: {
      stripe: STRIPE_SECRET,
      github: GITHUB_SECRET,
      'standard-webhooks': STANDARD_SECRET,
      'hmac-sha256': HMAC_SECRET,
    }[provider],
    ...extra,
  })
  return [
    v(
      'stripe: signed by stripe',
      'stripe',
      { 'stripe-signature': stripeHeader(STRIPE_SECRET, now - 10) },
      true,
    ),
    v('stripe: changed body', 'stripe', { 'stripe-signature': stripeHeader(STRIPE_SECRET, now) }, false, {
      body: changed,
    }),
    v('stripe: wrong secret', 'stripe', { 'stripe-signature': stripeHeader('whsec_other', now) }, false),
    v(
      'stripe: old timestamp',
      'stripe',
      { 'stripe-signature': stripeHeader(STRIPE_SECRET, now - 301) },
      false,
    ),
    v(
      'stripe: far future timestamp',
      'stripe',
      { 'stripe-signature': stripeHeader(STRIPE_SECRET, now + 3600) },
      false,
    ),
    v(
      'stripe: truncated header',
      'stripe',
      { 'stripe-signature': stripeHeader(STRIPE_SECRET, now).slice(0, 40) },
      false,
    ),
    v('stripe: no v1', 'stripe', { 'stripe-signature': `t=${now},v0=abc` }, false),
    v('stripe: garbage', 'stripe', { 'stripe-signature': '%%%,,,=' }, false),
    v('stripe: missing header', 'stripe', {}, false),
    v(
      'stripe: second v1 matches (secret rotation)',
      'stripe',
      {
        'stripe-signature': `t=${now},v1=${'0'.repeat(64)},v1=${stripeHeader(STRIPE_SECRET, now).split('v1=')[1]}`,
      },
      true,
    ),
    v('github: signed by octokit', 'github', { 'x-hub-signature-256': gh }, true),
    v('github: changed body', 'github', { 'x-hub-signature-256': gh }, false, { body: changed }),
    v('github: wrong secret', 'github', { 'x-hub-signature-256': await githubSign('nope', body) }, false),
    v('github: truncated', 'github', { 'x-hub-signature-256': gh.slice(0, -2) }, false),
    v('github: sha1 form', 'github', { 'x-hub-signature-256': `sha1=${gh.slice(7, 47)}` }, false),
    v('github: not hex', 'github', { 'x-hub-signature-256': `sha256=${'z'.repeat(64)}` }, false),
    v('github: missing header', 'github', {}, false),
    v('standard: signed by standardwebhooks', 'standard-webhooks', std(whSig), true),
    v('standard: several signatures, one valid', 'standard-webhooks', std(`v1,AAAA ${whSig} v2,xyz`), true),
    v('standard: changed body', 'standard-webhooks', std(whSig), false, { body: changed }),
    v(
      'standard: wrong secret',
      'standard-webhooks',
      std(otherWh.sign('msg_2Lh9KRb', new Date(now * 1000), body)),
      false,
    ),
    v('standard: changed id', 'standard-webhooks', std(whSig, now, 'msg_other'), false),
    v(
      'standard: old timestamp',
      'standard-webhooks',
      std(wh.sign('msg_2Lh9KRb', new Date((now - 301) * 1000), body), now - 301),
      false,
    ),
    v('standard: truncated signature', 'standard-webhooks', std(whSig.slice(0, 20)), false),
    v('standard: malformed signature', 'standard-webhooks', std('v1;notbase64!'), false),
    v(
      'standard: non-numeric timestamp',
      'standard-webhooks',
      { ...std(whSig), 'webhook-timestamp': 'soon' },
      false,
    ),
    v(
      'standard: missing id',
      'standard-webhooks',
      { 'webhook-timestamp': String(now), 'webhook-signature': whSig },
      false,
    ),
    v('hmac: plain hex', 'hmac-sha256', { 'x-signature': hmacHex }, true),
    v(
      'hmac: uppercase hex with prefix',
      'hmac-sha256',
      { 'x-signature': `sha256=${hmacHex.toUpperCase()}` },
      true,
    ),
    v('hmac: changed body', 'hmac-sha256', { 'x-signature': hmacHex }, false, { body: changed }),
    v('hmac: wrong secret', 'hmac-sha256', { 'x-signature': hmacHex }, false, { secret: 'other' }),
    v('hmac: truncated', 'hmac-sha256', { 'x-signature': hmacHex.slice(0, 63) }, false),
    v('hmac: empty', 'hmac-sha256', { 'x-signature': '' }, false),
  ]
}
