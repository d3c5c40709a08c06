/** Service webhooks: serves the app on Node through @hono/node-server. Yours to edit. */
// first: the project's .env layers in development, before anything reads the environment
import './webhooks/_generated/env.js'
import { serve } from '@hono/node-server'
import { app } from './app.js'

const port = Number(process.env.PORT ?? 3001)
const server = serve({ fetch: app.fetch, port }, () => {
  console.log(`webhooks listening on :${port}`)
})

// let in-flight deliveries finish when the container stops; Hasura retries whatever is cut off
process.on('SIGTERM', () => {
  server.close(() => process.exit(0))
})
