/**
 * The webhooks feature module. Yours: nself-hooks scaffold wrote it once and never overwrites it.
 * The routes and handler providers come from the generated module; pass it the modules and providers
 * your handlers inject (a database module, a mailer ...). Other controllers and providers of the
 * feature go in this @Module as usual.
 */
import { Module } from '@nestjs/common'
import { WebhooksGeneratedModule } from './_generated/webhooks.module'

@Module({
  imports: [
    WebhooksGeneratedModule.register({
      imports: [],
      providers: [],
    }),
  ],
})
export class WebhooksModule {}
