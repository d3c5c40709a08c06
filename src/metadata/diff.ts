import { looksSecret } from '../config/secret-names.js'
import type { Model, TableRef } from '../model/types.js'
import { HASURA_CRON_RETRY, HASURA_TRIGGER_RETRY } from '../model/types.js'
import { emitCronTrigger, emitEventTrigger, type HasuraCronTrigger, type HasuraEventTrigger } from './emit.js'

/**
 * Object-level diff of the managed event and cron triggers: desired (the model, emitted) against
 * actual (the metadata files or the server). Pure. Both sides are put in a canonical form first,
 * so what carries no meaning (key order, defaults written or omitted, `headers: []`, a bare table
 * name, `payload: '*'`) is never reported as drift.
 */

export type ChangeKind = 'event_trigger' | 'cron_trigger'
export type ChangeAction = 'create' | 'update' | 'delete'

export interface FieldChange {
  /** dotted path in Hasura's export form, e.g. `retry_conf.num_retries`, `definition.update.columns` */
  field: string
  /** absent when the field only exists after */
  before?: unknown
  /** absent when the field only exists before */
  after?: unknown
}

export interface Change {
  kind: ChangeKind
  name: string
  action: ChangeAction
  /** event triggers: the source */
  source?: string
  /** event triggers: the desired table (create, update) or the actual one (delete) */
  table?: TableRef
  /** create: every field (after); update: the fields that differ; delete: every field (before) */
  fields: FieldChange[]
  /** where the actual object lives (metadata file), when known */
  file?: string
}

export interface DesiredTriggers {
  eventTriggers: { source: string; table: TableRef; trigger: HasuraEventTrigger }[]
  cronTriggers: HasuraCronTrigger[]
}

export interface ActualSide {
  eventTriggers: { source: string; table: TableRef | string; trigger: HasuraEventTrigger; file?: string }[]
  cronTriggers: { cron: HasuraCronTrigger; file?: string }[]
}

/** The ownership rule (docs/architecture.md "Ownership"), as managed.ts `ownedNames` returns it. */
export interface Ownership {
  eventTriggers: (source: string, name: string) => boolean
  cronTriggers: (name: string) => boolean
}

/** The model in Hasura's export form. `crons: 'metadata'` keeps only crons written to metadata files. */
export function desiredFromModel(
  model: Pick<Model, 'triggers' | 'crons'>,
  opts: { crons: 'metadata' | 'all' } = { crons: 'all' },
): DesiredTriggers {
  return {
    eventTriggers: model.triggers.map((t) => ({
      source: t.source,
      table: t.table,
      trigger: emitEventTrigger(t),
    })),
    cronTriggers: model.crons.filter((c) => opts.crons === 'all' || c.includeInMetadata).map(emitCronTrigger),
  }
}

interface ServerTable {
  table?: unknown
  event_triggers?: HasuraEventTrigger[]
}
interface ServerSource {
  name?: unknown
  tables?: ServerTable[]
}

/** The server's side: event triggers from `export_metadata`, crons from `get_cron_triggers` (all of them). */
export function actualFromServer(metadata: Record<string, unknown>, crons?: HasuraCronTrigger[]): ActualSide {
  const out: ActualSide = { eventTriggers: [], cronTriggers: [] }
  for (const source of (metadata.sources as ServerSource[] | undefined) ?? []) {
    for (const table of source.tables ?? []) {
      for (const trigger of table.event_triggers ?? []) {
        out.eventTriggers.push({ source: String(source.name), table: tableRef(table.table), trigger })
      }
    }
  }
  const list = crons ?? (metadata.cron_triggers as HasuraCronTrigger[] | undefined) ?? []
  for (const cron of list) out.cronTriggers.push({ cron })
  return out
}

/** `'users'` → public.users; `{name}` → public; `{schema, name}` as is. */
export function tableRef(t: unknown): TableRef {
  if (typeof t === 'string') return { schema: 'public', name: t }
  const o = (t ?? {}) as { schema?: unknown; name?: unknown }
  return { schema: typeof o.schema === 'string' ? o.schema : 'public', name: String(o.name) }
}

// ---- canonical forms --------------------------------------------------------------------------

type Json = unknown

function dropNullish(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null) out[k] = v
  return out
}

function canonicalColumns(c: unknown): unknown {
  if (c === undefined || c === null || c === '*') return '*'
  if (Array.isArray(c)) return [...c].map(String).sort()
  return c
}

function canonicalHeaders(h: unknown): unknown {
  if (h === undefined || h === null) return []
  if (!Array.isArray(h)) return h
  return h
    .map((x) => {
      const o = (x ?? {}) as Record<string, unknown>
      return o.value_from_env !== undefined && o.value_from_env !== null
        ? { name: o.name, value_from_env: o.value_from_env }
        : { name: o.name, value: o.value }
    })
    .sort((a, b) => cmp(`${a.name}\u0000${JSON.stringify(a)}`, `${b.name}\u0000${JSON.stringify(b)}`))
}

/** An event trigger as meaning, not spelling: Hasura's defaults filled, order-free lists sorted. */
export function canonicalEventTrigger(t: HasuraEventTrigger, table: TableRef | string): Record<string, Json> {
  const {
    name: _name,
    definition,
    retry_conf,
    headers,
    replace: _replace,
    ...rest
  } = t as HasuraEventTrigger & {
    replace?: unknown
  }
  const def = (definition ?? {}) as Record<string, unknown>
  const canonicalDef: Record<string, unknown> = { enable_manual: def.enable_manual === true }
  for (const op of ['insert', 'update', 'delete'] as const) {
    const spec = def[op] as { columns?: unknown; payload?: unknown } | undefined | null
    if (spec === undefined || spec === null) continue
    canonicalDef[op] = { columns: canonicalColumns(spec.columns), payload: canonicalColumns(spec.payload) }
  }
  const r = (retry_conf ?? {}) as Partial<HasuraEventTrigger['retry_conf']>
  const out: Record<string, unknown> = {
    table: tableRef(table),
    definition: canonicalDef,
    retry_conf: {
      num_retries: r.num_retries ?? HASURA_TRIGGER_RETRY.numRetries,
      interval_sec: r.interval_sec ?? HASURA_TRIGGER_RETRY.intervalSec,
      timeout_sec: r.timeout_sec ?? HASURA_TRIGGER_RETRY.timeoutSec,
    },
    headers: canonicalHeaders(headers),
    trigger_on_replication: false,
    ...dropNullish(rest),
  }
  return sortKeys(out) as Record<string, Json>
}

/** A cron trigger as meaning: retry_conf defaults filled, `headers: []` and absent the same. */
export function canonicalCronTrigger(c: HasuraCronTrigger): Record<string, Json> {
  const {
    name: _name,
    retry_conf,
    headers,
    schedule,
    replace: _replace,
    ...rest
  } = c as HasuraCronTrigger & {
    replace?: unknown
  }
  const r = (retry_conf ?? {}) as Partial<NonNullable<HasuraCronTrigger['retry_conf']>>
  const out: Record<string, unknown> = {
    schedule: String(schedule).trim().split(/\s+/).join(' '),
    retry_conf: {
      num_retries: r.num_retries ?? HASURA_CRON_RETRY.numRetries,
      retry_interval_seconds: r.retry_interval_seconds ?? HASURA_CRON_RETRY.intervalSec,
      timeout_seconds: r.timeout_seconds ?? HASURA_CRON_RETRY.timeoutSec,
      tolerance_seconds: r.tolerance_seconds ?? HASURA_CRON_RETRY.toleranceSec,
    },
    headers: canonicalHeaders(headers),
    ...dropNullish(rest),
  }
  return sortKeys(out) as Record<string, Json>
}

// ---- the diff ---------------------------------------------------------------------------------

export function diffTriggers(desired: DesiredTriggers, actual: ActualSide, owned: Ownership): Change[] {
  const changes: Change[] = []

  const key = (source: string, name: string) => `${source}\u0000${name}`
  const actualEt = new Map<string, ActualSide['eventTriggers'][number]>()
  for (const a of actual.eventTriggers) {
    // a name twice in one source is Hasura's error to report; the first one counts here
    if (!actualEt.has(key(a.source, a.trigger.name))) actualEt.set(key(a.source, a.trigger.name), a)
  }
  const wantedEt = new Set<string>()
  for (const d of desired.eventTriggers) {
    const k = key(d.source, d.trigger.name)
    wantedEt.add(k)
    const a = actualEt.get(k)
    const after = canonicalEventTrigger(d.trigger, d.table)
    if (!a) {
      changes.push({
        kind: 'event_trigger',
        name: d.trigger.name,
        action: 'create',
        source: d.source,
        table: d.table,
        fields: fieldsOf(after, 'after'),
      })
      continue
    }
    const fields = diffValues(canonicalEventTrigger(a.trigger, a.table), after)
    if (fields.length > 0) {
      changes.push({
        kind: 'event_trigger',
        name: d.trigger.name,
        action: 'update',
        source: d.source,
        table: d.table,
        fields,
        ...(a.file === undefined ? {} : { file: a.file }),
      })
    }
  }
  for (const [k, a] of actualEt) {
    if (wantedEt.has(k) || !owned.eventTriggers(a.source, a.trigger.name)) continue
    changes.push({
      kind: 'event_trigger',
      name: a.trigger.name,
      action: 'delete',
      source: a.source,
      table: tableRef(a.table),
      fields: fieldsOf(canonicalEventTrigger(a.trigger, a.table), 'before'),
      ...(a.file === undefined ? {} : { file: a.file }),
    })
  }

  const actualCron = new Map<string, ActualSide['cronTriggers'][number]>()
  for (const a of actual.cronTriggers) if (!actualCron.has(a.cron.name)) actualCron.set(a.cron.name, a)
  const wantedCron = new Set<string>()
  for (const d of desired.cronTriggers) {
    wantedCron.add(d.name)
    const a = actualCron.get(d.name)
    const after = canonicalCronTrigger(d)
    if (!a) {
      changes.push({ kind: 'cron_trigger', name: d.name, action: 'create', fields: fieldsOf(after, 'after') })
      continue
    }
    const fields = diffValues(canonicalCronTrigger(a.cron), after)
    if (fields.length > 0) {
      changes.push({
        kind: 'cron_trigger',
        name: d.name,
        action: 'update',
        fields,
        ...(a.file === undefined ? {} : { file: a.file }),
      })
    }
  }
  for (const [name, a] of actualCron) {
    if (wantedCron.has(name) || !owned.cronTriggers(name)) continue
    changes.push({
      kind: 'cron_trigger',
      name,
      action: 'delete',
      fields: fieldsOf(canonicalCronTrigger(a.cron), 'before'),
      ...(a.file === undefined ? {} : { file: a.file }),
    })
  }

  const order: Record<ChangeAction, number> = { create: 0, update: 1, delete: 2 }
  return changes.sort(
    (x, y) =>
      cmp(x.kind, y.kind) ||
      order[x.action] - order[y.action] ||
      cmp(x.source ?? '', y.source ?? '') ||
      cmp(x.name, y.name),
  )
}

export function summarize(changes: Change[]): { create: number; update: number; delete: number } {
  const s = { create: 0, update: 0, delete: 0 }
  for (const c of changes) s[c.action]++
  return s
}

// ---- field-level comparison -------------------------------------------------------------------

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Every differing leaf (objects are walked, arrays and scalars compared whole). */
export function diffValues(before: unknown, after: unknown, prefix = ''): FieldChange[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
    return keys.flatMap((k) => {
      const path = prefix ? `${prefix}.${k}` : k
      if (!(k in before)) return [{ field: path, after: after[k] }]
      if (!(k in after)) return [{ field: path, before: before[k] }]
      return diffValues(before[k], after[k], path)
    })
  }
  return deepEqual(before, after) ? [] : [{ field: prefix || '(value)', before, after }]
}

function fieldsOf(value: Record<string, unknown>, side: 'before' | 'after'): FieldChange[] {
  return Object.keys(value)
    .sort()
    .map((k) => ({ field: k, [side]: value[k] }))
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a)
    const kb = Object.keys(b)
    return ka.length === kb.length && ka.every((k) => k in b && deepEqual(a[k], b[k]))
  }
  return false
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k])
    return out
  }
  return v
}

/** A header value under a secret-looking name is shown as ***, wherever a change is printed. */
export function maskSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(maskSecrets)
  if (isPlainObject(v)) {
    if (typeof v.name === 'string' && 'value' in v && looksSecret(v.name)) return { ...v, value: '***' }
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) out[k] = maskSecrets(x)
    return out
  }
  return v
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
