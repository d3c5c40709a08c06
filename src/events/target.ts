import { lookup } from 'node:dns/promises'
import { UserError } from '../errors.js'
import type { Header, Model, ModelCron, ModelTrigger } from '../model/types.js'

const TEMPLATE_RE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g

/** Hasura's `{{ENV}}` webhook templates, resolved from the local environment. */
export function resolveTemplate(
  text: string,
  env: Record<string, string | undefined>,
): { value: string; missing: string[] } {
  const missing: string[] = []
  const value = text.replace(TEMPLATE_RE, (whole, name: string) => {
    const v = env[name]
    if (v === undefined) {
      missing.push(name)
      return whole
    }
    return v
  })
  return { value, missing }
}

export interface ResolvedHeaders {
  headers: Record<string, string>
  /** header names whose `fromEnv` value is not set locally (sent without them) */
  missing: { header: string; env: string }[]
  /** lower-cased names of headers whose value came from env: masked in output */
  fromEnv: Set<string>
}

/** A trigger's headers as Hasura would send them, values from the local environment. */
export function resolveHeaders(
  list: readonly Header[],
  env: Record<string, string | undefined>,
): ResolvedHeaders {
  const out: ResolvedHeaders = { headers: {}, missing: [], fromEnv: new Set() }
  for (const h of list) {
    if ('value_from_env' in h) {
      out.fromEnv.add(h.name.toLowerCase())
      const v = env[h.value_from_env]
      if (v === undefined) out.missing.push({ header: h.name, env: h.value_from_env })
      else out.headers[h.name] = v
    } else {
      out.headers[h.name] = resolveTemplate(h.value, env).value
    }
  }
  return out
}

/** Where a trigger's or cron's events go, as seen from this machine. */
export function targetUrl(
  item: ModelTrigger | ModelCron,
  model: Model,
  env: Record<string, string | undefined>,
  kind: 'trigger' | 'cron',
): string {
  const webhook = typeof item.webhook === 'string' ? { url: item.webhook } : item.webhook
  if ('fromEnv' in webhook) {
    const v = env[webhook.fromEnv]
    if (v === undefined) {
      throw new UserError(
        `${kind} ${item.name} takes its webhook from ${webhook.fromEnv}, which is not set locally`,
        {
          hint: `set ${webhook.fromEnv} in your .env, or pass --to <url>`,
        },
      )
    }
    return v
  }
  const { value, missing } = resolveTemplate(webhook.url, env)
  if (missing.length > 0) {
    throw new UserError(`the webhook of ${kind} ${item.name} needs ${missing.join(', ')}, not set locally`, {
      hint: `set ${missing.join(', ')} in your .env, or pass --to <url>`,
    })
  }
  if (!value) {
    throw new UserError(`${kind} ${item.name} has no webhook URL`, {
      hint: model.service
        ? 'pass --to <url>'
        : 'declare the service in webhooks.config.ts, or pass --to <url>',
    })
  }
  return value
}

/**
 * A handler on a service has the docker-internal URL `http://<service>:<port>`. From the host that
 * name usually does not resolve: say so and point at localhost.
 */
export async function checkReachableHost(url: string, model: Model): Promise<void> {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new UserError(`${url} is not a valid URL`, {
      hint: 'check the webhook in webhooks.config.ts, or pass --to <url>',
    })
  }
  const host = parsed.hostname
  if (host === 'localhost' || /^[\d.]+$/.test(host) || host.startsWith('[')) return
  try {
    await lookup(host)
  } catch {
    const local = new URL(url)
    local.hostname = 'localhost'
    const onService = model.service !== undefined && host === new URL(model.service.baseUrl).hostname
    throw new UserError(
      `${host} does not resolve from this machine${onService ? ` (it is the docker-internal name of service ${model.service!.name})` : ''}`,
      { hint: `pass --to ${local.toString()} to reach the handler through its published port` },
    )
  }
}
