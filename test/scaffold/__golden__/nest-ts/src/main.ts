/** Service webhooks: a Nest application. Yours to edit. */
import 'reflect-metadata'
import { NestFactory } from '@nestjs/core'
import { AppModule } from './app.module'

async function bootstrap(): Promise<void> {
  // rawBody keeps the exact request bytes (req.rawBody): webhook signatures are computed over them
  const app = await NestFactory.create(AppModule, { rawBody: true })
  app.enableShutdownHooks()
  const port = Number(process.env.PORT ?? 3001)
  await app.listen(port)
  console.log(`webhooks listening on :${port}`)
}

void bootstrap()
