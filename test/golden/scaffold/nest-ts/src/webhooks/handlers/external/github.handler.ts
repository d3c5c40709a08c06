/**
 * github webhook github: the signature over the raw body was checked before this runs
 * (secret from GITHUB_WEBHOOK_SECRET). This file is yours: nself-hooks scaffold never overwrites it.
 * Providers retry on non-2xx too: return fail(reason) for events you will never accept.
 */
import { Injectable } from '@nestjs/common'
import type { ExternalContext, GithubWebhookHandler, GithubEvent } from '../../_generated/payloads'
import { type Outcome, ok } from '../../_generated/runtime'

@Injectable()
export class GithubHandler implements GithubWebhookHandler {
  async handle(event: GithubEvent, ctx: ExternalContext): Promise<Outcome> {
    ctx.log('github webhook', { delivery: ctx.idempotencyKey, kind: ctx.headers['x-github-event'] })
    return ok()
  }
}
