"""github webhook github: the signature over the raw body was checked before this runs
(secret from GITHUB_WEBHOOK_SECRET). This file is yours: nself-hooks scaffold never overwrites it.
Providers retry on non-2xx too: return fail(reason) for events you will never accept.
"""

from typing import Any

from webhooks._generated.runtime import ExternalContext, Outcome, ok


def handle(event: Any, ctx: ExternalContext) -> Outcome:
    ctx.log("github webhook", delivery=ctx.idempotency_key, kind=ctx.headers.get("x-github-event"))
    return ok()
