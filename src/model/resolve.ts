import { isAbsolute, join, resolve } from 'node:path'
import { distance } from '../config/closest.js'
import type { CustomService } from '../config/env.js'
import type { HeaderValue, ParsedConfig, RetryConfig, TriggerConfig } from '../config/schema.js'
import type { Issue } from '../errors.js'
import {
  type Columns,
  HASURA_CRON_RETRY,
  HASURA_TRIGGER_RETRY,
  type Header,
  type Model,
  type ModelService,
  type ModelTrigger,
  type OperationSpec,
  type TableRef,
} from './types.js'

export interface ResolveInput {
  config: ParsedConfig
  configFile: string
  /** merged env (files + process) used for the endpoint and CS_N services */
  env: Record<string, string | undefined>
  services: CustomService[]
}

export type ResolveResult = { ok: true; model: Model; issues: Issue[] } | { ok: false; issues: Issue[] }

/** Pure: config + env → the model, with each trigger's final webhook, retry and headers. */
export function resolveModel({ config, configFile, env, services }: ResolveInput): ResolveResult {
  const issues: Issue[] = []
  const root = resolve(configFile, '..')
  const source = config.hasura?.source ?? 'default'
  const service = resolveService(config, services, root, issues)
  const routeUrl = (handler: string) => {
    if (!service) return ''
    return `${service.baseUrl}${service.routePrefix}/${handler.replace(/^\/+/, '')}`
  }

  const triggers: ModelTrigger[] = Object.entries(config.triggers ?? {}).map(([name, t]) => {
    const trigger: ModelTrigger = {
      name,
      source: t.source ?? source,
      table: tableRef(t.table),
      definition: definitionOf(t),
      webhook:
        t.webhookFromEnv !== undefined
          ? { fromEnv: t.webhookFromEnv }
          : { url: t.webhook ?? routeUrl(t.handler ?? '') },
      retry: triggerRetry(config.defaults?.retry, t.retry),
      headers: headersOf(config.defaults?.headers, t.headers),
    }
    if (t.handler !== undefined) trigger.handler = t.handler
    const backoff = { ...config.defaults?.retry, ...t.retry }
    if (backoff.backoff === 'exponential')
      trigger.backoff = {
        intervalSec: trigger.retry.intervalSec,
        maxIntervalSec: backoff.maxIntervalSec ?? DEFAULT_MAX_BACKOFF_SEC,
      }
    if (t.comment !== undefined) trigger.comment = t.comment
    return trigger
  })

  const crons = Object.entries(config.crons ?? {}).map(([name, c]) => {
    const merged = { ...config.defaults?.retry, ...c.retry }
    const cron: Model['crons'][number] = {
      name,
      webhook: c.webhook ?? routeUrl(c.handler ?? ''),
      schedule: c.schedule.trim(),
      includeInMetadata: c.includeInMetadata ?? true,
      retry: {
        numRetries: merged.numRetries ?? HASURA_CRON_RETRY.numRetries,
        intervalSec: merged.intervalSec ?? HASURA_CRON_RETRY.intervalSec,
        timeoutSec: merged.timeoutSec ?? HASURA_CRON_RETRY.timeoutSec,
        toleranceSec: merged.toleranceSec ?? HASURA_CRON_RETRY.toleranceSec,
      },
      headers: headersOf(config.defaults?.headers, c.headers),
    }
    if (c.payload !== undefined) cron.payload = c.payload
    if (c.comment !== undefined) cron.comment = c.comment
    if (c.handler !== undefined) cron.handler = c.handler
    return cron
  })

  const external = Object.entries(config.external ?? {}).map(([name, e]) => ({
    name,
    provider: e.provider,
    secretEnv: e.secretEnv,
    handler: e.handler,
    ...(e.header !== undefined ? { header: e.header } : {}),
    toleranceSec: e.toleranceSec ?? 300,
  }))
  for (const [name, e] of Object.entries(config.external ?? {})) {
    if (e.provider === 'hmac-sha256' && e.header === undefined) {
      issues.push({
        path: `external.${name}.header`,
        severity: 'error',
        message: 'hmac-sha256 needs the name of the header that carries the signature',
        hint: `add header: 'X-Signature'`,
      })
    }
  }

  const stringifyNumericTypes = stringifySetting(env, issues)
  if (issues.some((i) => i.severity === 'error')) return { ok: false, issues }
  const metadataDir = config.hasura?.metadataDir ?? 'hasura/metadata'
  const model: Model = {
    configFile,
    root,
    hasura: {
      endpoint: (config.hasura?.endpoint ?? env.HASURA_GRAPHQL_ENDPOINT ?? 'http://localhost:8080').replace(
        /\/+$/,
        '',
      ),
      adminSecretEnv: config.hasura?.adminSecretEnv ?? 'HASURA_GRAPHQL_ADMIN_SECRET',
      metadataDir: isAbsolute(metadataDir) ? metadataDir : join(root, metadataDir),
      source,
      stringifyNumericTypes,
    },
    triggers,
    crons,
    external,
  }
  if (service) model.service = service
  return { ok: true, model, issues }
}

const STRINGIFY_ENV = 'HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES'

/**
 * HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES as Hasura reads its env (`instance FromEnv Bool` in
 * Hasura's `src-lib/Hasura/Server/Init/Env.hs`): true/t/yes/y or false/f/no/n in any case; Hasura
 * does not start with anything else.
 */
function stringifySetting(env: Record<string, string | undefined>, issues: Issue[]): boolean {
  const raw = env[STRINGIFY_ENV]
  if (raw === undefined) return false
  const v = raw.toLowerCase()
  if (['true', 't', 'yes', 'y'].includes(v)) return true
  if (['false', 'f', 'no', 'n'].includes(v)) return false
  issues.push({
    path: STRINGIFY_ENV,
    severity: 'error',
    message: `${STRINGIFY_ENV}${raw.length <= 20 ? `=${JSON.stringify(raw)}` : ''} in the env is not a boolean Hasura accepts (Hasura does not start with it)`,
    hint: 'set it to true, t, yes or y (on) or false, f, no or n (off) in .env, or remove it',
  })
  return false
}

function tableRef(table: TriggerConfig['table']): TableRef {
  if (typeof table !== 'string') return { schema: table.schema, name: table.name }
  const dot = table.indexOf('.')
  return dot < 0
    ? { schema: 'public', name: table }
    : { schema: table.slice(0, dot), name: table.slice(dot + 1) }
}

function definitionOf(t: TriggerConfig): ModelTrigger['definition'] {
  const def: ModelTrigger['definition'] = { enable_manual: t.on.manual ?? false }
  const spec = (listen: Columns, payload: Columns | undefined): OperationSpec =>
    payload === undefined ? { columns: listen } : { columns: listen, payload }
  // Insert and delete listen to every column: Hasura fires them for any row.
  if (t.on.insert) def.insert = spec('*', t.on.insert === true ? undefined : t.on.insert.payload)
  if (t.on.update) {
    const u = t.on.update === true ? {} : t.on.update
    def.update = spec(u.columns ?? '*', u.payload)
  }
  if (t.on.delete) def.delete = spec('*', t.on.delete === true ? undefined : t.on.delete.payload)
  return def
}

/** backoff without maxIntervalSec: at most an hour between attempts */
const DEFAULT_MAX_BACKOFF_SEC = 3600

function triggerRetry(defaults: RetryConfig | undefined, own: RetryConfig | undefined) {
  const merged = { ...defaults, ...own }
  return {
    numRetries: merged.numRetries ?? HASURA_TRIGGER_RETRY.numRetries,
    intervalSec: merged.intervalSec ?? HASURA_TRIGGER_RETRY.intervalSec,
    timeoutSec: merged.timeoutSec ?? HASURA_TRIGGER_RETRY.timeoutSec,
  }
}

/** Own headers override defaults of the same name (case-insensitive, as HTTP header names are). */
function headersOf(
  defaults: Record<string, HeaderValue> | undefined,
  own: Record<string, HeaderValue> | undefined,
): Header[] {
  const byName = new Map<string, Header>()
  for (const [name, value] of [...Object.entries(defaults ?? {}), ...Object.entries(own ?? {})]) {
    byName.delete(name.toLowerCase())
    byName.set(
      name.toLowerCase(),
      typeof value === 'string' ? { name, value } : { name, value_from_env: value.fromEnv },
    )
  }
  return [...byName.values()]
}

function resolveService(
  config: ParsedConfig,
  services: CustomService[],
  root: string,
  issues: Issue[],
): ModelService | undefined {
  const s = config.service
  if (s === undefined) return undefined
  const fromEnv = services.find((cs) => cs.name === (typeof s === 'string' ? s : s.name))
  if (typeof s === 'string' && !fromEnv) {
    issues.push(unknownServiceIssue(s, services))
    return undefined
  }
  const o = typeof s === 'string' ? { name: s } : s
  const name = o.name
  const template = o.template ?? fromEnv?.template
  if (template === undefined) {
    issues.push({
      path: 'service.template',
      severity: 'error',
      message: `service "${name}" has no template`,
      hint: `add template: 'express-ts' (or nest-ts, hono-ts, fastapi, flask), or declare it in .env as CS_N=${name}:express-ts`,
    })
    return undefined
  }
  const port = o.port ?? fromEnv?.port ?? 3000
  const prefix = o.routePrefix ?? fromEnv?.route ?? ''
  const routePrefix = prefix === '' || prefix === '/' ? '' : `/${prefix.replace(/^\/+|\/+$/g, '')}`
  return {
    name,
    template,
    port,
    routePrefix,
    baseUrl: (o.baseUrl ?? `http://${name}:${port}`).replace(/\/+$/, ''),
    dir: resolve(root, o.dir ?? join('services', name)),
  }
}

/** `service: 'name'` that no CS_N entry declares. */
export function unknownServiceIssue(name: string, services: CustomService[]): Issue {
  const known = services.map((cs) => cs.name)
  const close = known.find((k) => distance(k, name) <= 2)
  return {
    path: 'service',
    severity: 'error',
    message: `service "${name}" is not declared in .env`,
    hint: close
      ? `did you mean "${close}"? declared services: ${known.join(', ')}`
      : known.length
        ? `declared services: ${known.join(', ')}; or add CS_${services.length + 1}=${name}:express-ts:3001:/webhooks`
        : `add CS_1=${name}:express-ts:3001:/webhooks to .env, or give service: { name, template, port }`,
  }
}
