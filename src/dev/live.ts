import type { ChalkInstance } from 'chalk'
import { remoteLine } from '../output/remote-text.js'

/** One delivery attempt as the engine reports it (its AttemptReport). */
export interface LiveAttempt {
  kind: 'event' | 'cron' | 'scheduled'
  name: string | undefined
  op: string | undefined
  id: string
  attempt: number
  status: number | null
  error: string | undefined
  durationMs: number
  url: string | undefined
  forwarded: boolean
  result: 'delivered' | 'retry' | 'failed'
  retryInSec: number | undefined
}

function hhmmss(d: Date): string {
  return d.toTimeString().slice(0, 8)
}

/**
 * `dev`'s line per attempt: time, trigger or cron, op, short event id, HTTP status or the failure
 * reason, duration, attempt number, and what happens next.
 */
export function liveLine(a: LiveAttempt, c: ChalkInstance, now = new Date()): string {
  const name = a.kind === 'scheduled' ? 'scheduled event' : (a.name ?? '?')
  const op = a.kind === 'event' ? (a.op ?? '') : a.kind
  const outcome =
    a.status !== null
      ? (a.result === 'delivered' ? c.green : c.red)(String(a.status))
      : c.red(remoteLine(a.error ?? 'no answer'))
  const next =
    a.result === 'retry'
      ? c.yellow(` retry in ${a.retryInSec}s`)
      : a.result === 'failed'
        ? c.red(' failed')
        : ''
  return `${c.dim(hhmmss(now))} ${c.bold(remoteLine(name))} ${op} ${c.cyan(a.id.slice(0, 8))} ${outcome} ${Math.round(
    a.durationMs,
  )}ms #${a.attempt}${next}`
}

/** `dev --json`: one object per line. */
export function liveJson(a: LiveAttempt, now = new Date()): string {
  return JSON.stringify({
    time: now.toISOString(),
    kind: a.kind,
    name: a.name ?? null,
    op: a.op ?? null,
    id: a.id,
    attempt: a.attempt,
    status: a.status,
    error: a.error ?? null,
    duration_ms: Math.round(a.durationMs * 10) / 10,
    url: a.url ?? null,
    forwarded: a.forwarded,
    result: a.result,
    retry_in_sec: a.retryInSec ?? null,
  })
}
