"""Cron daily-report-generation (0 9 * * *).

This file is yours: nself-hooks scaffold wrote it once and never overwrites it.
Return ok(), fail(reason) (permanent, not retried), retry(reason) or retry_after(seconds).
"""

from webhooks._generated.payloads import DailyReportGenerationCronPayload
from webhooks._generated.runtime import CronContext, Outcome, ok


def handle(event: DailyReportGenerationCronPayload, ctx: CronContext) -> Outcome:
    ctx.log("daily-report-generation fired", scheduled=event.scheduled_time, event=ctx.idempotency_key)
    return ok()
