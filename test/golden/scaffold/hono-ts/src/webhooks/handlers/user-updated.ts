/**
 * Trigger user_updated on public.users: UPDATE.
 * This file is yours: nself-hooks scaffold wrote it once and never overwrites it.
 * Return ok(), fail(reason) (permanent, not retried), retry(reason) or retryAfter(seconds).
 * Hasura delivers at least once: make side effects idempotent on ctx.idempotencyKey.
 */
import type { UserUpdatedHandlers } from '../_generated/payloads.js'
import { ok } from '../_generated/runtime.js'

export const userUpdated: UserUpdatedHandlers = {
  async update(event, ctx) {
    // event.data.old: UserUpdatedRow, event.data.new: UserUpdatedRow
    const row = event.data.new
    ctx.log('user_updated UPDATE', { event: ctx.idempotencyKey, columns: Object.keys(row).length })
    return ok()
  },
}
