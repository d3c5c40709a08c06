/** Service webhooks: the Hono app, with a health route and the webhook routes nself-hooks generates. Yours to edit. */
import { Hono } from 'hono'
import { webhooksApp } from './webhooks/_generated/routes.js'

export const app = new Hono()

app.get('/health', (c) => c.json({ status: 'ok', service: 'webhooks' }))

app.route('/', webhooksApp)
