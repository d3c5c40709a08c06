import { Cron } from 'croner'
import { attempt } from './attempt.js'
import type { Db } from './db.js'
import { compactJson } from './delivery.js'
import { cronEnvProblem } from './env-check.js'
import { type DeliveryListener, report } from './forward.js'
import { cronRetry } from './metadata/cron-triggers.js'
import {
  type CronTriggerDef,
  DEFAULT_CRON_RETRY_CONF,
  type HeaderConf,
  type JsonObject,
} from './metadata/model.js'
import { RawJson, stringify } from './raw-json.js'
import type { StoredState } from './store.js'
import { allCrons } from './store.js'
import { atMost, utcJson } from './time.js'
import { type Agents, EnvMissing, resolveTemplate } from './webhook.js'

/**
 * Hasura tops a cron trigger up when fewer than 100 upcoming events remain, generating 100 more
 * after the latest one, so 100 to 199 lie ahead (`getDeprivedCronTriggerStats`: `WHERE
 * upcoming_events_count < 100`, then `generateScheduleTimes ... 100` in Hasura's
 * `src-lib/Hasura/Eventing/ScheduledTrigger.hs`).
 */
export const CRON_HORIZON = 100

export interface CronOptions {
  env: Record<string, string | undefined>
  log: (line: string) => void
  agents: Agents
  forward?: ((url: string) => string | undefined) | undefined
  listener?: DeliveryListener | undefined
  timeScale: number
  pollIntervalMs: number
}

interface DueEvent {
  id: string
  kind: 'cron' | 'one_off'
  trigger_name: string | null
  scheduled_time: Date
  created_at: Date
  tries: number
  webhook_conf?: unknown
  retry_conf?: unknown
  payload?: unknown
  header_conf?: unknown
  comment?: string | null
  request_transform?: unknown
}

/**
 * Cron triggers and one-off scheduled events: generates the next occurrences into hdb_cron_events,
 * delivers what is due with the cron retry rules, and marks events past tolerance_seconds dead.
 */
export class CronScheduler {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private stopped = false
  private inFlight = new Set<Promise<void>>()
  private dirty = true

  constructor(
    private db: Db,
    private state: () => StoredState,
    private opts: CronOptions,
  ) {}

  async start() {
    // what a killed engine left locked goes back to scheduled (at least once)
    await this.db.query(`UPDATE hdb_catalog.hdb_cron_events SET status = 'scheduled' WHERE status = 'locked'`)
    await this.db.query(
      `UPDATE hdb_catalog.hdb_scheduled_events SET status = 'scheduled' WHERE status = 'locked'`,
    )
    this.schedule(0)
  }

  refresh() {
    this.dirty = true
    this.schedule(0)
  }

  async stop() {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    await this.running
    await atMost(Promise.allSettled([...this.inFlight]), 5000)
  }

  private schedule(ms: number) {
    if (this.stopped) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      if (this.running) {
        this.schedule(50)
        return
      }
      this.running = this.tick()
        .catch((err) => {
          if (!this.stopped) this.opts.log(`cron: ${(err as Error).message}`)
        })
        .finally(() => {
          this.running = undefined
          this.schedule(this.opts.pollIntervalMs)
        })
    }, ms)
  }

  private async tick() {
    if (this.dirty) {
      this.dirty = false
      await this.generate()
    }
    const crons = new Map(this.crons().map((c) => [c.name, c]))
    const due = await this.fetchDue([...crons.keys()])
    for (const e of due) {
      const p: Promise<void> = this.process(e, e.trigger_name ? crons.get(e.trigger_name) : undefined)
        .catch((err) => this.opts.log(`scheduled event ${e.id}: ${(err as Error).message}`))
        .finally(() => this.inFlight.delete(p))
      this.inFlight.add(p)
    }
    // keep the horizon full as time passes
    if (due.some((e) => e.kind === 'cron')) this.dirty = true
  }

  /** The crons whose env names resolve: an inconsistent cron gets no events and sends none. */
  private crons(): CronTriggerDef[] {
    return allCrons(this.state()).filter((c) => !cronEnvProblem(c, this.opts.env))
  }

  /** Adds 100 events after the latest one to each cron trigger with fewer than 100 ahead. */
  async generate() {
    const crons = this.crons()
    if (crons.length === 0) return
    const { rows } = await this.db.query<{ trigger_name: string; future: number; last: Date | null }>(
      `SELECT trigger_name, count(*) FILTER (WHERE scheduled_time > now() AND status = 'scheduled')::int AS future,
              max(scheduled_time) AS last
         FROM hdb_catalog.hdb_cron_events WHERE trigger_name = ANY($1) GROUP BY trigger_name`,
      [crons.map((c) => c.name)],
    )
    const byName = new Map(rows.map((r) => [r.trigger_name, r]))
    const names: string[] = []
    const times: string[] = []
    const now = new Date()
    for (const c of crons) {
      const have = byName.get(c.name)
      const future = have?.future ?? 0
      if (future >= CRON_HORIZON) continue
      let from = have?.last && new Date(have.last) > now ? new Date(have.last) : now
      let job: Cron
      try {
        job = new Cron(c.schedule, { timezone: 'UTC', paused: true })
      } catch {
        continue
      }
      for (let i = 0; i < CRON_HORIZON; i++) {
        const next = job.nextRun(from)
        if (!next) break
        names.push(c.name)
        times.push(next.toISOString())
        from = next
      }
      job.stop()
    }
    if (names.length === 0) return
    await this.db.query(
      `INSERT INTO hdb_catalog.hdb_cron_events (trigger_name, scheduled_time)
       SELECT * FROM unnest($1::text[], $2::timestamptz[])
       ON CONFLICT (trigger_name, scheduled_time) WHERE status = 'scheduled' DO NOTHING`,
      [names, times],
    )
  }

  private async fetchDue(cronNames: string[]): Promise<DueEvent[]> {
    const cron = await this.db.query<DueEvent>(
      `UPDATE hdb_catalog.hdb_cron_events SET status = 'locked'
        WHERE id IN (
          SELECT id FROM hdb_catalog.hdb_cron_events
           WHERE status = 'scheduled' AND trigger_name = ANY($1)
             AND ((next_retry_at IS NULL AND scheduled_time <= now()) OR (next_retry_at IS NOT NULL AND next_retry_at <= now()))
           ORDER BY scheduled_time LIMIT 100 FOR UPDATE SKIP LOCKED)
        RETURNING id, 'cron' AS kind, trigger_name, scheduled_time, created_at, tries`,
      [cronNames],
    )
    const oneOff = await this.db.query<DueEvent>(
      `UPDATE hdb_catalog.hdb_scheduled_events SET status = 'locked'
        WHERE id IN (
          SELECT id FROM hdb_catalog.hdb_scheduled_events
           WHERE status = 'scheduled'
             AND ((next_retry_at IS NULL AND scheduled_time <= now()) OR (next_retry_at IS NOT NULL AND next_retry_at <= now()))
           ORDER BY scheduled_time LIMIT 100 FOR UPDATE SKIP LOCKED)
        RETURNING id, 'one_off' AS kind, NULL::text AS trigger_name, scheduled_time, created_at, tries,
                  webhook_conf, retry_conf, payload::text AS payload, header_conf, comment, request_transform`,
    )
    return [...cron.rows, ...oneOff.rows]
  }

  private async process(e: DueEvent, cron: CronTriggerDef | undefined) {
    const table = e.kind === 'cron' ? 'hdb_cron_events' : 'hdb_scheduled_events'
    const logTable =
      e.kind === 'cron' ? 'hdb_cron_event_invocation_logs' : 'hdb_scheduled_event_invocation_logs'
    const j = (v: unknown) => v
    let retry = DEFAULT_CRON_RETRY_CONF
    let webhookSpec: unknown
    let headers: HeaderConf[] = []
    let body: Record<string, unknown>
    /** the body as sent: a one-off event's payload keeps the digits it was stored with */
    let sent: Record<string, unknown>
    const scheduled = new Date(e.scheduled_time)
    if (e.kind === 'cron') {
      if (!cron) {
        await this.db.query(`UPDATE hdb_catalog.hdb_cron_events SET status = 'scheduled' WHERE id = $1`, [
          e.id,
        ])
        return
      }
      retry = cronRetry(cron)
      webhookSpec = cron.webhook
      headers = cron.headers ?? []
      body = { id: e.id, name: cron.name, scheduled_time: utcJson(scheduled), payload: cron.payload ?? null }
      if (cron.comment != null) body.comment = cron.comment
      sent = body
    } else {
      retry = { ...DEFAULT_CRON_RETRY_CONF, ...((j(e.retry_conf) as object) ?? {}) }
      webhookSpec = j(e.webhook_conf)
      headers = (j(e.header_conf) as HeaderConf[]) ?? []
      const payloadText = typeof e.payload === 'string' ? compactJson(e.payload) : 'null'
      body = { id: e.id, scheduled_time: utcJson(scheduled), payload: JSON.parse(payloadText) }
      if (e.comment != null) body.comment = e.comment
      body.created_at = utcJson(new Date(e.created_at))
      sent = { ...body, payload: new RawJson(payloadText) }
    }
    // Hasura: an event later than its tolerance is dead and never sent
    if (Date.now() - scheduled.getTime() > retry.tolerance_seconds * 1000) {
      await this.db.query(`UPDATE hdb_catalog.${table} SET status = 'dead' WHERE id = $1`, [e.id])
      return
    }
    const transform = (e.kind === 'cron' ? cron?.request_transform : j(e.request_transform)) as
      | JsonObject
      | undefined
    const out = await attempt(this.opts.agents, this.opts.env, {
      webhook: () =>
        typeof webhookSpec === 'string'
          ? resolveTemplate(webhookSpec, this.opts.env)
          : envValue(this.opts.env, (webhookSpec as { from_env?: string })?.from_env),
      urlFromEnv: typeof webhookSpec !== 'string' || /\{\{/.test(webhookSpec),
      version: '1',
      headers,
      body,
      text: stringify(sent),
      transform: transform ?? undefined,
      sessionVariables: null,
      timeoutMs: retry.timeout_seconds * 1000,
      forward: this.opts.forward,
    })
    if (out.kind === 'transform-error') {
      // Hasura: a transformation error fails the event without an invocation
      this.opts.log(`scheduled event ${e.id}: request transform failed: ${out.message}`)
      await this.db.query(`UPDATE hdb_catalog.${table} SET status = 'error' WHERE id = $1`, [e.id])
      return
    }
    const ok = out.ok
    let retryIn: number | undefined
    if (!ok) {
      if (e.tries < retry.num_retries || out.retryAfter !== undefined)
        retryIn = out.retryAfter ?? retry.retry_interval_seconds
    }
    this.opts.log(
      `${e.kind === 'cron' ? `cron ${e.trigger_name}` : 'scheduled event'} ${e.id}: ${out.summary} → ${
        ok ? 'delivered' : retryIn !== undefined ? `retry in ${retryIn}s` : 'error'
      }`,
    )
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO hdb_catalog.${logTable} (event_id, status, request, response) VALUES ($1, $2, $3, $4)`,
        [e.id, out.status, stringify(out.request), stringify(out.response)],
      )
      if (ok)
        await tx.query(
          `UPDATE hdb_catalog.${table} SET tries = tries + 1, status = 'delivered' WHERE id = $1`,
          [e.id],
        )
      else if (retryIn !== undefined)
        await tx.query(
          `UPDATE hdb_catalog.${table} SET tries = tries + 1, status = 'scheduled',
              next_retry_at = now() + make_interval(secs => $2) WHERE id = $1`,
          [e.id, retryIn * this.opts.timeScale],
        )
      else
        await tx.query(`UPDATE hdb_catalog.${table} SET tries = tries + 1, status = 'error' WHERE id = $1`, [
          e.id,
        ])
    })
    this.opts.listener?.attempt(
      report(out, {
        kind: e.kind === 'cron' ? 'cron' : 'scheduled',
        name: e.kind === 'cron' ? (e.trigger_name ?? undefined) : undefined,
        op: undefined,
        id: e.id,
        attempt: e.tries + 1,
        retryInSec: retryIn,
      }),
    )
    if (retryIn !== undefined)
      this.schedule(Math.min(this.opts.pollIntervalMs, retryIn * this.opts.timeScale * 1000 + 5))
  }
}

function envValue(env: Record<string, string | undefined>, name: string | undefined): string {
  if (!name) return ''
  const v = env[name]
  if (v === undefined) throw new EnvMissing(`environment variable '${name}' not set`)
  return v
}
