/**
 * Trigger user_created on public.users: INSERT.
 * This file is yours: nself-hooks scaffold wrote it once and never overwrites it.
 * Return ok(), fail(reason) (permanent, not retried), retry(reason) or retryAfter(seconds).
 * Hasura delivers at least once: make side effects idempotent on ctx.idempotencyKey.
 */
import type { UserCreatedHandlers } from '../_generated/payloads.js'
import { ok } from '../_generated/runtime.js'

export const userCreated: UserCreatedHandlers = {
  async insert(event, ctx) {
    // event.data.old: null, event.data.new: UserCreatedRow
    const row = event.data.new
    ctx.log('user_created INSERT', { event: ctx.idempotencyKey, columns: Object.keys(row).length })
    return ok()
  },
}
