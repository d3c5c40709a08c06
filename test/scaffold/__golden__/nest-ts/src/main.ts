/** Service webhooks: a Nest application. Yours to edit. */
import 'reflect-metadata'
import { NestFactory } from '@nestjs/core'
import type { NestExpressApplication } from '@nestjs/platform-express'
import { AppModule } from './app.module'

async function bootstrap(): Promise<void> {
  // rawBody keeps the exact request bytes (req.rawBody): webhook signatures are computed over them
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { rawBody: true })
  // event payloads carry whole rows: allow more than the 100 kB default
  app.useBodyParser('json', { limit: '10mb' })
  app.enableShutdownHooks()
  const port = Number(process.env.PORT ?? 3001)
  await app.listen(port)
  console.log(`webhooks listening on :${port}`)
}

void bootstrap()
