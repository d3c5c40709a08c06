/** Service webhooks: a Nest application. Yours to edit. */
// first: the project's .env layers in development, before anything reads the environment
import { bodyLimit, loadedEnvFiles } from './webhooks/_generated/env'
import 'reflect-metadata'
import { ConsoleLogger, Logger } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import type { NestExpressApplication } from '@nestjs/platform-express'
import { AppModule } from './app.module'

async function bootstrap(): Promise<void> {
  // rawBody keeps the exact request bytes (req.rawBody): webhook signatures are computed over them.
  // Logs are JSON lines, one record each, as the other services of the project write them.
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    rawBody: true,
    logger: new ConsoleLogger({ json: true }),
  })
  // event payloads carry whole rows: more than the 100 kB default (WEBHOOK_BODY_LIMIT, default 10mb)
  app.useBodyParser('json', { limit: bodyLimit() })
  app.enableShutdownHooks()
  const port = Number(process.env.PORT ?? 3001)
  await app.listen(port)
  const logger = new Logger('Main')
  if (loadedEnvFiles.length > 0) logger.log(`env from ${loadedEnvFiles.length} .env files of the project`)
  logger.log(`webhooks listening on :${port}`)
}

void bootstrap()
