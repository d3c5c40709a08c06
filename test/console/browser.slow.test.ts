import http from 'node:http'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ADMIN_SECRET,
  fixtureConsole,
  launchBrowser,
  NO_BROWSER_REASON,
  WEBHOOK_SECRET,
} from '../helpers/console.js'
import { client } from '../helpers/engine.js'
import { waitFor } from '../helpers/wait.js'

/**
 * The console in a real browser (Debian's chromium, headless) against the embedded engine: the
 * fixture's triggers, an event failed by its handler with every attempt, redelivered once the
 * handler is fixed; nothing leaves 127.0.0.1 and no secret reaches the browser.
 */

function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'GET', headers }, (res) => {
      let body = ''
      res.on('data', (c) => {
        body += c
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe.skipIf(NO_BROWSER_REASON !== undefined)(
  `the console in Chromium${NO_BROWSER_REASON ? ` (skipped: ${NO_BROWSER_REASON})` : ''}`,
  () => {
    let fx: Awaited<ReturnType<typeof fixtureConsole>>
    let browser: BrowserContext
    let page: Page
    const requests: string[] = []
    const received: { url: string; text: string }[] = []

    beforeAll(async () => {
      fx = await fixtureConsole()
      browser = await launchBrowser()
      browser.on('request', (r) => requests.push(r.url()))
      browser.on('response', async (r) => {
        const headers = JSON.stringify(await r.allHeaders())
        const body = await r.body().catch(() => Buffer.from(''))
        received.push({ url: r.url(), text: headers + body.toString('utf8') })
      })
      page = await browser.newPage()
    }, 120_000)

    afterAll(async () => {
      await browser?.close()
      await fx?.close()
    })

    it('signs in with the printed URL, drops the token from the address bar, lists the fixture', async () => {
      await page.goto(fx.console.signInUrl)
      expect(page.url()).toBe(fx.console.url)
      const cookies = await browser.cookies()
      expect(cookies).toHaveLength(1)
      expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict' })
      await page.locator('#triggers tbody tr').first().waitFor()
      const names = await page
        .locator('#triggers tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')))
      expect(names).toEqual(['user_created', 'user_updated', 'order_completed'])
      expect(await page.locator('#crons tbody tr').getAttribute('data-name')).toBe('daily-report-generation')
      // synced just now: config and server agree
      expect(
        await page.locator('[data-drift]').evaluateAll((els) => els.map((e) => e.getAttribute('data-drift'))),
      ).toEqual(['in-sync', 'in-sync', 'in-sync', 'in-sync'])
    })

    it('shows an event failed by the handler with every attempt, secrets masked and bodies as text', async () => {
      // a trigger made by hand on the server, with a credential as a literal header value
      await client(fx.engine.url, ADMIN_SECRET).ok('pg_create_event_trigger', {
        name: 'audit_hook',
        source: 'default',
        table: { schema: 'public', name: 'users' },
        insert: { columns: '*' },
        webhook: `${fx.handler.url}/audit`,
        headers: [{ name: 'Authorization', value: 'Bearer literal-credential-123' }],
        retry_conf: { num_retries: 0, interval_sec: 1, timeout_sec: 5 },
      })
      await fx.engine.query(`INSERT INTO public.users (email, name) VALUES ('ada@example.com', 'Ada')`)
      const failed = async (name: string) =>
        (await fx.engine.query(`SELECT id, error FROM hdb_catalog.event_log WHERE trigger_name = '${name}'`))
          .rows[0]
      await waitFor(async () => (await failed('user_created'))?.error === true, 'the event to fail')
      await waitFor(async () => (await failed('audit_hook'))?.error === true, 'the hand-made event to fail')
      await page.goto(`${fx.console.url}#/events?trigger=user_created`)
      const row = page.locator('#events tbody tr[data-status="failed"]')
      await row.first().waitFor()
      expect(await row.count()).toBe(1)
      await row.locator('a').click()
      await page.locator('#event-status [data-status]').waitFor()
      expect(await page.locator('#event-status').textContent()).toBe('failed')
      const attempts = page.locator('section.attempt')
      expect(await attempts.count()).toBe(2) // the first try and one retry
      expect(await attempts.evaluateAll((a) => a.map((x) => x.getAttribute('data-http')))).toEqual([
        '500',
        '500',
      ])
      const text = (await page.locator('main').textContent()) ?? ''
      // Hasura logs a fromEnv header by its env name, never its value
      expect(text).toContain('X-Webhook-Secret(from env WEBHOOK_SECRET)')
      // the handler's body arrives as text: the markup in it is shown, never parsed
      expect(await page.locator('.response-body').first().textContent()).toContain(
        '<img src=x onerror=alert(1)>',
      )
      expect(await page.locator('main img').count()).toBe(0)
      expect(await page.locator('#payload').textContent()).toContain('ada@example.com')

      const audit = (await failed('audit_hook')).id as string
      await page.goto(`${fx.console.url}#/event/${audit}`)
      await page.locator('section.attempt').first().waitFor()
      const auditText = (await page.locator('main').textContent()) ?? ''
      expect(auditText).toContain('Authorization••••••')
      expect(auditText).not.toContain('literal-credential-123')
    })

    it('redelivers it after the handler is fixed and shows it delivered', async () => {
      fx.fix()
      await page.goto(`${fx.console.url}#/events?trigger=user_created&status=failed`)
      await page.locator('#events tbody tr[data-status="failed"] a').click()
      await page.locator('section.attempt').first().waitFor()
      expect(await page.locator('section.attempt').count()).toBe(2)
      await page.locator('#redeliver').click()
      await page.locator('#event-status [data-status="delivered"]').waitFor({ timeout: 20_000 })
      await waitFor(
        async () => (await page.locator('section.attempt').count()) === 3,
        'the third attempt to show',
      )
      expect(await page.locator('section.attempt').last().getAttribute('data-http')).toBe('200')
      await page.goto(`${fx.console.url}#/events?trigger=user_created&status=delivered`)
      await page.locator('#events tbody tr[data-status="delivered"]').first().waitFor()
    })

    it('sends a synthetic event and shows the handler’s answer', async () => {
      const before = fx.handler.requests.length
      await page.goto(`${fx.console.url}#/send`)
      await page.locator('#send-trigger').selectOption('user_created')
      await page.locator('#send-new').fill('{"email": "<b>sent</b>@example.com"}')
      await page.locator('#send-button').click()
      await page.locator('#send-result .status-delivered').waitFor()
      expect(await page.locator('#send-result').textContent()).toContain('HTTP 200')
      expect(fx.handler.requests.slice(before).map((r) => r.body.event.data.new.email)).toEqual([
        '<b>sent</b>@example.com',
      ])
      expect(await page.locator('#send-result b').count()).toBe(0)
      await page.locator('#send-new').fill('{not json')
      await page.locator('#send-button').click()
      await page.locator('#send-result .error').waitFor()
      expect(await page.locator('#send-result .error').textContent()).toContain(
        'the new row is not valid JSON',
      )
    })

    it('is usable from the keyboard', async () => {
      await page.goto(`${fx.console.url}#/`)
      await page.locator('#triggers').waitFor()
      await page.keyboard.press('g')
      await page.keyboard.press('e')
      await page.locator('#events tbody tr').first().waitFor()
      expect(page.url()).toContain('#/events')
      await page.keyboard.press('j')
      const focused = await page.evaluate<string | null | undefined>(
        "document.activeElement?.closest('tr')?.getAttribute('data-id')",
      )
      expect(focused).toBeTruthy()
      await page.keyboard.press('Enter')
      await page.locator('#event-status').waitFor()
      expect(page.url()).toContain(`#/event/${focused}`)
    })

    it('follows the reader’s light or dark mode', async () => {
      const bg = async (scheme: 'light' | 'dark') => {
        await page.emulateMedia({ colorScheme: scheme })
        return page.evaluate<string>('getComputedStyle(document.body).backgroundColor')
      }
      expect(await bg('light')).toBe('rgb(255, 255, 255)')
      expect(await bg('dark')).toBe('rgb(13, 17, 23)')
      await page.emulateMedia({ colorScheme: 'light' })
    })

    it('sent no request beyond its own server and received no secret', () => {
      expect(requests.length).toBeGreaterThan(10)
      const origin = new URL(fx.console.url).origin
      expect(requests.filter((u) => !u.startsWith(`${origin}/`))).toEqual([])
      expect(received.length).toBeGreaterThan(10)
      for (const r of received) {
        expect(r.text, r.url).not.toContain(ADMIN_SECRET)
        expect(r.text, r.url).not.toContain(WEBHOOK_SECRET)
        expect(r.text, r.url).not.toContain('literal-credential-123')
      }
      // the event page's own data went through the API: masked there, not just on screen
      expect(received.some((r) => r.url.includes('/api/events/') && r.text.includes('Authorization'))).toBe(
        true,
      )
    })

    it('answers 401 without the token and refuses a wrong Host', async () => {
      const fresh = await browser.browser()?.newContext()
      if (fresh) {
        const p = await fresh.newPage()
        const res = await p.goto(fx.console.url)
        expect(res?.status()).toBe(401)
        await fresh.close()
      }
      for (const path of [
        '',
        'app.js',
        'app.css',
        'api/meta',
        'api/overview',
        `api/events?trigger=user_created`,
      ]) {
        const r = await fetch(`${fx.console.url}${path}`)
        expect(r.status, path).toBe(401)
        expect(await r.text()).not.toContain('user_created')
      }
      const post = await fetch(`${fx.console.url}api/redeliver`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"id":"x"}',
      })
      expect(post.status).toBe(401)
      const wrongToken = await fetch(`${fx.console.url}?token=${'A'.repeat(43)}`, { redirect: 'manual' })
      expect(wrongToken.status).toBe(401)
      const port = new URL(fx.console.url).port
      const token = new URL(fx.console.signInUrl).searchParams.get('token')!
      const rebound = await rawGet(`${fx.console.url}api/meta`, {
        Host: `attacker.example:${port}`,
        Authorization: `Bearer ${token}`,
      })
      expect(rebound.status).toBe(421)
      expect(rebound.body).not.toContain('user_created')
      const ok = await rawGet(`${fx.console.url}api/meta`, {
        Host: `localhost:${port}`,
        Authorization: `Bearer ${token}`,
      })
      expect(ok.status).toBe(200)
    })
  },
)
