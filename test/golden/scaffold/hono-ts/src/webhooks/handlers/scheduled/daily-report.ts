/**
 * Cron daily-report-generation (0 9 * * *).
 * This file is yours: nself-hooks scaffold wrote it once and never overwrites it.
 * Return ok(), fail(reason) (permanent, not retried), retry(reason) or retryAfter(seconds).
 */
import type { DailyReportGenerationCronHandler } from '../../_generated/payloads.js'
import { ok } from '../../_generated/runtime.js'

export const dailyReportGeneration: DailyReportGenerationCronHandler = {
  async handle(event, ctx) {
    ctx.log('daily-report-generation fired', { scheduled: event.scheduled_time, event: ctx.idempotencyKey })
    return ok()
  },
}
