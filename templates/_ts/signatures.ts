/**
 * Signature checks for webhooks from other services, over the raw request body.
 * This file is copied verbatim into every scaffolded TypeScript service, and tested where it stands:
 * it imports nothing but node:crypto and never throws on bad input, it answers { ok: false, reason }.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

export type VerifyResult = { ok: true } | { ok: false; reason: string }

export type RawBody = string | Uint8Array

export interface TimestampOptions {
  /** how far a signed timestamp may be from now, in seconds (default 300) */
  toleranceSec?: number
  /** now, in seconds since the epoch (tests) */
  now?: number
}

const fail = (reason: string): VerifyResult => ({ ok: false, reason })

/** Constant time for any lengths: compares digests of both sides, so length differences leak nothing. */
export function safeEqual(a: Uint8Array | string, b: Uint8Array | string): boolean {
  const da = createHash('sha256').update(a).digest()
  const db = createHash('sha256').update(b).digest()
  return timingSafeEqual(da, db)
}

function hmac(key: string | Uint8Array, ...parts: RawBody[]): Buffer {
  const h = createHmac('sha256', key)
  for (const p of parts) h.update(p)
  return h.digest()
}

function nowSec(opts: TimestampOptions): number {
  return opts.now ?? Math.floor(Date.now() / 1000)
}

function withinTolerance(ts: number, opts: TimestampOptions): boolean {
  const tolerance = opts.toleranceSec ?? 300
  return Math.abs(nowSec(opts) - ts) <= tolerance
}

function headerValue(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined
  return value
}

const HEX = /^[0-9a-fA-F]+$/

/** Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...]`, HMAC-SHA256 of `<t>.<body>` keyed by the whole `whsec_...` secret. */
export function verifyStripe(
  body: RawBody,
  header: string | string[] | undefined,
  secret: string,
  opts: TimestampOptions = {},
): VerifyResult {
  const value = headerValue(header)
  if (!value) return fail('missing Stripe-Signature header')
  if (!secret) return fail('no signing secret configured')
  let timestamp: number | undefined
  const signatures: string[] = []
  for (const part of value.split(',')) {
    const eq = part.indexOf('=')
    if (eq <= 0) continue
    const key = part.slice(0, eq).trim()
    const val = part.slice(eq + 1).trim()
    if (key === 't') timestamp = /^\d{1,12}$/.test(val) ? Number(val) : Number.NaN
    else if (key === 'v1') signatures.push(val)
  }
  if (timestamp === undefined || Number.isNaN(timestamp))
    return fail('Stripe-Signature has no valid timestamp')
  if (signatures.length === 0) return fail('Stripe-Signature has no v1 signature')
  const expected = hmac(secret, `${timestamp}.`, body)
  const matched = signatures.some(
    (s) => s.length === 64 && HEX.test(s) && safeEqual(Buffer.from(s, 'hex'), expected),
  )
  if (!matched) return fail('Stripe signature does not match the body')
  if (!withinTolerance(timestamp, opts)) return fail('Stripe-Signature timestamp is outside the tolerance')
  return { ok: true }
}

/** GitHub: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the body. */
export function verifyGithub(
  body: RawBody,
  header: string | string[] | undefined,
  secret: string,
): VerifyResult {
  const value = headerValue(header)
  if (!value) return fail('missing X-Hub-Signature-256 header')
  if (!secret) return fail('no signing secret configured')
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(value.trim())
  if (!m) return fail('X-Hub-Signature-256 is not sha256=<64 hex digits>')
  if (!safeEqual(Buffer.from(m[1]!, 'hex'), hmac(secret, body)))
    return fail('GitHub signature does not match the body')
  return { ok: true }
}

/** Standard Webhooks key: `whsec_<base64>` (or bare base64) decoded to bytes. */
function standardKey(secret: string): Buffer | undefined {
  const b64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret
  if (!b64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return undefined
  const key = Buffer.from(b64, 'base64')
  return key.length > 0 ? key : undefined
}

/**
 * Standard Webhooks (standardwebhooks.com): `webhook-id`, `webhook-timestamp`, `webhook-signature`
 * (space-separated `v1,<base64>`), HMAC-SHA256 of `<id>.<timestamp>.<body>`.
 */
export function verifyStandardWebhook(
  body: RawBody,
  headers: {
    id: string | string[] | undefined
    timestamp: string | string[] | undefined
    signature: string | string[] | undefined
  },
  secret: string,
  opts: TimestampOptions = {},
): VerifyResult {
  const id = headerValue(headers.id)
  const ts = headerValue(headers.timestamp)
  const sig = headerValue(headers.signature)
  if (!id || !ts || !sig) return fail('missing webhook-id, webhook-timestamp or webhook-signature header')
  const key = standardKey(secret)
  if (!key) return fail('the signing secret is not whsec_<base64>')
  if (!/^\d{1,12}$/.test(ts)) return fail('webhook-timestamp is not a number of seconds')
  const timestamp = Number(ts)
  if (!withinTolerance(timestamp, opts)) return fail('webhook-timestamp is outside the tolerance')
  const expected = hmac(key, `${id}.${ts}.`, body)
  for (const entry of sig.split(' ')) {
    const comma = entry.indexOf(',')
    if (comma < 0) continue
    if (entry.slice(0, comma) !== 'v1') continue
    const given = entry.slice(comma + 1)
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(given)) continue
    if (safeEqual(Buffer.from(given, 'base64'), expected)) return { ok: true }
  }
  return fail('webhook-signature does not match the body')
}

/** Plain HMAC-SHA256: hex digest of the body in a named header (an optional `sha256=` prefix is accepted). */
export function verifyHmacSha256(
  body: RawBody,
  header: string | string[] | undefined,
  secret: string,
): VerifyResult {
  const value = headerValue(header)
  if (!value) return fail('missing signature header')
  if (!secret) return fail('no signing secret configured')
  const hex = value.trim().replace(/^sha256=/i, '')
  if (hex.length !== 64 || !HEX.test(hex)) return fail('signature is not 64 hex digits')
  if (!safeEqual(Buffer.from(hex, 'hex'), hmac(secret, body)))
    return fail('signature does not match the body')
  return { ok: true }
}

/**
 * Headers that sign `body` the way the provider does, for tests of your own handlers: what the
 * verify functions above accept when given the same secret.
 */
export function signForTest(
  provider: 'stripe' | 'github' | 'standard-webhooks' | 'hmac-sha256',
  body: string,
  secret: string,
  signatureHeader: string,
  now: number = Math.floor(Date.now() / 1000),
): Record<string, string> {
  switch (provider) {
    case 'stripe':
      return { [signatureHeader]: `t=${now},v1=${hmac(secret, `${now}.`, body).toString('hex')}` }
    case 'github':
      return {
        [signatureHeader]: `sha256=${hmac(secret, body).toString('hex')}`,
        'X-GitHub-Event': 'ping',
        'X-GitHub-Delivery': 'test-delivery-1',
      }
    case 'standard-webhooks': {
      const id = 'msg_test_1'
      const signature = hmac(standardKey(secret) ?? secret, `${id}.${now}.`, body).toString('base64')
      return { 'webhook-id': id, 'webhook-timestamp': String(now), 'webhook-signature': `v1,${signature}` }
    }
    case 'hmac-sha256':
      return { [signatureHeader]: hmac(secret, body).toString('hex') }
  }
}
