/**
 * github webhook github: the signature over the raw body was checked before this runs
 * (secret from GITHUB_WEBHOOK_SECRET). This file is yours: nself-hooks scaffold never overwrites it.
 * Providers retry on non-2xx too: return fail(reason) for events you will never accept.
 */
import type { GithubWebhookHandler } from '../../_generated/payloads.js'
import { ok } from '../../_generated/runtime.js'

export const github: GithubWebhookHandler = {
  async handle(event, ctx) {
    ctx.log('github webhook', { delivery: ctx.idempotencyKey, kind: ctx.headers['x-github-event'] })
    return ok()
  },
}
