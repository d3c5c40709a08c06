import type { Context, GlobalOptions } from '../context.js'
import { print, printErr } from '../context.js'
import { UserError } from '../errors.js'
import { guarded, openSession } from '../events/lookup.js'
import { bodyFromEvent } from '../events/payload.js'
import { resolveHeaders, targetUrl } from '../events/target.js'
import { connectHasura } from '../hasura/client.js'
import type { EventLogRow } from '../hasura/events-api.js'
import type { ModelTrigger } from '../model/types.js'
import { parseExact, stringifyExact } from '../output/exact-json.js'
import { remoteLine } from '../output/remote-text.js'
import { colors } from '../output/report.js'
import { forwardRules } from './forward-map.js'

export interface ListenOptions extends GlobalOptions {
  /** event triggers to follow (repeatable); default every trigger of the config */
  trigger?: string[] | string
  /** a URL, or `<service>=<url>` pairs (repeatable) */
  forwardTo?: string[] | string
  /** how often the event logs are read; default 500 ms */
  intervalMs?: number
  /** stops when aborted; without it, SIGINT / SIGTERM do */
  signal?: AbortSignal
}

const USER_AGENT = 'nself-hooks listen (body as hasura-graphql-engine sends it)'

/** Where each trigger's events go: one URL for all, an origin swap, or `<service>=<url>` rewrites. */
function destinations(
  triggers: ModelTrigger[],
  forwardTo: string[],
  resolveWebhook: (t: ModelTrigger) => string,
  rulesFor: (pairs: string[]) => { from: string; to: string }[],
): Map<string, string> {
  const out = new Map<string, string>()
  const plain = forwardTo.filter((f) => !/^[^=:/]+=/.test(f))
  const pairs = forwardTo.filter((f) => /^[^=:/]+=/.test(f))
  if (plain.length > 1 || (plain.length === 1 && pairs.length > 0))
    throw new UserError('--forward-to takes one URL, or <service>=<url> pairs', {
      hint: 'for example --forward-to localhost:3001, or --forward-to webhooks=localhost:3001 --forward-to api=localhost:3000',
    })
  if (plain.length === 1) {
    const raw = plain[0]!
    let u: URL
    try {
      u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`)
    } catch {
      throw new UserError(`--forward-to "${raw}" is not a URL`, {
        hint: 'for example --forward-to localhost:3001',
      })
    }
    const originOnly = u.pathname === '/' && u.search === ''
    for (const t of triggers) {
      if (!originOnly) {
        out.set(t.name, u.toString())
        continue
      }
      const w = new URL(resolveWebhook(t))
      out.set(t.name, `${u.origin}${w.pathname}${w.search}`)
    }
    return out
  }
  const rules = rulesFor(pairs)
  for (const t of triggers) {
    const w = resolveWebhook(t)
    const rule = rules.find((r) => new URL(w).origin === r.from)
    if (rule) out.set(t.name, `${rule.to}${new URL(w).pathname}${new URL(w).search}`)
  }
  return out
}

/**
 * `nself-hooks listen`: follows the server's event logs from now on and posts each new event, the
 * exact body Hasura stored and the trigger's headers from the local env, to a local handler. It
 * only reads from the server (pg_get_event_logs).
 */
export async function listen(opts: ListenOptions, ctx: Context): Promise<number> {
  const forwardTo = [opts.forwardTo ?? []].flat()
  if (forwardTo.length === 0)
    throw new UserError('listen needs --forward-to', {
      hint: 'where your handler listens: --forward-to localhost:3001 (or <service>=<url>)',
    })
  const s = await openSession(opts, ctx)
  return guarded(ctx, async () => {
    const { model, env } = s.project
    const names = [opts.trigger ?? []].flat()
    const unknown = names.filter((n) => !model.triggers.some((t) => t.name === n))
    if (unknown.length > 0)
      throw new UserError(`no event trigger ${unknown.map((n) => `"${n}"`).join(', ')} in the config`, {
        hint: `triggers: ${model.triggers.map((t) => t.name).join(', ') || '(none)'}`,
      })
    const triggers = names.length ? model.triggers.filter((t) => names.includes(t.name)) : model.triggers
    if (triggers.length === 0)
      throw new UserError('the config has no event triggers to listen to', {
        hint: 'add one under triggers in webhooks.config.ts',
      })
    const where = destinations(
      triggers,
      forwardTo,
      (t) => targetUrl(t, model, env.values, 'trigger'),
      (pairs) => {
        const all = forwardRules({ env: env.values, service: model.service, overrides: pairs })
        const named = new Set(pairs.map((p) => p.slice(0, p.indexOf('='))))
        return all.filter((r) => named.has(r.service))
      },
    )
    const c = colors(s.ctx)
    const client = connectHasura(s.project, s.ctx)
    const source = model.hasura.source
    const read = async (t: ModelTrigger, limit: number) =>
      (await client.request(
        '/v1/metadata',
        { type: 'pg_get_event_logs', args: { name: t.name, source, limit, offset: 0 } },
        { command: 'pg_get_event_logs', parse: parseExact },
      )) as EventLogRow[]
    const seen = new Set<string>()
    // from the moment it starts: what the logs hold now is not forwarded
    for (const t of triggers) for (const row of await read(t, 100)) seen.add(row.id)
    for (const t of triggers) {
      const to = where.get(t.name)
      print(
        s.ctx,
        to
          ? `${t.name} → ${to}`
          : `${t.name}: not forwarded (its webhook is on no service named in --forward-to)`,
      )
    }
    print(s.ctx, `Listening to ${model.hasura.endpoint} for new events. Press Ctrl+C to stop.`)

    const stop = stopSignal(opts.signal)
    let failing = false
    while (!stop.signal.aborted) {
      try {
        for (const t of triggers) {
          const to = where.get(t.name)
          const rows = (await read(t, 100)).filter((r) => !seen.has(r.id)).reverse()
          for (const row of rows) {
            seen.add(row.id)
            if (to) await forward(t, row, to)
          }
        }
        if (failing) print(s.ctx, 'reading the event logs works again')
        failing = false
      } catch (err) {
        if (stop.signal.aborted) break
        if (!failing) printErr(s.ctx, `cannot read the event logs: ${(err as Error).message} (trying again)`)
        failing = true
      }
      await sleep(opts.intervalMs ?? 500, stop.signal)
    }
    stop.dispose()
    print(s.ctx, 'stopped')
    return 0

    async function forward(t: ModelTrigger, row: EventLogRow, url: string) {
      const body = stringifyExact(bodyFromEvent(row, t.retry.numRetries))
      const resolved = resolveHeaders(t.headers, env.values)
      for (const m of resolved.missing)
        printErr(s.ctx, `warning: ${m.env} is not set locally; header ${m.header} not sent`)
      const headers: Record<string, string> = {}
      for (const [n, v] of Object.entries(resolved.headers))
        if (!/^(content-type|user-agent)$/i.test(n)) headers[n] = v
      headers['Content-Type'] = 'application/json'
      headers['User-Agent'] = USER_AGENT
      const op = (row.payload as { op?: unknown } | null)?.op
      const head = `${c.dim(new Date().toTimeString().slice(0, 8))} ${c.bold(t.name)} ${typeof op === 'string' ? op : ''} ${c.cyan(row.id.slice(0, 8))}`
      const started = performance.now()
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(t.retry.timeoutSec * 1000),
        })
        const answer = await res.text()
        const ms = Math.round(performance.now() - started)
        const shown = answer.length > 200 ? `${answer.slice(0, 200)}…` : answer
        print(
          s.ctx,
          `${head} ${(res.ok ? c.green : c.red)(String(res.status))} ${ms}ms ${s.redact(remoteLine(shown))}`,
        )
      } catch (err) {
        const e = err as Error & { cause?: { code?: string } }
        const why =
          e.name === 'TimeoutError' ? `no answer within ${t.retry.timeoutSec}s` : (e.cause?.code ?? e.message)
        print(s.ctx, `${head} ${c.red(remoteLine(why))}`)
      }
    }
  })
}

function stopSignal(given: AbortSignal | undefined): { signal: AbortSignal; dispose: () => void } {
  if (given) return { signal: given, dispose: () => {} }
  const ac = new AbortController()
  const done = () => ac.abort()
  process.once('SIGINT', done)
  process.once('SIGTERM', done)
  return {
    signal: ac.signal,
    dispose: () => {
      process.off('SIGINT', done)
      process.off('SIGTERM', done)
    },
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
