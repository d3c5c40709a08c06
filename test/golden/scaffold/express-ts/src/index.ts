/** Service webhooks: health route and the webhook routes nself-hooks generates. Yours to edit. */
// first: the project's .env layers in development, before anything reads the environment
import { loadedEnvFiles } from './webhooks/_generated/env.js'
import express from 'express'
import { webhooksRouter } from './webhooks/_generated/routes.js'

const app = express()
app.disable('x-powered-by')

app.get('/health', (_req, res) => {
  res.json({ status: 'ok', service: 'webhooks' })
})

app.use(webhooksRouter)

const port = Number(process.env.PORT ?? 3001)
const server = app.listen(port, () => {
  const env = loadedEnvFiles.length > 0 ? ` (env from ${loadedEnvFiles.length} .env files)` : ''
  console.log(`webhooks listening on :${port}${env}`)
})

// let in-flight deliveries finish when the container stops; Hasura retries whatever is cut off
process.on('SIGTERM', () => {
  server.close(() => process.exit(0))
})
