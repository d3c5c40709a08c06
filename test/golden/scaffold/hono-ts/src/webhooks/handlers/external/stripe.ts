/**
 * stripe webhook stripe: the signature over the raw body was checked before this runs
 * (secret from STRIPE_WEBHOOK_SECRET). This file is yours: nself-hooks scaffold never overwrites it.
 * Providers retry on non-2xx too: return fail(reason) for events you will never accept.
 */
import type { StripeWebhookHandler } from '../../_generated/payloads.js'
import { ok } from '../../_generated/runtime.js'

export const stripe: StripeWebhookHandler = {
  async handle(event, ctx) {
    ctx.log('stripe webhook', { delivery: ctx.idempotencyKey, kind: event.type })
    return ok()
  },
}
