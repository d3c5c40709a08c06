/**
 * stripe webhook stripe: the signature over the raw body was checked before this runs
 * (secret from STRIPE_WEBHOOK_SECRET). This file is yours: nself-hooks scaffold never overwrites it.
 * Providers retry on non-2xx too: return fail(reason) for events you will never accept.
 */
import { Injectable } from '@nestjs/common'
import type { ExternalContext, StripeWebhookHandler, StripeEvent } from '../../_generated/payloads'
import { type Outcome, ok } from '../../_generated/runtime'

@Injectable()
export class StripeHandler implements StripeWebhookHandler {
  async handle(event: StripeEvent, ctx: ExternalContext): Promise<Outcome> {
    ctx.log('stripe webhook', { delivery: ctx.idempotencyKey, kind: event.type })
    return ok()
  }
}
