"""stripe webhook stripe: the signature over the raw body was checked before this runs
(secret from STRIPE_WEBHOOK_SECRET). This file is yours: nself-hooks scaffold never overwrites it.
Providers retry on non-2xx too: return fail(reason) for events you will never accept.
"""

from typing import Any

from webhooks._generated.runtime import ExternalContext, Outcome, ok


def handle(event: Any, ctx: ExternalContext) -> Outcome:
    ctx.log("stripe webhook", delivery=ctx.idempotency_key, kind=event.get("type"))
    return ok()
