import { attempt } from './attempt.js'
import type { Db } from './db.js'
import { triggerEnvProblem } from './env-check.js'
import { type DeliveryListener, report } from './forward.js'
import {
  DEFAULT_RETRY_CONF,
  type EventTriggerDef,
  type Metadata,
  type QualifiedTable,
} from './metadata/model.js'
import { stringify } from './raw-json.js'
import { atMost, localTime } from './time.js'
import { type Agents, EnvMissing, resolveTemplate } from './webhook.js'

/** Hasura: up to 100 events fetched at a time and 100 HTTP deliveries in flight. */
export const FETCH_BATCH = 100
export const MAX_IN_FLIGHT = 100

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

interface Outcome {
  id: string
  trigger: string
  status: number | null
  request: string
  response: string
  outcome: 'ok' | 'retry' | 'error'
  secs: number
  /** no invocation log row (a failed request transform) */
  noLog?: boolean
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
 * Delivers event_log rows like Hasura's event processor: lock a batch with FOR UPDATE SKIP LOCKED,
 * POST each, record an invocation, then delivered / retry at next_retry_at / error.
 */
export class EventProcessor {
  private triggers = new Map<string, TriggerInfo>()
  private inFlight = new Set<Promise<void>>()
  private held = new Set<string>()
  private stopped = false
  private wakeUp: (() => void) | undefined
  private woken = false
  private loopDone: Promise<void> | undefined
  private retryTimers = new Set<NodeJS.Timeout>()
  private outcomes: (Outcome & { resolve: () => void; reject: (e: Error) => void })[] = []
  private flushTimer: NodeJS.Timeout | undefined

  constructor(
    private db: Db,
    private opts: ProcessorOptions,
  ) {}

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
    this.woken = true
    this.wakeUp?.()
  }

  async start() {
    // events a killed engine left locked are ours to deliver again (at least once)
    await this.db.query(
      `UPDATE hdb_catalog.event_log SET locked = NULL WHERE locked IS NOT NULL AND delivered = 'f' AND error = 'f'`,
    )
    this.loopDone = this.loop()
  }

  /** Waits (bounded) for deliveries in flight, then unlocks what is still held. */
  async stop(graceMs = 5000) {
    this.stopped = true
    this.wake()
    for (const t of this.retryTimers) clearTimeout(t)
    await this.loopDone
    await atMost(Promise.allSettled([...this.inFlight]), graceMs)
    await this.flush()
    if (this.held.size > 0)
      await this.db
        .query(`UPDATE hdb_catalog.event_log SET locked = NULL WHERE id = ANY($1)`, [[...this.held]])
        .catch(() => {})
  }

  private async loop() {
    while (!this.stopped) {
      const free = MAX_IN_FLIGHT - this.inFlight.size
      if (free <= 0) {
        await Promise.race([...this.inFlight])
        continue
      }
      this.woken = false
      let events: EventRow[] = []
      try {
        events = await this.fetch(Math.min(FETCH_BATCH, free))
      } catch (err) {
        if (!this.stopped) this.opts.log(`event fetch failed: ${(err as Error).message}`)
      }
      if (this.stopped) {
        if (events.length > 0)
          await this.db
            .query(`UPDATE hdb_catalog.event_log SET locked = NULL WHERE id = ANY($1)`, [
              events.map((e) => e.id),
            ])
            .catch(() => {})
        break
      }
      for (const e of events) {
        this.held.add(e.id)
        const p: Promise<void> = this.process(e)
          .catch((err) => this.opts.log(`event ${e.id}: ${(err as Error).message}`))
          .finally(() => {
            this.inFlight.delete(p)
            this.held.delete(e.id)
          })
        this.inFlight.add(p)
      }
      if (events.length > 0 && events.length === Math.min(FETCH_BATCH, free)) continue
      if (this.woken) continue
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, this.opts.pollIntervalMs)
        function done() {
          clearTimeout(t)
          resolve()
        }
        this.wakeUp = done
      })
      this.wakeUp = undefined
    }
  }

  private async fetch(limit: number): Promise<EventRow[]> {
    const names = [...this.triggers.keys()]
    if (names.length === 0) return []
    const { rows } = await this.db.query<EventRow>(
      `UPDATE hdb_catalog.event_log SET locked = NOW()
        WHERE id IN (
          SELECT l.id FROM hdb_catalog.event_log l
           WHERE l.delivered = 'f' AND l.error = 'f' AND l.archived = 'f'
             AND (l.locked IS NULL OR l.locked < NOW() - interval '30 minutes')
             AND (l.next_retry_at IS NULL OR l.next_retry_at <= (NOW() AT TIME ZONE 'UTC'))
             AND l.trigger_name = ANY($2)
           ORDER BY l.locked NULLS FIRST, l.next_retry_at NULLS FIRST, l.created_at
           LIMIT $1
           FOR UPDATE SKIP LOCKED)
        RETURNING id, schema_name, table_name, trigger_name, payload::text AS payload, tries, created_at::text AS created_at`,
      [limit, names],
    )
    return rows
  }

  /**
   * Outcomes are written in batches: one statement inserts the invocation logs and updates the
   * events. The event stays locked until then, so a crash in between means another delivery
   * (at least once), never a lost one.
   */
  private record(r: Outcome): Promise<void> {
    return new Promise((resolve, reject) => {
      this.outcomes.push({ ...r, resolve, reject })
      if (this.outcomes.length >= FETCH_BATCH) void this.flush()
      else this.flushTimer ??= setTimeout(() => void this.flush(), 5)
    })
  }

  private async flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer)
    this.flushTimer = undefined
    const batch = this.outcomes.splice(0)
    if (batch.length === 0) return
    try {
      await this.db.query(
        `WITH inv AS (
           INSERT INTO hdb_catalog.event_invocation_logs (trigger_name, event_id, status, request, response)
           SELECT t, id, st, rq, rs FROM unnest($1::text[], $2::text[], $3::int[], $4::json[], $5::json[], $8::bool[])
                  AS x(t, id, st, rq, rs, logged) WHERE logged)
         UPDATE hdb_catalog.event_log e
            SET tries = e.tries + CASE WHEN u.logged THEN 1 ELSE 0 END,
                delivered = (u.outcome = 'ok'),
                error = (u.outcome = 'error'),
                next_retry_at = CASE WHEN u.outcome = 'retry'
                  THEN (NOW() AT TIME ZONE 'UTC') + make_interval(secs => u.secs) ELSE NULL END,
                locked = NULL
           FROM unnest($2::text[], $6::text[], $7::float8[], $8::bool[]) AS u(id, outcome, secs, logged)
          WHERE e.id = u.id`,
        [
          batch.map((b) => b.trigger),
          batch.map((b) => b.id),
          batch.map((b) => b.status),
          batch.map((b) => (b.noLog ? 'null' : b.request)),
          batch.map((b) => (b.noLog ? 'null' : b.response)),
          batch.map((b) => b.outcome),
          batch.map((b) => b.secs),
          batch.map((b) => !b.noLog),
        ],
      )
      for (const b of batch) b.resolve()
    } catch (err) {
      for (const b of batch) b.reject(err as Error)
    }
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
    const out = await attempt(this.opts.agents, this.opts.env, {
      webhook: () =>
        info.def.webhook_from_env
          ? envOrThrow(this.opts.env, info.def.webhook_from_env)
          : resolveTemplate(info.def.webhook ?? '', this.opts.env),
      urlFromEnv: info.def.webhook_from_env !== undefined || /\{\{/.test(info.def.webhook ?? ''),
      version: '2',
      headers: info.def.headers,
      body,
      text: exactBody(body, e.payload),
      transform: info.def.request_transform,
      sessionVariables: body.event?.session_variables ?? null,
      timeoutMs: timeoutSec * 1000,
      forward: this.opts.forward,
    })
    if (out.kind === 'transform-error') {
      this.opts.log(`event ${e.id}: request transform failed: ${out.message}`)
      await this.record({
        id: e.id,
        trigger: e.trigger_name,
        status: null,
        request: '',
        response: '',
        outcome: 'error',
        secs: 0,
        noLog: true,
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
    await this.record({
      id: e.id,
      trigger: e.trigger_name,
      status: out.status,
      request: stringify(out.request),
      response: stringify(out.response),
      outcome: out.ok ? 'ok' : retryInSec !== undefined ? 'retry' : 'error',
      secs: (retryInSec ?? 0) * this.opts.timeScale,
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
