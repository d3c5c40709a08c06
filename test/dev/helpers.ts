import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { execa, type ResultPromise } from 'execa'
import { BIN } from '../helpers/project.js'

export interface Received {
  path: string
  headers: IncomingMessage['headers']
  body: string
}

/** A real local handler: records every request, answers 200 (or `status`). */
export async function handler(status = 200): Promise<{ port: number; got: Received[]; server: Server }> {
  const got: Received[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (c) => {
      body += c
    })
    req.on('end', () => {
      got.push({ path: req.url ?? '', headers: req.headers, body })
      res.writeHead(status, { 'content-type': 'application/json' }).end('{"ok":true}')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return { port: (server.address() as AddressInfo).port, got, server }
}

export interface Running {
  proc: ResultPromise
  out(): string
  err(): string
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  stop(): Promise<{ exitCode?: number | undefined }>
}

/** The built CLI as a long-running process, its output collected as it comes. */
export function spawnCli(args: string[], cwd: string, env: Record<string, string> = {}): Running {
  const proc: ResultPromise = execa('node', [BIN, ...args], {
    cwd,
    env: { NO_COLOR: '1', ...env },
    reject: false,
    stdin: 'ignore',
  })
  let stdout = ''
  let stderr = ''
  proc.stdout?.on('data', (c) => {
    stdout += c
  })
  proc.stderr?.on('data', (c) => {
    stderr += c
  })
  return {
    proc,
    out: () => stdout,
    err: () => stderr,
    /** resolves once `pattern` appears in stdout + stderr; rejects on timeout or exit */
    async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
      const until = Date.now() + timeoutMs
      for (;;) {
        const m = (stdout + stderr).match(pattern)
        if (m) return m
        if (proc.exitCode !== null && proc.exitCode !== undefined)
          throw new Error(`exited ${proc.exitCode} before ${pattern}:\n${stdout}\n${stderr}`)
        if (Date.now() > until) throw new Error(`timed out waiting for ${pattern}:\n${stdout}\n${stderr}`)
        await new Promise((r) => setTimeout(r, 25))
      }
    },
    async stop() {
      proc.kill('SIGINT')
      return proc
    },
  }
}

export async function waitUntil<T>(
  fn: () => T | undefined,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const v = fn()
    if (v !== undefined && v !== false) return v
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

export async function api(url: string, secret: string, path: string, body: unknown): Promise<any> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'x-hasura-admin-secret': secret, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const json = await res.json()
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`)
  return json
}

export const runSql = (url: string, secret: string, sql: string) =>
  api(url, secret, '/v2/query', { type: 'run_sql', args: { source: 'default', sql } })
