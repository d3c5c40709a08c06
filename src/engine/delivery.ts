import { attempt } from './attempt.js'
import { Bookkeeping } from './bookkeeping.js'
import type { Db } from './db.js'
import { triggerEnvProblem } from './env-check.js'
import { type DeliveryListener, report } from './forward.js'
import {
  DEFAULT_RETRY_CONF,
  type EventTriggerDef,
  type Metadata,
  type QualifiedTable,
} from './metadata/model.js'
import { atMost, localTime } from './time.js'
import { type Agents, EnvMissing, resolveTemplate } from './webhook.js'

/**
 * Hasura's defaults: 100 events fetched at a time (HASURA_GRAPHQL_EVENTS_FETCH_BATCH_SIZE) and 100
 * HTTP deliveries at once (HASURA_GRAPHQL_EVENTS_HTTP_POOL_SIZE).
 */
export const FETCH_BATCH = 100
export const MAX_IN_FLIGHT = 100
/** Attempts sent but not yet written; beyond this no new request starts until a write commits. */
const MAX_UNRECORDED = 2 * MAX_IN_FLIGHT
/** How long an outcome waits for others to share its write. */
const RECORD_WINDOW_MS = 5

export interface ProcessorOptions {
  env: Record<string, string | undefined>
  pollIntervalMs: number
  /** test-only: multiplies every retry interval (1 = Hasura's seconds) */
  timeScale: number
  log: (line: string) => void
  agents: Agents
  forward?: ((url: string) => string | undefined) | undefined
  listener?: DeliveryListener | undefined
}

interface TriggerInfo {
  def: EventTriggerDef
  table: QualifiedTable
}

interface EventRow {
  id: string
  schema_name: string
  table_name: string
  trigger_name: string
  payload: string
  tries: number
  created_at: string
}

/**
 * Delivers event_log rows like Hasura's event processor (`processEventQueue`,
 * src-lib/Hasura/Eventing/EventTrigger.hs): lock a batch with FOR UPDATE SKIP LOCKED, POST each
 * with at most MAX_IN_FLIGHT requests at once, record an invocation, then delivered / retry at
 * next_retry_at / error. As Hasura does, the next batch is fetched while the current one is being
 * sent, so the requests never wait for a fetch while a backlog lasts; the fetch runs again at once
 * after a full batch, on a NOTIFY from insert_event_log, on a retry falling due, and every
 * pollIntervalMs. Outcomes are written in batches (bookkeeping.ts); a request slot is free again
 * as soon as its response arrives.
 */
export class EventProcessor {
  private triggers = new Map<string, TriggerInfo>()
  /** fetched and locked, not started yet (at most one batch beyond what is being sent) */
  private queue: EventRow[] = []
  /** requests on the wire */
  private sending = 0
  /** attempts from start to written outcome */
  private active = new Set<Promise<void>>()
  /** every event this processor holds locked: queued, being sent, or waiting for its write */
  private held = new Set<string>()
  private fetching: Promise<void> | undefined
  /** a fetch is wanted: a full batch came back, a NOTIFY or a retry woke us, or the poll fired */
  private due = true
  private pollTimer: NodeJS.Timeout | undefined
  /** nothing is fetched before start() has unlocked what a killed engine left locked */
  private started = false
  private stopped = false
  private retryTimers = new Set<NodeJS.Timeout>()
  private book: Bookkeeping

  constructor(
    private db: Db,
    private opts: ProcessorOptions,
  ) {
    this.book = new Bookkeeping(db, FETCH_BATCH, RECORD_WINDOW_MS)
  }

  setMetadata(meta: Metadata) {
    const m = new Map<string, TriggerInfo>()
    for (const s of meta.sources) {
      if (s.kind !== 'postgres') continue
      // an env name the engine cannot resolve makes the trigger inconsistent: its events wait
      for (const t of s.tables)
        for (const def of t.event_triggers ?? [])
          if (!triggerEnvProblem(def, this.opts.env)) m.set(def.name, { def, table: t.table })
    }
    this.triggers = m
    this.wake()
  }

  wake() {
    this.due = true
    this.pump()
  }

  async start() {
    // events a killed engine left locked are ours to deliver again (at least once)
    await this.db.query(
      `UPDATE hdb_catalog.event_log SET locked = NULL WHERE locked IS NOT NULL AND delivered = 'f' AND error = 'f'`,
    )
    this.started = true
    this.pump()
  }

  /** Waits (bounded) for deliveries in flight, writes their outcomes, then unlocks what is still held. */
  async stop(graceMs = 5000) {
    this.stopped = true
    if (this.pollTimer) clearTimeout(this.pollTimer)
    for (const t of this.retryTimers) clearTimeout(t)
    await this.fetching
    // fetched but never started: unlocked below with the rest
    this.queue = []
    await atMost(Promise.allSettled([...this.active]), graceMs)
    await this.book.close()
    if (this.held.size > 0) await this.unlock([...this.held])
  }

  private unlock(ids: string[]): Promise<void> {
    return this.db.query(`UPDATE hdb_catalog.event_log SET locked = NULL WHERE id = ANY($1)`, [ids]).then(
      () => {},
      () => {},
    )
  }

  /** Starts what the limits allow, and a fetch when one is due and the queue has room. */
  private pump() {
    if (!this.started || this.stopped) return
    while (
      this.queue.length > 0 &&
      this.sending < MAX_IN_FLIGHT &&
      this.active.size - this.sending < MAX_UNRECORDED
    ) {
      const e = this.queue.shift() as EventRow
      const p: Promise<void> = this.process(e)
        .catch((err) => this.opts.log(`event ${e.id}: ${(err as Error).message}`))
        .finally(() => {
          this.active.delete(p)
          this.held.delete(e.id)
          this.pump()
        })
      this.active.add(p)
    }
    if (this.due && !this.fetching && this.queue.length < FETCH_BATCH) {
      this.due = false
      this.fetching = this.fetchBatch().finally(() => {
        this.fetching = undefined
        this.pump()
      })
    }
  }

  private async fetchBatch() {
    let events: EventRow[] = []
    try {
      events = await this.fetch(FETCH_BATCH)
    } catch (err) {
      if (!this.stopped) this.opts.log(`event fetch failed: ${(err as Error).message}`)
    }
    if (this.stopped) {
      if (events.length > 0) await this.unlock(events.map((e) => e.id))
      return
    }
    for (const e of events) {
      this.held.add(e.id)
      this.queue.push(e)
    }
    // a full batch: more are probably waiting (Hasura's processEventQueue fetches again at once)
    if (events.length === FETCH_BATCH) this.due = true
    else
      this.pollTimer ??= setTimeout(() => {
        this.pollTimer = undefined
        this.wake()
      }, this.opts.pollIntervalMs)
  }

  private async fetch(limit: number): Promise<EventRow[]> {
    const names = [...this.triggers.keys()]
    if (names.length === 0) return []
    const { rows } = await this.db.query<EventRow>(
      'SELECT * FROM hdb_catalog.nself_hooks_fetch_events($1, $2)',
      [limit, names],
    )
    return rows
  }

  private async process(e: EventRow) {
    const info = this.triggers.get(e.trigger_name)
    if (!info) {
      // Hasura: the trigger vanished after the fetch; unlock and look again in a minute
      await this.db.query(
        `UPDATE hdb_catalog.event_log SET locked = NULL, next_retry_at = (NOW() AT TIME ZONE 'UTC') + interval '60 seconds' WHERE id = $1`,
        [e.id],
      )
      return
    }
    const retry = { ...DEFAULT_RETRY_CONF, ...info.def.retry_conf }
    const timeoutSec = info.def.retry_conf.timeout_sec ?? DEFAULT_RETRY_CONF.timeout_sec
    const body = {
      id: e.id,
      table: { schema: e.schema_name, name: e.table_name },
      trigger: { name: e.trigger_name },
      event: JSON.parse(e.payload),
      delivery_info: { current_retry: e.tries, max_retries: retry.num_retries },
      created_at: localTime(e.created_at),
    }
    const text = exactBody(body, e.payload)
    this.sending++
    const out = await attempt(this.opts.agents, this.opts.env, {
      webhook: () =>
        info.def.webhook_from_env
          ? envOrThrow(this.opts.env, info.def.webhook_from_env)
          : resolveTemplate(info.def.webhook ?? '', this.opts.env),
      urlFromEnv: info.def.webhook_from_env !== undefined || /\{\{/.test(info.def.webhook ?? ''),
      version: '2',
      headers: info.def.headers,
      body,
      text,
      transform: info.def.request_transform,
      sessionVariables: body.event?.session_variables ?? null,
      timeoutMs: timeoutSec * 1000,
      forward: this.opts.forward,
    }).finally(() => {
      // the request slot is free once the answer is in; the write below does not hold it
      this.sending--
      this.pump()
    })
    if (out.kind === 'transform-error') {
      this.opts.log(`event ${e.id}: request transform failed: ${out.message}`)
      await this.book.record({
        id: e.id,
        trigger: e.trigger_name,
        status: null,
        request: null,
        response: null,
        outcome: 'error',
        secs: 0,
        logged: false,
      })
      return
    }
    let retryInSec: number | undefined
    if (!out.ok) {
      // Hasura retryOrSetError: tries counts earlier attempts; Retry-After forces another attempt
      if (e.tries < retry.num_retries || out.retryAfter !== undefined)
        retryInSec = out.retryAfter ?? retry.interval_sec
    }
    this.opts.log(
      `event ${e.trigger_name} ${e.id} attempt ${e.tries + 1}: ${out.summary} → ${
        out.ok ? 'delivered' : retryInSec !== undefined ? `retry in ${retryInSec}s` : 'error'
      }`,
    )
    await this.book.record({
      id: e.id,
      trigger: e.trigger_name,
      status: out.status,
      request: out.request,
      response: out.response,
      outcome: out.ok ? 'ok' : retryInSec !== undefined ? 'retry' : 'error',
      secs: (retryInSec ?? 0) * this.opts.timeScale,
      logged: true,
    })
    this.opts.listener?.attempt(
      report(out, {
        kind: 'event',
        name: e.trigger_name,
        op: (body.event as { op?: string } | null)?.op,
        id: e.id,
        attempt: e.tries + 1,
        retryInSec,
      }),
    )
    if (retryInSec !== undefined && !this.stopped) {
      const t = setTimeout(
        () => {
          this.retryTimers.delete(t)
          this.wake()
        },
        retryInSec * this.opts.timeScale * 1000 + 5,
      )
      this.retryTimers.add(t)
    }
  }
}

function envOrThrow(env: Record<string, string | undefined>, name: string): string {
  const v = env[name]
  if (v === undefined) throw new EnvMissing(`environment variable '${name}' not set`)
  return v
}

/**
 * The body as Hasura sends it, with the stored event spliced in as text: JSON.parse would turn an
 * int8 above 2^53 or a long numeric into a different number, and Hasura sends the exact digits.
 */
export function exactBody(body: Record<string, unknown>, payloadText: string): string {
  const fields = Object.entries(body).map(
    ([key, value]) =>
      `${JSON.stringify(key)}:${key === 'event' ? compactJson(payloadText) : JSON.stringify(value)}`,
  )
  return `{${fields.join(',')}}`
}

/** jsonb's text form without the spaces between tokens (Hasura's bodies are compact); strings untouched. */
export function compactJson(text: string): string {
  let out = ''
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (inString) {
      out += ch
      if (ch === '\\') out += text[++i] ?? ''
      else if (ch === '"') inString = false
    } else if (ch === '"') {
      inString = true
      out += ch
    } else if (ch !== ' ' && ch !== '\n' && ch !== '\t' && ch !== '\r') out += ch
  }
  return out
}
