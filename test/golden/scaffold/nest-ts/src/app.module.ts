/** The root module of service webhooks. Yours to edit. */
import { Module } from '@nestjs/common'
import { HealthController } from './health.controller'
import { WebhooksModule } from './webhooks/webhooks.module'

@Module({
  imports: [WebhooksModule],
  controllers: [HealthController],
})
export class AppModule {}
