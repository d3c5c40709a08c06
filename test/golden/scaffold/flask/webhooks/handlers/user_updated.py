"""Trigger user_updated on public.users: UPDATE.

This file is yours: nself-hooks scaffold wrote it once and never overwrites it.
Return ok(), fail(reason) (permanent, not retried), retry(reason) or retry_after(seconds).
Hasura delivers at least once: make side effects idempotent on ctx.idempotency_key.
Functions may be plain or async (an async one runs to completion in its request thread).
"""

from webhooks._generated.payloads import UserUpdatedUpdate
from webhooks._generated.runtime import EventContext, Outcome, ok


def on_update(event: UserUpdatedUpdate, ctx: EventContext) -> Outcome:
    # event.data.old: UserUpdatedRow, event.data.new: UserUpdatedRow
    row = event.data.new
    ctx.log("user_updated UPDATE", event=ctx.idempotency_key, row_type=type(row).__name__)
    return ok()
