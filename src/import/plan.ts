// Longer than 400 lines on purpose: the reverse mapping of generate for every field Hasura stores,
// each with its round-trip check and its refusal message, read best in one place.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { closest } from '../config/closest.js'
import { type LoadedEnv, loadEnv, parseCustomServices } from '../config/env.js'
import { findConfigFile, importConfig } from '../config/load.js'
import type { ParsedConfig } from '../config/schema.js'
import { validateConfig } from '../config/validate.js'
import type { Context, GlobalOptions } from '../context.js'
import { UserError } from '../errors.js'
import { connectHasura } from '../hasura/client.js'
import {
  actualFromServer,
  canonicalCronTrigger,
  canonicalEventTrigger,
  type DesiredTriggers,
  diffValues,
} from '../metadata/diff.js'
import { emitCronTrigger, emitEventTrigger, type HasuraCronTrigger } from '../metadata/emit.js'
import { type Managed, managedPath, readManaged, renderManaged } from '../metadata/managed.js'
import { actualFromLayout, readLayout } from '../metadata/metadata-dir.js'
import { resolveModel } from '../model/resolve.js'
import type { Model, TableRef } from '../model/types.js'
import { loadProject } from '../project.js'
import { addToConfig, FRESH_CONFIG } from './config-edit.js'
import {
  type Found,
  type ImportKind,
  type Refusal,
  type ReverseContext,
  reverseCronTrigger,
  reverseEventTrigger,
  type SecretHeader,
  SecretNamer,
  withSecretsFromEnv,
} from './reverse.js'

export interface ImportOptions extends GlobalOptions {
  /** files (default): the metadata directory; server: export_metadata and get_cron_triggers */
  from?: string
  /** only these trigger and cron names */
  only?: string[]
}

interface ImportedEntry {
  kind: ImportKind
  name: string
  source?: string
  table?: TableRef
  /** where it was read: a metadata file or the endpoint */
  where: string
}

interface SkippedEntry {
  kind: ImportKind
  name: string
  reason: string
}

export interface ImportPlan {
  from: 'files' | 'server'
  /** the metadata directory or the endpoint read */
  origin: string
  configFile: string
  /** the config did not exist and is created */
  created: boolean
  /** absolute path → new content, for each file that changes (the config and the managed record) */
  changes: Map<string, string>
  imported: ImportedEntry[]
  skipped: SkippedEntry[]
  refused: Refusal[]
  secrets: SecretHeader[]
}

/** Webhook templates nself-hooks scaffolds for: a service on one of these is the best default (as init picks). */
const WEBHOOK_TEMPLATES = ['express-ts', 'nest-ts', 'hono-ts', 'fastapi', 'flask']

function detectMetadataDir(root: string): string {
  for (const rel of ['hasura/metadata', 'metadata']) {
    const dir = join(root, rel)
    if (existsSync(join(dir, 'version.yaml')) || existsSync(join(dir, 'databases', 'databases.yaml')))
      return rel
  }
  return 'hasura/metadata'
}

interface Base {
  configFile: string
  exists: boolean
  text: string
  raw: Record<string, unknown>
  model: Model
  env: LoadedEnv
}

async function loadBase(ctx: Context, opts: ImportOptions): Promise<Base> {
  const configFile =
    opts.config !== undefined
      ? resolve(ctx.cwd, opts.config)
      : (findConfigFile(ctx.cwd) ?? join(ctx.cwd, 'webhooks.config.ts'))
  if (existsSync(configFile)) {
    const project = await loadProject(ctx, { ...opts, config: configFile })
    const raw = (await importConfig(configFile)) as Record<string, unknown>
    return {
      configFile,
      exists: true,
      text: readFileSync(configFile, 'utf8'),
      raw,
      model: project.model,
      env: project.env,
    }
  }
  const root = dirname(configFile)
  const env = loadEnv(root, ctx.env, opts.envFile ?? [])
  const services = parseCustomServices(env.values)
  const service =
    services.find((s) => /hook/i.test(s.name) && WEBHOOK_TEMPLATES.includes(s.template)) ??
    services.find((s) => WEBHOOK_TEMPLATES.includes(s.template)) ??
    services[0]
  const raw: Record<string, unknown> = {}
  const metadataDir = detectMetadataDir(root)
  if (metadataDir !== 'hasura/metadata') raw.hasura = { metadataDir }
  if (service) raw.service = service.name
  const model = modelOf(raw, configFile, env)
  if (opts.endpoint !== undefined) model.hasura.endpoint = opts.endpoint.replace(/\/+$/, '')
  return { configFile, exists: false, text: FRESH_CONFIG, raw, model, env }
}

function modelOf(raw: Record<string, unknown>, configFile: string, env: LoadedEnv): Model {
  const v = validateConfig(raw)
  if (!v.ok) throw new UserError(`import built a config that does not validate: ${v.issues[0]?.message}`)
  const r = resolveModel({
    config: v.config,
    configFile,
    env: env.values,
    services: parseCustomServices(env.values),
  })
  if (!r.ok) {
    throw new UserError(`${r.issues[0]?.path}: ${r.issues[0]?.message}`, { hint: r.issues[0]?.hint })
  }
  return r.model
}

async function readFound(
  from: 'files' | 'server',
  base: Base,
  ctx: Context,
): Promise<{ found: Found; origin: string; sources: string[] }> {
  const rel = (p: string) => relative(ctx.cwd, p) || p
  if (from === 'files') {
    const dir = base.model.hasura.metadataDir
    const layout = readLayout(dir)
    if (!layout.exists) {
      throw new UserError(`there is no Hasura metadata directory at ${rel(dir)}`, {
        hint: 'run import --from server to read a running Hasura, or set hasura.metadataDir in the config',
      })
    }
    const actual = actualFromLayout(layout)
    return {
      origin: rel(dir),
      sources: layout.sources.map((s) => s.name),
      found: {
        eventTriggers: actual.eventTriggers.map((e) => ({ ...e, where: rel(e.file) })),
        cronTriggers: actual.cronTriggers.map((c) => ({ cron: c.cron, where: rel(c.file) })),
      },
    }
  }
  const client = connectHasura({ model: base.model, env: base.env }, ctx)
  const exported = await client.exportMetadata()
  const crons = (await client.getCronTriggers()) as HasuraCronTrigger[]
  const actual = actualFromServer(exported.metadata, crons)
  const sources = ((exported.metadata.sources as { name?: unknown }[] | undefined) ?? []).map((s) =>
    String(s.name),
  )
  return {
    origin: client.endpoint,
    sources,
    found: {
      eventTriggers: actual.eventTriggers.map((e) => ({
        source: e.source,
        table: typeof e.table === 'string' ? { schema: 'public', name: e.table } : e.table,
        trigger: e.trigger,
        where: client.endpoint,
      })),
      cronTriggers: actual.cronTriggers.map((c) => ({ cron: c.cron, where: client.endpoint })),
    },
  }
}

const key = (kind: ImportKind, name: string) => `${kind}\u0000${name}`

/** What `import` would write: the config with the new entries, and the managed record. Writes nothing. */
export async function planImport(ctx: Context, opts: ImportOptions): Promise<ImportPlan> {
  const from = opts.from ?? 'files'
  if (from !== 'files' && from !== 'server') {
    throw new UserError(`--from ${from} is not files or server`, {
      hint: 'files reads the Hasura metadata directory, server reads the running Hasura',
    })
  }
  const base = await loadBase(ctx, opts)
  const { found, origin, sources } = await readFound(from, base, ctx)

  // a fresh config takes the source most triggers live in as its hasura.source
  if (!base.exists) {
    const count = new Map<string, number>()
    for (const e of found.eventTriggers) count.set(e.source, (count.get(e.source) ?? 0) + 1)
    const main =
      [...count].sort((a, b) => b[1] - a[1] || sources.indexOf(a[0]) - sources.indexOf(b[0]))[0]?.[0] ??
      sources[0] ??
      'default'
    if (main !== 'default') base.raw.hasura = { ...(base.raw.hasura as object), source: main }
    base.model.hasura.source = main
  }

  // which names to take
  const all = [
    ...found.eventTriggers.map((e) => ({ kind: 'event_trigger' as const, name: e.trigger.name })),
    ...found.cronTriggers.map((c) => ({ kind: 'cron_trigger' as const, name: c.cron.name })),
  ]
  const only = opts.only
    ?.flatMap((o) => o.split(','))
    .map((o) => o.trim())
    .filter((o) => o !== '')
  if (only !== undefined) {
    const known = new Set(all.map((a) => a.name))
    const unknown = only.filter((n) => !known.has(n))
    if (unknown.length > 0) {
      const close = closest(unknown[0]!, [...known])
      throw new UserError(
        `--only names ${unknown.map((n) => `"${n}"`).join(', ')}, which ${unknown.length === 1 ? 'is' : 'are'} not in ${origin}`,
        {
          hint: close
            ? `did you mean "${close}"? nothing was written`
            : `there: ${[...known].slice(0, 12).join(', ') || 'no triggers or crons'}; nothing was written`,
        },
      )
    }
  }
  const wanted = (name: string) => only === undefined || only.includes(name)

  const skipped: SkippedEntry[] = []
  const refused: Refusal[] = []
  const inConfigTriggers = new Set(base.model.triggers.map((t) => t.name))
  const inConfigCrons = new Set(base.model.crons.map((c) => c.name))
  const rctx: ReverseContext = { source: base.model.hasura.source }
  if (base.model.service) {
    rctx.service = { baseUrl: base.model.service.baseUrl, routePrefix: base.model.service.routePrefix }
  }
  const defaults = (base.raw as ParsedConfig).defaults
  if (defaults) rctx.defaults = defaults
  const namer = new SecretNamer()

  interface Candidate {
    kind: ImportKind
    name: string
    value: Record<string, unknown>
    secrets: SecretHeader[]
    entry: ImportedEntry
    original: unknown
    table?: TableRef
    source?: string
  }
  const candidates: Candidate[] = []

  const uses = new Map<string, typeof found.eventTriggers>()
  for (const e of found.eventTriggers) uses.set(e.trigger.name, [...(uses.get(e.trigger.name) ?? []), e])
  for (const e of found.eventTriggers) {
    const name = e.trigger.name
    if (!wanted(name)) continue
    if (inConfigTriggers.has(name)) {
      skipped.push({ kind: 'event_trigger', name, reason: 'the config already has a trigger of that name' })
      continue
    }
    const same = uses.get(name)!
    if (same.length > 1) {
      if (same[0] === e) {
        refused.push({
          kind: 'event_trigger',
          name,
          reason: `the name is used ${same.length} times (${same.map((s) => `${s.source}: ${s.table.schema}.${s.table.name}`).join(', ')}); Hasura refuses duplicate names and the config holds one: rename the others first`,
        })
      }
      continue
    }
    const r = reverseEventTrigger(e, rctx, namer)
    if (!r.ok) {
      refused.push(r.refusal)
      continue
    }
    candidates.push({
      kind: 'event_trigger',
      name,
      value: r.value,
      secrets: r.secrets,
      entry: { kind: 'event_trigger', name, source: e.source, table: e.table, where: e.where },
      original: withSecretsFromEnv(e.trigger, r.secrets),
      table: e.table,
      source: e.source,
    })
  }
  const seenCron = new Set<string>()
  for (const c of found.cronTriggers) {
    const name = c.cron.name
    if (!wanted(name) || seenCron.has(name)) continue
    seenCron.add(name)
    if (inConfigCrons.has(name)) {
      skipped.push({ kind: 'cron_trigger', name, reason: 'the config already has a cron of that name' })
      continue
    }
    const r = reverseCronTrigger(c, rctx, namer)
    if (!r.ok) {
      refused.push(r.refusal)
      continue
    }
    candidates.push({
      kind: 'cron_trigger',
      name,
      value: r.value,
      secrets: r.secrets,
      entry: { kind: 'cron_trigger', name, where: c.where },
      original: withSecretsFromEnv(c.cron, r.secrets),
    })
  }

  // The config's own rules, then the round trip: each entry must resolve and emit back to what Hasura
  // holds, or it is refused with the reason. Refusing one entry never changes another, so this settles.
  let accepted = candidates
  for (let pass = 0; pass < 3; pass++) {
    const bad = new Map<string, string>()
    const candidate = configWith(base.raw, accepted)
    const v = validateConfig(candidate)
    if (!v.ok) {
      for (const issue of v.issues.filter((i) => i.severity === 'error')) {
        const owner = accepted.find((a) => {
          const prefix = `${a.kind === 'event_trigger' ? 'triggers' : 'crons'}.${a.name}`
          return issue.path === prefix || issue.path.startsWith(`${prefix}.`)
        })
        if (!owner) {
          throw new UserError(`the config would not validate after import: ${issue.path}: ${issue.message}`, {
            hint: `${issue.hint ?? 'fix the config'}; nothing was written`,
          })
        }
        const k = key(owner.kind, owner.name)
        if (!bad.has(k))
          bad.set(
            k,
            `the config refuses it: ${issue.path}: ${issue.message}${issue.hint ? ` (${issue.hint})` : ''}`,
          )
      }
    } else {
      const resolved = resolveModel({
        config: v.config,
        configFile: base.configFile,
        env: base.env.values,
        services: parseCustomServices(base.env.values),
      })
      if (!resolved.ok) {
        throw new UserError(`the config would not resolve after import: ${resolved.issues[0]?.message}`)
      }
      for (const a of accepted) {
        const diffs = roundTrip(a, resolved.model)
        if (diffs.length > 0) {
          bad.set(
            key(a.kind, a.name),
            `the config cannot say it exactly (${diffs.join(', ')} would change); keep managing it where it is`,
          )
        }
      }
    }
    if (bad.size === 0) break
    for (const a of accepted) {
      const reason = bad.get(key(a.kind, a.name))
      if (reason) refused.push({ kind: a.kind, name: a.name, reason })
    }
    accepted = accepted.filter((a) => !bad.has(key(a.kind, a.name)))
  }

  const changes = new Map<string, string>()
  if (accepted.length > 0) {
    const top: [string, unknown][] = []
    if (!base.exists) {
      if (base.raw.hasura !== undefined) top.push(['hasura', base.raw.hasura])
      if (base.raw.service !== undefined) top.push(['service', base.raw.service])
    }
    const text = addToConfig(base.text, relative(ctx.cwd, base.configFile) || base.configFile, {
      top,
      triggers: accepted.filter((a) => a.kind === 'event_trigger').map((a) => [a.name, a.value]),
      crons: accepted.filter((a) => a.kind === 'cron_trigger').map((a) => [a.name, a.value]),
    })
    if (text !== base.text || !base.exists) changes.set(base.configFile, text)
    const root = dirname(base.configFile)
    const before = readManaged(root)
    const managed = recordManaged(before, accepted)
    const file = managedPath(root)
    const managedText = renderManaged(managed)
    if (!existsSync(file) || readFileSync(file, 'utf8') !== managedText) changes.set(file, managedText)
  }

  return {
    from,
    origin,
    configFile: base.configFile,
    created: !base.exists && accepted.length > 0,
    changes,
    imported: accepted.map((a) => a.entry),
    skipped,
    refused,
    secrets: accepted.flatMap((a) => a.secrets),
  }
}

function configWith(
  raw: Record<string, unknown>,
  entries: { kind: ImportKind; name: string; value: Record<string, unknown> }[],
): Record<string, unknown> {
  const triggers = { ...((raw.triggers as Record<string, unknown> | undefined) ?? {}) }
  const crons = { ...((raw.crons as Record<string, unknown> | undefined) ?? {}) }
  for (const e of entries) (e.kind === 'event_trigger' ? triggers : crons)[e.name] = e.value
  return { ...raw, triggers, crons }
}

/** Fields that differ between what Hasura holds and what the config entry emits (empty: exact). */
function roundTrip(
  a: { kind: ImportKind; name: string; original: unknown; table?: TableRef; source?: string },
  model: Model,
): string[] {
  if (a.kind === 'event_trigger') {
    const t = model.triggers.find((x) => x.name === a.name)
    if (!t) return ['the whole trigger']
    const out: string[] = []
    if (t.source !== a.source) out.push('source')
    const desired: DesiredTriggers['eventTriggers'][number] = {
      source: t.source,
      table: t.table,
      trigger: emitEventTrigger(t),
    }
    return [
      ...out,
      ...diffValues(
        canonicalEventTrigger(a.original as never, a.table!),
        canonicalEventTrigger(desired.trigger, desired.table),
      ).map((f) => f.field),
    ]
  }
  const c = model.crons.find((x) => x.name === a.name)
  if (!c) return ['the whole cron']
  return diffValues(canonicalCronTrigger(a.original as never), canonicalCronTrigger(emitCronTrigger(c))).map(
    (f) => f.field,
  )
}

/** Imported names become managed: the next generate and sync own them. */
function recordManaged(
  before: Managed,
  entries: { kind: ImportKind; name: string; table?: TableRef; source?: string }[],
): Managed {
  const et = entries.filter((e) => e.kind === 'event_trigger')
  const ct = entries.filter((e) => e.kind === 'cron_trigger').map((e) => e.name)
  const etKeys = new Set(et.map((e) => `${e.source}\u0000${e.name}`))
  const out: Managed = {
    ...before,
    eventTriggers: [
      ...before.eventTriggers.filter((t) => !etKeys.has(`${t.source}\u0000${t.name}`)),
      ...et.map((e) => ({ name: e.name, source: e.source!, table: e.table! })),
    ],
    cronTriggers: [...new Set([...before.cronTriggers, ...ct])],
  }
  if (before.retired) {
    out.retired = {
      eventTriggers: before.retired.eventTriggers.filter((t) => !etKeys.has(`${t.source}\u0000${t.name}`)),
      cronTriggers: before.retired.cronTriggers.filter((n) => !ct.includes(n)),
    }
  }
  return out
}
