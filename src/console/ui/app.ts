/**
 * The console's browser script: plain DOM, no framework. Remote data (payloads, headers, bodies)
 * only ever becomes text nodes (textContent), never markup. Longer than 400 lines on purpose: it is
 * the one entry of the page's bundle (one file, no module loader), a section per page.
 */

type Status = 'pending' | 'delivered' | 'failed'
type Json = unknown

interface Meta {
  endpoint: string
  triggers: { name: string; ops: string[] }[]
  crons: string[]
}

interface Summary {
  id: string
  trigger: string
  op: string
  created_at: string
  status: Status
  attempts: number
  last_http_status: number | null
}

type Child = Node | string | null | undefined | false
type Attrs = Record<string, string | number | boolean | ((e: Event) => void) | undefined>

function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v)
    else if (v === true) el.setAttribute(k, '')
    else el.setAttribute(k, String(v))
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue
    el.append(typeof c === 'string' ? document.createTextNode(c) : c)
  }
  return el
}

class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}

async function api<T>(path: string, body?: unknown): Promise<T> {
  const init: RequestInit =
    body === undefined
      ? {}
      : {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        }
  const res = await fetch(`api/${path}`, { ...init, credentials: 'same-origin' })
  const text = await res.text()
  let data: Record<string, unknown> = {}
  try {
    data = JSON.parse(text) as Record<string, unknown>
  } catch {
    data = { error: text }
  }
  if (!res.ok) {
    const hint = typeof data.hint === 'string' ? ` (${data.hint})` : ''
    throw new HttpError(`${String(data.error ?? res.statusText)}${hint}`, res.status)
  }
  return data as T
}

const main = document.getElementById('main') as HTMLElement
const live = document.getElementById('live') as HTMLElement
let meta: Meta = { endpoint: '', triggers: [], crons: [] }
let timer: number | undefined
/** bumped on every navigation: a late answer for an older page is dropped */
let generation = 0

function stopTimer() {
  if (timer !== undefined) window.clearTimeout(timer)
  timer = undefined
}

function every(ms: number, fn: () => Promise<void>) {
  stopTimer()
  const gen = generation
  const tick = async () => {
    if (gen !== generation) return
    try {
      await fn()
      live.textContent = `updated ${new Date().toLocaleTimeString()}`
    } catch (err) {
      live.textContent = `update failed: ${(err as Error).message}`
    }
    if (gen === generation) timer = window.setTimeout(tick, ms)
  }
  timer = window.setTimeout(tick, ms)
}

function errorBox(err: unknown): HTMLElement {
  return h('p', { class: 'error', role: 'alert' }, (err as Error).message)
}

function time(text: string): string {
  const s = text.trim().replace(' ', 'T')
  const d = new Date(/(Z|[+-]\d{2}:?\d{2})$/.test(s) ? s : `${s}Z`)
  return Number.isNaN(d.getTime()) ? text : d.toISOString().replace('T', ' ').slice(0, 19)
}

function statusCell(status: string): HTMLElement {
  return h('span', { class: `status-${status}`, 'data-status': status }, status)
}

function pretty(v: Json): string {
  if (typeof v === 'string') {
    try {
      return JSON.stringify(JSON.parse(v), null, 2)
    } catch {
      return v
    }
  }
  return JSON.stringify(v, null, 2) ?? String(v)
}

function headerTable(headers: Json): HTMLElement {
  const rows: [string, string][] = []
  if (Array.isArray(headers)) {
    for (const x of headers as Record<string, unknown>[]) {
      const value =
        x.value_from_env !== undefined ? `(from env ${String(x.value_from_env)})` : String(x.value ?? '')
      rows.push([String(x.name ?? ''), value])
    }
  } else if (headers && typeof headers === 'object') {
    for (const [k, v] of Object.entries(headers as Record<string, unknown>)) rows.push([k, String(v)])
  }
  if (rows.length === 0) return h('p', { class: 'muted' }, 'no headers')
  return h(
    'table',
    { class: 'headers' },
    h(
      'tbody',
      {},
      ...rows.map(([n, v]) => h('tr', {}, h('td', { class: 'mono' }, n), h('td', { class: 'mono' }, v))),
    ),
  )
}

// ---- routing --------------------------------------------------------------------------------------

function route(): { page: string; params: URLSearchParams; id?: string } {
  const hash = location.hash.replace(/^#/, '') || '/'
  const [path = '/', query = ''] = hash.split('?')
  const params = new URLSearchParams(query)
  const ev = /^\/event\/(.+)$/.exec(path)
  if (ev) return { page: 'event', params, id: decodeURIComponent(ev[1]!) }
  if (path.startsWith('/events')) return { page: 'events', params }
  if (path.startsWith('/send')) return { page: 'send', params }
  return { page: 'overview', params }
}

async function render() {
  generation++
  stopTimer()
  live.textContent = ''
  const r = route()
  for (const a of document.querySelectorAll<HTMLAnchorElement>('[data-nav]')) {
    if (a.dataset.nav === (r.page === 'event' ? 'events' : r.page)) a.setAttribute('aria-current', 'page')
    else a.removeAttribute('aria-current')
  }
  const gen = generation
  const view = h('div', {})
  try {
    if (r.page === 'overview') await overview(view, r.params)
    else if (r.page === 'events') await eventsPage(view, r.params)
    else if (r.page === 'event') await eventPage(view, r.id!)
    else sendPage(view, r.params)
  } catch (err) {
    view.append(errorBox(err))
  }
  if (gen !== generation) return
  main.replaceChildren(view)
}

// ---- overview -------------------------------------------------------------------------------------

interface Overview {
  window: string
  triggers: {
    name: string
    table: string
    ops: string[]
    counts: Record<Status, number> | null
    drift: { state: string; fields?: string[] }
  }[]
  crons: {
    name: string
    schedule: string
    counts: Record<Status, number> | null
    drift: { state: string; fields?: string[] }
  }[]
  leftovers: { kind: string; name: string }[]
  driftError?: string
}

const DRIFT_TEXT: Record<string, string> = {
  'in-sync': 'in sync',
  create: 'missing on the server',
  update: 'differs',
  delete: 'removed from config',
  unknown: 'unknown',
}

function driftCell(d: { state: string; fields?: string[] }): HTMLElement {
  const text = DRIFT_TEXT[d.state] ?? d.state
  const detail = d.state === 'update' && d.fields?.length ? `: ${d.fields.join(', ')}` : ''
  return h('span', { class: `drift-${d.state}`, 'data-drift': d.state }, text + detail)
}

function countLink(name: string, status: Status, n: number | undefined, window: string): HTMLElement {
  if (n === undefined) return h('span', { class: 'muted' }, '–')
  return h(
    'a',
    { href: `#/events?trigger=${encodeURIComponent(name)}&status=${status}&since=${window}` },
    String(n),
  )
}

async function overview(view: HTMLElement, params: URLSearchParams) {
  const window = params.get('window') ?? '24h'
  const select = h(
    'select',
    { id: 'window', 'aria-label': 'Counting window' },
    ...['1h', '24h', '7d', '30d'].map((w) => h('option', { value: w, selected: w === window }, `last ${w}`)),
  ) as HTMLSelectElement
  select.addEventListener('change', () => {
    location.hash = `#/?window=${select.value}`
  })
  view.append(
    h('h1', {}, 'Triggers and crons'),
    h('div', { class: 'actions' }, h('label', {}, 'Counts over', select)),
  )
  const body = h('div', {})
  view.append(body)
  const fill = async () => {
    const o = await api<Overview>(`overview?window=${encodeURIComponent(window)}`)
    const parts: Node[] = []
    if (o.driftError) parts.push(h('p', { class: 'error' }, `drift unknown: ${o.driftError}`))
    const head = (first: string, second: string) =>
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, first),
          h('th', {}, second),
          h('th', { class: 'num' }, 'pending'),
          h('th', { class: 'num' }, 'delivered'),
          h('th', { class: 'num' }, 'failed'),
          h('th', {}, 'config vs server'),
        ),
      )
    const row = (
      name: string,
      second: string,
      counts: Record<Status, number> | null,
      drift: Overview['triggers'][0]['drift'],
    ) =>
      h(
        'tr',
        { 'data-name': name },
        h('td', {}, h('a', { href: `#/events?trigger=${encodeURIComponent(name)}` }, name)),
        h('td', { class: 'mono' }, second),
        ...(['pending', 'delivered', 'failed'] as Status[]).map((st) =>
          h('td', { class: 'num' }, countLink(name, st, counts?.[st], o.window)),
        ),
        h('td', {}, driftCell(drift)),
      )
    parts.push(
      h('h2', {}, `Event triggers (${o.triggers.length})`),
      o.triggers.length === 0
        ? h('p', { class: 'muted' }, 'no event triggers in webhooks.config.ts')
        : h(
            'table',
            { id: 'triggers' },
            head('trigger', 'table / ops'),
            h(
              'tbody',
              {},
              ...o.triggers.map((t) => row(t.name, `${t.table} (${t.ops.join(', ')})`, t.counts, t.drift)),
            ),
          ),
      h('h2', {}, `Cron triggers (${o.crons.length})`),
      o.crons.length === 0
        ? h('p', { class: 'muted' }, 'no cron triggers in webhooks.config.ts')
        : h(
            'table',
            { id: 'crons' },
            head('cron', 'schedule'),
            h('tbody', {}, ...o.crons.map((c) => row(c.name, c.schedule, c.counts, c.drift))),
          ),
    )
    if (o.leftovers.length > 0) {
      parts.push(
        h('h2', {}, 'On the server, removed from the config'),
        h(
          'ul',
          {},
          ...o.leftovers.map((l) =>
            h('li', {}, `${l.kind.replace('_', ' ')} ${l.name} (nself-hooks sync removes it)`),
          ),
        ),
      )
    }
    body.replaceChildren(...parts)
  }
  await fill()
  every(10_000, fill)
}

// ---- events ---------------------------------------------------------------------------------------

interface EventsAnswer {
  kind: string
  events: Summary[]
  next?: string
}

async function eventsPage(view: HTMLElement, params: URLSearchParams) {
  const trigger = params.get('trigger') ?? '*'
  const status = params.get('status') ?? ''
  const since = params.get('since') ?? ''
  const until = params.get('until') ?? ''
  const cursor = params.get('cursor') ?? ''
  const back = params.get('back') ?? ''
  const names = [...meta.triggers.map((t) => t.name), ...meta.crons]

  const triggerSel = h(
    'select',
    { name: 'trigger', id: 'filter-trigger' },
    h('option', { value: '*', selected: trigger === '*' }, 'all event triggers'),
    ...names.map((n) => h('option', { value: n, selected: n === trigger }, n)),
  ) as HTMLSelectElement
  const statusSel = h(
    'select',
    { name: 'status', id: 'filter-status' },
    ...['', 'pending', 'delivered', 'failed'].map((s) =>
      h('option', { value: s, selected: s === status }, s || 'any status'),
    ),
  ) as HTMLSelectElement
  const sinceIn = h('input', {
    name: 'since',
    id: 'filter-since',
    value: since,
    placeholder: '24h or 2024-05-01',
    size: 16,
  }) as HTMLInputElement
  const untilIn = h('input', {
    name: 'until',
    id: 'filter-until',
    value: until,
    placeholder: 'now',
    size: 16,
  }) as HTMLInputElement
  const liveBox = h('input', { type: 'checkbox', id: 'live-toggle', checked: true }) as HTMLInputElement
  const form = h(
    'form',
    { class: 'filters', role: 'search' },
    h('label', {}, 'Trigger', triggerSel),
    h('label', {}, 'Status', statusSel),
    h('label', {}, 'Since', sinceIn),
    h('label', {}, 'Until', untilIn),
    h('button', { type: 'submit', class: 'primary' }, 'Show'),
    h('label', { class: 'inline' }, liveBox, 'live'),
  )
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    const q = new URLSearchParams()
    q.set('trigger', triggerSel.value)
    if (statusSel.value) q.set('status', statusSel.value)
    if (sinceIn.value.trim()) q.set('since', sinceIn.value.trim())
    if (untilIn.value.trim()) q.set('until', untilIn.value.trim())
    location.hash = `#/events?${q}`
  })
  view.append(h('h1', {}, trigger === '*' ? 'Events of every trigger' : `Events of ${trigger}`), form)

  if (trigger !== '*' && meta.triggers.some((t) => t.name === trigger))
    view.append(replayPanel(trigger, since, until))

  const list = h('div', { id: 'event-list' })
  view.append(list)
  const query = new URLSearchParams({ trigger, limit: '50' })
  if (status) query.set('status', status)
  if (since) query.set('since', since)
  if (until) query.set('until', until)
  if (cursor) query.set('cursor', cursor)

  const fill = async () => {
    const a = await api<EventsAnswer>(`events?${query}`)
    const rows = a.events.map((e) =>
      h(
        'tr',
        { tabindex: '-1', 'data-id': e.id, 'data-status': e.status },
        h('td', { class: 'mono' }, time(e.created_at)),
        h('td', {}, e.trigger),
        h('td', {}, e.op),
        h('td', {}, statusCell(e.status)),
        h('td', { class: 'num' }, String(e.attempts)),
        h('td', { class: 'num' }, e.last_http_status === null ? '–' : String(e.last_http_status)),
        h('td', { class: 'mono' }, h('a', { href: `#/event/${encodeURIComponent(e.id)}` }, e.id)),
      ),
    )
    const pager = h('div', { class: 'actions' })
    const here = new URLSearchParams(params)
    if (cursor) {
      const prev = new URLSearchParams(here)
      const stack = back.split(',').filter(Boolean)
      const prevCursor = stack.pop() ?? ''
      if (prevCursor && prevCursor !== '-') prev.set('cursor', prevCursor)
      else prev.delete('cursor')
      if (stack.length) prev.set('back', stack.join(','))
      else prev.delete('back')
      pager.append(h('a', { href: `#/events?${prev}`, id: 'newer' }, '← newer'))
    }
    if (a.next) {
      const nxt = new URLSearchParams(here)
      nxt.set('cursor', a.next)
      nxt.set('back', [...back.split(',').filter(Boolean), cursor || '-'].join(','))
      pager.append(h('a', { href: `#/events?${nxt}`, id: 'older' }, 'older →'))
    }
    list.replaceChildren(
      rows.length === 0
        ? h('p', { class: 'muted', id: 'no-events' }, 'no events match')
        : h(
            'table',
            { id: 'events' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...['created (UTC)', 'trigger', 'op', 'status', 'attempts', 'last HTTP', 'event'].map((t) =>
                  h('th', { class: t === 'attempts' || t === 'last HTTP' ? 'num' : '' }, t),
                ),
              ),
            ),
            h('tbody', {}, ...rows),
          ),
      pager,
    )
  }
  await fill()
  const tick = async () => {
    if (liveBox.checked) await fill()
  }
  every(3_000, tick)
}

interface Job {
  id: string
  total: number
  done: number
  redelivered: number
  failed: { id: string; reason: string }[]
  finished: boolean
  error?: string
}

function replayPanel(trigger: string, since: string, until: string): HTMLElement {
  const out = h('div', { id: 'replay-progress', 'aria-live': 'polite' })
  const range =
    since || until
      ? ` (${since ? `since ${since}` : ''}${since && until ? ', ' : ''}${until ? `until ${until}` : ''})`
      : ''
  const button = h(
    'button',
    { type: 'button', id: 'replay-failed' },
    `Replay failed events${range}`,
  ) as HTMLButtonElement
  button.addEventListener('click', async () => {
    if (!window.confirm(`Redeliver every failed event of ${trigger}${range}?`)) return
    button.disabled = true
    try {
      let job = await api<Job>('replay', { trigger, since: since || undefined, until: until || undefined })
      const bar = h('progress', { max: '1', value: '0' }) as HTMLProgressElement
      const text = h('span', {})
      out.replaceChildren(bar, ' ', text)
      for (;;) {
        bar.max = Math.max(job.total, 1)
        bar.value = job.done
        text.textContent = job.finished
          ? `redelivered ${job.redelivered} of ${job.total}${job.failed.length ? `; ${job.failed.length} refused` : ''}${job.error ? `; ${job.error}` : ''}`
          : `${job.done} of ${job.total || '…'}`
        if (job.finished) break
        await new Promise((r) => setTimeout(r, 300))
        job = await api<Job>(`jobs/${encodeURIComponent(job.id)}`)
      }
      for (const f of job.failed.slice(0, 10)) out.append(h('div', { class: 'mono' }, `${f.id}: ${f.reason}`))
    } catch (err) {
      out.replaceChildren(errorBox(err))
    } finally {
      button.disabled = false
    }
  })
  return h('div', { class: 'actions' }, button, out)
}

// ---- one event ------------------------------------------------------------------------------------

interface Detail {
  kind: 'trigger' | 'cron'
  cron?: string
  status: Status
  payload?: Json
  event: Record<string, Json> & { id: string; tries: number }
  invocations: Record<string, Json>[]
}

async function eventPage(view: HTMLElement, id: string) {
  const d = await api<Detail>(`events/${encodeURIComponent(id)}`)
  const ev = d.event
  const title = d.kind === 'trigger' ? `trigger ${String(ev.trigger_name)}` : `cron ${d.cron}`
  const statusEl = h('span', { id: 'event-status' }, statusCell(d.status))
  const triesEl = h('span', { id: 'event-tries' }, String(ev.tries))
  const note = h('div', { id: 'redeliver-note', 'aria-live': 'polite' })
  const attempts = h('div', { id: 'attempts' })
  const info = h(
    'div',
    { class: 'card grid' },
    h('span', { class: 'muted' }, 'event'),
    h('span', { class: 'mono' }, ev.id),
    h('span', { class: 'muted' }, 'belongs to'),
    h('span', {}, title),
    h('span', { class: 'muted' }, d.kind === 'trigger' ? 'created' : 'scheduled'),
    h('span', { class: 'mono' }, time(String(d.kind === 'trigger' ? ev.created_at : ev.scheduled_time))),
    h('span', { class: 'muted' }, 'status'),
    statusEl,
    h('span', { class: 'muted' }, 'attempts'),
    triesEl,
  )
  view.append(h('p', {}, h('a', { href: '#/events', id: 'back' }, '← events')), h('h1', {}, 'Event'), info)
  if (d.kind === 'trigger') {
    const button = h(
      'button',
      { type: 'button', class: 'primary', id: 'redeliver' },
      'Redeliver',
    ) as HTMLButtonElement
    button.addEventListener('click', async () => {
      button.disabled = true
      try {
        await api('redeliver', { id: ev.id })
        note.textContent = 'queued for redelivery; following it…'
        every(700, refresh)
      } catch (err) {
        note.replaceChildren(errorBox(err))
      } finally {
        button.disabled = false
      }
    })
    view.append(h('div', { class: 'actions' }, button, note))
  } else {
    view.append(
      h(
        'p',
        { class: 'muted' },
        `Hasura cannot redeliver a cron event: nself-hooks replay ${ev.id} schedules it again.`,
      ),
    )
  }
  const payload = d.kind === 'trigger' ? ev.payload : d.payload
  view.append(
    h('h2', {}, 'Payload'),
    h('pre', { id: 'payload' }, pretty(payload ?? null)),
    h('h2', {}, 'Attempts'),
    attempts,
  )
  const drawAttempts = (list: Record<string, Json>[]) => {
    if (list.length === 0) return attempts.replaceChildren(h('p', { class: 'muted' }, 'no attempts yet'))
    const ordered = [...list].sort((a, b) =>
      String(a.created_at ?? '').localeCompare(String(b.created_at ?? '')),
    )
    attempts.replaceChildren(
      ...ordered.map((inv, i) => {
        const req = (inv.request ?? {}) as { headers?: Json; payload?: Json }
        const res = (inv.response ?? {}) as {
          type?: string
          data?: { headers?: Json; body?: Json; message?: Json; status?: Json }
        }
        const http = inv.http_status ?? inv.status ?? null
        return h(
          'section',
          { class: 'card attempt', 'data-http': http === null ? '' : String(http) },
          h(
            'h3',
            {},
            `Attempt ${i + 1} · HTTP ${http === null ? '–' : String(http)} · ${time(String(inv.created_at ?? ''))}`,
          ),
          h('h4', {}, 'Request headers'),
          headerTable(req.headers),
          h('h4', {}, 'Request body'),
          h('pre', { class: 'request-body' }, pretty(req.payload ?? inv.request ?? null)),
          h('h4', {}, `Response${res.type ? ` (${res.type})` : ''} headers`),
          headerTable(res.data?.headers),
          h('h4', {}, 'Response body'),
          h(
            'pre',
            { class: 'response-body' },
            pretty(res.data?.body ?? res.data?.message ?? inv.response ?? null),
          ),
        )
      }),
    )
  }
  drawAttempts(d.invocations)
  const refresh = async () => {
    const n = await api<Detail>(`events/${encodeURIComponent(id)}`)
    statusEl.replaceChildren(statusCell(n.status))
    triesEl.textContent = String(n.event.tries)
    drawAttempts(n.invocations)
    if (n.status !== 'pending' && timer !== undefined) note.textContent = `now ${n.status}`
  }
  if (d.status === 'pending') every(1_500, refresh)
}

// ---- send -----------------------------------------------------------------------------------------

function sendPage(view: HTMLElement, params: URLSearchParams) {
  const names = [...meta.triggers.map((t) => t.name), ...meta.crons]
  const chosen = params.get('trigger') ?? names[0] ?? ''
  const triggerSel = h(
    'select',
    { id: 'send-trigger' },
    ...names.map((n) => h('option', { value: n, selected: n === chosen }, n)),
  ) as HTMLSelectElement
  const opSel = h('select', { id: 'send-op' }) as HTMLSelectElement
  const fillOps = () => {
    const t = meta.triggers.find((x) => x.name === triggerSel.value)
    opSel.replaceChildren(...(t ? t.ops : ['cron']).map((o) => h('option', { value: o }, o)))
    opSel.disabled = !t
  }
  fillOps()
  triggerSel.addEventListener('change', fillOps)
  const newRow = h('textarea', {
    id: 'send-new',
    placeholder: '{"id": 1}  (empty: values made from the column types)',
  }) as HTMLTextAreaElement
  const oldRow = h('textarea', {
    id: 'send-old',
    placeholder: 'old row for update/delete (optional)',
  }) as HTMLTextAreaElement
  const result = h('div', { id: 'send-result', 'aria-live': 'polite' })
  const button = h(
    'button',
    { type: 'submit', class: 'primary', id: 'send-button' },
    'Send',
  ) as HTMLButtonElement
  const form = h(
    'form',
    {},
    h(
      'div',
      { class: 'filters' },
      h('label', {}, 'Trigger or cron', triggerSel),
      h('label', {}, 'Operation', opSel),
    ),
    h('label', {}, 'New row (JSON)', newRow),
    h('label', {}, 'Old row (JSON)', oldRow),
    h('p', {}, button),
  )
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    const parse = (t: HTMLTextAreaElement, what: string) => {
      if (!t.value.trim()) return undefined
      try {
        return JSON.parse(t.value)
      } catch (err) {
        throw new Error(`${what} is not valid JSON: ${(err as Error).message}`)
      }
    }
    button.disabled = true
    try {
      const body: Record<string, unknown> = { trigger: triggerSel.value }
      if (!opSel.disabled) body.op = opSel.value
      const n = parse(newRow, 'the new row')
      const o = parse(oldRow, 'the old row')
      if (n !== undefined) body.new = n
      if (o !== undefined) body.old = o
      const r = await api<{
        url: string
        status: number
        ok: boolean
        ms: number
        sent: Json
        warnings: string[]
        response: { headers: Json; body: string }
      }>('send', body)
      result.replaceChildren(
        h(
          'p',
          {},
          h('span', { class: r.ok ? 'status-delivered' : 'status-failed' }, `HTTP ${r.status}`),
          ` from ${r.url} in ${r.ms} ms`,
        ),
        ...r.warnings.map((w) => h('p', { class: 'muted' }, `warning: ${w}`)),
        h('h2', {}, 'Sent'),
        h('pre', {}, pretty(r.sent)),
        h('h2', {}, 'Response headers'),
        headerTable(r.response.headers),
        h('h2', {}, 'Response body'),
        h('pre', {}, pretty(r.response.body)),
      )
    } catch (err) {
      result.replaceChildren(errorBox(err))
    } finally {
      button.disabled = false
    }
  })
  view.append(
    h('h1', {}, 'Send a synthetic event'),
    h(
      'p',
      { class: 'muted' },
      'Posts an event shaped exactly like Hasura’s to the handler, as nself-hooks send does; Hasura is not involved.',
    ),
    form,
    result,
  )
}

// ---- keyboard -------------------------------------------------------------------------------------

let pendingG = false
document.addEventListener('keydown', (e) => {
  const t = e.target as HTMLElement
  if (e.ctrlKey || e.metaKey || e.altKey) return
  if (t.closest('input, textarea, select')) {
    if (e.key === 'Escape') (t as HTMLElement).blur()
    return
  }
  if (pendingG) {
    pendingG = false
    const to = { o: '#/', e: '#/events', s: '#/send' }[e.key]
    if (to) {
      location.hash = to
      e.preventDefault()
    }
    return
  }
  if (e.key === 'g') pendingG = true
  else if (e.key === 'r') void render()
  else if (e.key === 'Escape' && route().page === 'event') history.back()
  else if (e.key === 'j' || e.key === 'k') {
    const rows = [...document.querySelectorAll<HTMLTableRowElement>('tbody tr')]
    if (rows.length === 0) return
    const i = rows.findIndex((r) => r.classList.contains('selected'))
    const next = Math.min(Math.max(e.key === 'j' ? i + 1 : i - 1, 0), rows.length - 1)
    for (const r of rows) r.classList.remove('selected')
    rows[next]!.classList.add('selected')
    rows[next]!.querySelector<HTMLAnchorElement>('a')?.focus()
    e.preventDefault()
  }
})

window.addEventListener('hashchange', () => {
  void render().then(() => main.focus({ preventScroll: true }))
})

void (async () => {
  try {
    meta = await api<Meta>('meta')
    ;(document.getElementById('endpoint') as HTMLElement).textContent = meta.endpoint
  } catch (err) {
    main.replaceChildren(errorBox(err))
    return
  }
  await render()
})()
