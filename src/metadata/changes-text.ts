import { relative } from 'node:path'
import type { ChalkInstance } from 'chalk'
import { type Change, type FieldChange, maskSecrets, summarize } from './diff.js'

/** Rendering a list of changes: terraform-like text, the JSON form of each change, drift messages. */

export type Against = 'files' | 'server'

const SYMBOL = { create: '+', update: '~', delete: '-' } as const

function show(v: unknown): string {
  if (v === undefined) return '(absent)'
  const s = JSON.stringify(maskSecrets(v))
  return s.length > 160 ? `${s.slice(0, 157)}...` : s
}

function field(f: FieldChange): string {
  if (!('before' in f)) return `${f.field}: ${show(f.after)} (added)`
  if (!('after' in f)) return `${f.field}: ${show(f.before)} (removed)`
  return `${f.field}: ${show(f.before)} → ${show(f.after)}`
}

function value(c: Change, name: string): unknown {
  const f = c.fields.find((x) => x.field === name)
  return f ? (c.action === 'delete' ? f.before : f.after) : undefined
}

/** One line of what a created or deleted object is (the fields are all there, this is the gist). */
function gist(c: Change): string {
  if (c.kind === 'cron_trigger') return `${String(value(c, 'schedule'))} → ${String(value(c, 'webhook'))}`
  const def = (value(c, 'definition') ?? {}) as Record<string, { columns?: unknown } | boolean>
  const ops = (['insert', 'update', 'delete'] as const)
    .filter((op) => def[op])
    .map((op) => {
      const cols = (def[op] as { columns?: unknown }).columns
      return op === 'update' && Array.isArray(cols) ? `update(${cols.join(',')})` : op
    })
  if (def.enable_manual === true) ops.push('manual')
  const hook = value(c, 'webhook') ?? `{{${String(value(c, 'webhook_from_env'))}}}`
  return `${ops.join(', ')} → ${String(hook)}`
}

export function describe(c: Change): string {
  const where = c.kind === 'event_trigger' && c.table ? ` on ${c.table.schema}.${c.table.name}` : ''
  const src = c.source && c.source !== 'default' ? ` (source ${c.source})` : ''
  return `${c.kind} ${c.name}${where}${src}`
}

export function renderChanges(changes: Change[], c: ChalkInstance, opts: { indent?: string } = {}): string {
  const ind = opts.indent ?? '  '
  const colour = { create: c.green, update: c.yellow, delete: c.red }
  const lines: string[] = []
  for (const ch of changes) {
    lines.push(`${ind}${colour[ch.action](`${SYMBOL[ch.action]} ${describe(ch)}`)}`)
    if (ch.action === 'update') for (const f of ch.fields) lines.push(`${ind}    ${field(f)}`)
    else lines.push(`${ind}    ${c.dim(gist(ch))}`)
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : ''
}

export function summaryLine(
  changes: Change[],
  verb: { create: string; update: string; delete: string },
): string {
  const s = summarize(changes)
  return `${s.create} ${verb.create}, ${s.update} ${verb.update}, ${s.delete} ${verb.delete}`
}

/** The JSON form of one change (format_version 1 of the envelope). */
export function changeJson(ch: Change, against?: Against): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: ch.kind, name: ch.name, action: ch.action }
  if (ch.source !== undefined) out.source = ch.source
  if (ch.table !== undefined) out.table = ch.table
  out.fields = ch.fields.map((f) => {
    const o: Record<string, unknown> = { field: f.field }
    o.before = 'before' in f ? maskSecrets(f.before) : null
    o.after = 'after' in f ? maskSecrets(f.after) : null
    return o
  })
  if (against !== undefined) out.against = against
  if (ch.file !== undefined) out.file = ch.file
  return out
}

/** What a change means for a reader of the given side. */
export function driftMessage(ch: Change, against: Against): string {
  const place = against === 'files' ? 'the metadata files' : 'the server'
  const fix =
    against === 'files'
      ? 'run `nself-hooks generate` and commit the result'
      : 'run `nself-hooks sync` (or change the config to match)'
  if (ch.action === 'create') return `${describe(ch)} is in the config but missing from ${place}; ${fix}`
  if (ch.action === 'delete')
    return `${describe(ch)} is managed by nself-hooks but not in the config, and still in ${place}; ${fix}`
  return `${describe(ch)} differs in ${place}: ${ch.fields.map(field).join('; ')}; ${fix}`
}

/** `wrote hasura/metadata/x.yaml` or `removed ...`: one file a command wrote. */
export function fileLine(c: ChalkInstance, cwd: string, f: { path: string; removed: boolean }): string {
  return `${f.removed ? c.yellow('removed') : c.green('wrote')} ${relative(cwd, f.path) || f.path}`
}
