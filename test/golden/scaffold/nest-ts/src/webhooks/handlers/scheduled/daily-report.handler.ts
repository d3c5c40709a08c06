/**
 * Cron daily-report-generation (0 9 * * *).
 * This file is yours: nself-hooks scaffold wrote it once and never overwrites it.
 * Return ok(), fail(reason) (permanent, not retried), retry(reason) or retryAfter(seconds).
 */
import { Injectable } from '@nestjs/common'
import type { CronContext, DailyReportGenerationCronHandler, DailyReportGenerationCronPayload } from '../../_generated/payloads'
import { type Outcome, ok } from '../../_generated/runtime'

@Injectable()
export class DailyReportGenerationHandler implements DailyReportGenerationCronHandler {
  async handle(event: DailyReportGenerationCronPayload, ctx: CronContext): Promise<Outcome> {
    ctx.log('daily-report-generation fired', { scheduled: event.scheduled_time, event: ctx.idempotencyKey })
    return ok()
  }
}
