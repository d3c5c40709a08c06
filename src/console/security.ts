import { randomBytes, timingSafeEqual } from 'node:crypto'
import type http from 'node:http'

/** A random per-run access token: 256 bits, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url')
}

export function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Cookies are not told apart by port: the name carries it, so two consoles do not clash. */
export function cookieName(port: number): string {
  return `nself_hooks_console_${port}`
}

export function readCookie(req: http.IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie
  if (!header) return undefined
  for (const part of header.split(';')) {
    const i = part.indexOf('=')
    if (i < 0) continue
    if (part.slice(0, i).trim() === name) return part.slice(i + 1).trim()
  }
  return undefined
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])

export type Verdict = { ok: true } | { ok: false; status: number; message: string }

/**
 * Who may talk to the console: a loopback peer, addressing this server by a loopback name (a page
 * of another site that rebinds its DNS name to 127.0.0.1 still sends its own name as Host), and,
 * when the browser names the page that sent a request (Origin), that page must be the console.
 */
export function checkOrigin(req: http.IncomingMessage): Verdict {
  const port = req.socket.localPort
  if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
    return { ok: false, status: 403, message: 'the console answers on this machine only' }
  }
  const allowed = [`127.0.0.1:${port}`, `localhost:${port}`]
  const host = (req.headers.host ?? '').toLowerCase()
  if (!allowed.includes(host)) {
    return {
      ok: false,
      status: 421,
      message: `wrong Host header: open the console as http://127.0.0.1:${port}/`,
    }
  }
  const origin = req.headers.origin
  if (origin !== undefined && origin !== `http://${host}`) {
    return { ok: false, status: 403, message: 'cross-origin requests are refused' }
  }
  const site = req.headers['sec-fetch-site']
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') {
    return { ok: false, status: 403, message: 'cross-site requests are refused' }
  }
  return { ok: true }
}
