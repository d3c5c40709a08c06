"""Trigger user_created on public.users: INSERT.

This file is yours: nself-hooks scaffold wrote it once and never overwrites it.
Return ok(), fail(reason) (permanent, not retried), retry(reason) or retry_after(seconds).
Hasura delivers at least once: make side effects idempotent on ctx.idempotency_key.
Functions may be plain or async (an async one runs to completion in its request thread).
"""

from webhooks._generated.payloads import UserCreatedInsert
from webhooks._generated.runtime import EventContext, Outcome, ok


def on_insert(event: UserCreatedInsert, ctx: EventContext) -> Outcome:
    # event.data.old: None, event.data.new: UserCreatedRow
    row = event.data.new
    ctx.log("user_created INSERT", event=ctx.idempotency_key, row_type=type(row).__name__)
    return ok()
