import { UserError } from '../errors.js'
import { type EventDetail, eventDetail } from '../events/detail.js'
import { collectCronEvents, cronStatus, type DeliveryStatus, type Window } from '../events/log.js'
import type { Session } from '../events/lookup.js'
import { STATUSES } from '../events/options.js'
import { countEvents, type PageCursor, pageEvents } from '../events/page.js'
import { replayFailed, requestRedelivery, selectFailed } from '../events/replay.js'
import { sendEvent } from '../events/send.js'
import { type EventSummary, summarizeCronEvents, summarizeEvents } from '../events/summary.js'
import { listenedOps } from '../events/synthetic.js'
import { parseTimeBound } from '../events/time.js'
import type { Change } from '../metadata/diff.js'
import { driftAgainstServer, type ServerReader } from '../metadata/server-state.js'
import type { LoadedProject } from '../project.js'

/**
 * The console's JSON API: each call is one library call of the events and metadata stages (the
 * same ones `events`, `replay`, `send` and `diff` use) over the session that holds the admin secret.
 */

const MAX_LIMIT = 200

export interface ReplayJob {
  id: string
  trigger: string
  total: number
  done: number
  redelivered: number
  failed: { id: string; reason: string }[]
  finished: boolean
  error?: string
}

export class ConsoleApi {
  readonly #jobs = new Map<string, ReplayJob>()

  constructor(
    readonly session: Session,
    readonly client: ServerReader,
  ) {}

  get project(): LoadedProject {
    return this.session.project
  }

  /** Triggers and crons with their counts in the window and their drift from the server. */
  async overview(q: URLSearchParams) {
    const windowText = q.get('window') ?? '24h'
    const since = parseTimeBound(windowText, 'window')
    const { model } = this.project
    let changes: Change[] | undefined
    let driftError: string | undefined
    try {
      changes = (await driftAgainstServer(this.project, this.client)).changes
    } catch (err) {
      driftError = (err as Error).message
    }
    const driftOf = (kind: Change['kind'], name: string) => {
      if (!changes) return { state: 'unknown' as const }
      const ch = changes.find((c) => c.kind === kind && c.name === name)
      if (!ch) return { state: 'in-sync' as const }
      return {
        state: ch.action,
        fields: ch.fields.map((f) => f.field),
      }
    }
    const triggers = await Promise.all(
      model.triggers.map(async (t) => {
        const counts = await countEvents(this.session.api, t.name, { since }).catch(() => undefined)
        return {
          name: t.name,
          table: `${t.table.schema}.${t.table.name}`,
          ops: listenedOps(t),
          counts: counts ?? null,
          drift: driftOf('event_trigger', t.name),
        }
      }),
    )
    const crons = await Promise.all(
      model.crons.map(async (c) => {
        const list = await collectCronEvents(this.session.api, c.name, { since, until: new Date() }).catch(
          () => undefined,
        )
        const counts = list
          ? Object.fromEntries(
              STATUSES.map((st) => [st, list.filter((e) => cronStatus(e.status) === st).length]),
            )
          : null
        return { name: c.name, schedule: c.schedule, counts, drift: driftOf('cron_trigger', c.name) }
      }),
    )
    // managed objects removed from the config but still on the server
    const leftovers = (changes ?? [])
      .filter((c) => c.action === 'delete')
      .map((c) => ({ kind: c.kind, name: c.name }))
    return {
      endpoint: this.client.endpoint,
      window: windowText,
      since: since.toISOString(),
      triggers,
      crons,
      leftovers,
      ...(driftError ? { driftError } : {}),
    }
  }

  /** A page of events of one trigger or cron, or of every event trigger (`*`). */
  async events(q: URLSearchParams) {
    const { model } = this.project
    const name = q.get('trigger') || '*'
    const status = parseStatus(q.get('status'))
    const window: Window = {}
    const since = q.get('since')
    const until = q.get('until')
    if (since) window.since = parseTimeBound(since, 'since')
    if (until) window.until = parseTimeBound(until, 'until')
    const limit = Math.min(parseInt(q.get('limit') ?? '50', 10) || 50, MAX_LIMIT)
    const cron = model.crons.find((c) => c.name === name)
    if (cron) {
      const offset = Math.max(0, parseInt(q.get('cursor') ?? '0', 10) || 0)
      const list = await collectCronEvents(this.session.api, cron.name, {
        ...window,
        until: window.until ?? new Date(),
        ...(status ? { status } : {}),
      })
      const slice = list.slice(offset, offset + limit)
      const rows = await summarizeCronEvents(this.session.api, slice)
      return {
        kind: 'cron',
        trigger: name,
        events: rows.map((r) => ({ ...r, trigger: cron.name })),
        ...(offset + limit < list.length ? { next: String(offset + limit) } : {}),
      }
    }
    const names = name === '*' ? model.triggers.map((t) => t.name) : [name]
    if (name !== '*' && !model.triggers.some((t) => t.name === name)) {
      throw new UserError(`no event trigger or cron named "${name}" in webhooks.config.ts`, {
        hint: `one of: ${[...model.triggers, ...model.crons].map((t) => t.name).join(', ') || '(none)'}`,
      })
    }
    const cursor = decodeCursor(q.get('cursor'), names)
    const page = await pageEvents(this.session.api, names, {
      ...window,
      ...(status ? { status } : {}),
      limit,
      ...(cursor ? { cursor } : {}),
    })
    const summaries: EventSummary[] = await summarizeEvents(this.session.api, page.rows)
    return {
      kind: 'trigger',
      trigger: name,
      events: summaries.map((r, i) => ({ ...r, trigger: page.rows[i]!.trigger_name })),
      ...(page.next ? { next: encodeCursor(page.next) } : {}),
    }
  }

  async event(id: string): Promise<EventDetail> {
    const found = await eventDetail(this.session, id)
    if (!found)
      throw new UserError(`no event with id ${id} on the server`, { hint: 'pick one from the list' })
    return found
  }

  async redeliver(body: unknown) {
    const id = stringField(body, 'id')
    if (!(await requestRedelivery(this.session, id))) {
      throw new UserError(`no such event on the server: ${id}`, {
        hint: 'cron events are replayed with nself-hooks replay <id>',
      })
    }
    return { id, redelivered: true }
  }

  /** Starts replaying the failed events of a trigger in a window; follow it with `job`. */
  async replay(body: unknown) {
    const trigger = stringField(body, 'trigger')
    if (!this.project.model.triggers.some((t) => t.name === trigger)) {
      throw new UserError(`no event trigger named "${trigger}" in webhooks.config.ts`, {
        hint: 'cron events are replayed with nself-hooks replay --failed --trigger <cron>',
      })
    }
    const window: Window = {}
    const since = optionalString(body, 'since')
    const until = optionalString(body, 'until')
    if (since) window.since = parseTimeBound(since, 'since')
    if (until) window.until = parseTimeBound(until, 'until')
    const job: ReplayJob = {
      id: crypto.randomUUID(),
      trigger,
      total: 0,
      done: 0,
      redelivered: 0,
      failed: [],
      finished: false,
    }
    this.#jobs.set(job.id, job)
    void (async () => {
      try {
        const selection = await selectFailed(this.session, trigger, window)
        job.total = selection.events.length
        const result = await replayFailed(this.session, selection, {
          concurrency: 10,
          timeoutMs: 0,
          onDone: (ok) => {
            job.done++
            if (ok) job.redelivered++
          },
        })
        job.failed = result.failed
      } catch (err) {
        job.error = (err as Error).message
      } finally {
        job.finished = true
      }
    })()
    return job
  }

  job(id: string): ReplayJob {
    const job = this.#jobs.get(id)
    if (!job) throw new UserError(`no replay job ${id}`, { hint: 'start one from the events page' })
    return job
  }

  /** `send`: a synthetic event posted to the trigger's (or cron's) handler; the answer comes back. */
  async send(body: unknown) {
    const row = (body as Record<string, unknown>).new
    const old = (body as Record<string, unknown>).old
    const result = await sendEvent(this.session, {
      trigger: stringField(body, 'trigger'),
      op: optionalString(body, 'op'),
      ...(row !== undefined && row !== null ? { new: row } : {}),
      ...(old !== undefined && old !== null ? { old } : {}),
      timeoutMs: 0,
    })
    if (result.kind !== 'post') throw new Error('the console posts directly; it never asks Hasura to invoke')
    const { post, op, warnings } = result
    return {
      url: post.url,
      op,
      sent: post.sent,
      warnings,
      status: post.status,
      ok: post.ok,
      ms: post.ms,
      response: post.response,
    }
  }

  /** What the UI needs to start: names only (no endpoint credentials, no env values). */
  meta() {
    const { model } = this.project
    return {
      endpoint: this.client.endpoint,
      triggers: model.triggers.map((t) => ({ name: t.name, ops: listenedOps(t) })),
      crons: model.crons.map((c) => c.name),
    }
  }
}

function parseStatus(value: string | null): DeliveryStatus | undefined {
  if (!value) return undefined
  if ((STATUSES as string[]).includes(value)) return value as DeliveryStatus
  throw new UserError(`status ${value} is not one of ${STATUSES.join(', ')}`)
}

function stringField(body: unknown, key: string): string {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined
  if (typeof v !== 'string' || v === '') throw new UserError(`the request needs "${key}" (a string)`)
  return v
}

function optionalString(body: unknown, key: string): string | undefined {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined
  if (v === undefined || v === null || v === '') return undefined
  if (typeof v !== 'string') throw new UserError(`"${key}" must be a string`)
  return v
}

function encodeCursor(c: PageCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url')
}

function decodeCursor(text: string | null, names: readonly string[]): PageCursor | undefined {
  if (!text) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    throw new UserError('the page cursor is not valid', { hint: 'go back to the first page' })
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new UserError('the page cursor is not valid', { hint: 'go back to the first page' })
  const out: PageCursor = {}
  for (const [k, v] of Object.entries(parsed)) {
    if (!names.includes(k) || typeof v !== 'number' || !Number.isInteger(v) || v < -1)
      throw new UserError('the page cursor is not valid', { hint: 'go back to the first page' })
    out[k] = v
  }
  return out
}
