import type { HeaderConf } from './metadata/model.js'

// Hasura resolves env names when it builds its schema cache, not at delivery: a trigger or cron
// that names an unset variable is an inconsistent object (`buildEventTriggerInfo`,
// `getWebhookInfoFromConf`, `getHeaderInfosFromConf` in Hasura's
// `src-lib/Hasura/RQL/DDL/EventTrigger.hs`; `resolveCronTrigger` for crons). Such an object is not
// in the schema cache, so its events are never fetched: they stay pending.

export type Env = Record<string, string | undefined>

const TEMPLATE_VAR = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g

function unsetInTemplate(text: string, env: Env): string[] {
  const names: string[] = []
  for (const m of text.matchAll(TEMPLATE_VAR)) if (env[m[1]!] === undefined) names.push(m[1]!)
  return names
}

/**
 * Hasura's message for the first env name a webhook or its headers cannot resolve, or undefined:
 * `environment variable 'X' not set` (`getEnv`, for `webhook_from_env` and `value_from_env`),
 * `Value for environment variables not found: X` (`resolveWebhook`), `template cannot be resolved: X`
 * (a `{{X}}` in a header value).
 */
export function envProblem(
  webhook: { url?: string | null | undefined; fromEnv?: string | null | undefined },
  headers: HeaderConf[] | undefined,
  env: Env,
): string | undefined {
  if (webhook.fromEnv != null && env[webhook.fromEnv] === undefined)
    return `environment variable '${webhook.fromEnv}' not set`
  if (webhook.url != null) {
    const unset = unsetInTemplate(webhook.url, env)
    if (unset.length > 0) return `Value for environment variables not found: ${unset.join(', ')}`
  }
  for (const h of headers ?? []) {
    if ('value_from_env' in h) {
      if (env[h.value_from_env] === undefined) return `environment variable '${h.value_from_env}' not set`
    } else if (typeof h.value === 'string') {
      const unset = unsetInTemplate(h.value, env)
      if (unset.length > 0) return `template cannot be resolved: ${unset.join(', ')}`
    }
  }
  return undefined
}

export const triggerEnvProblem = (
  t: { webhook?: string | null; webhook_from_env?: string | null; headers?: HeaderConf[] },
  env: Env,
) => envProblem({ url: t.webhook, fromEnv: t.webhook_from_env }, t.headers, env)

export const cronEnvProblem = (c: { webhook: unknown; headers?: HeaderConf[] }, env: Env) =>
  envProblem(
    typeof c.webhook === 'string'
      ? { url: c.webhook }
      : { fromEnv: (c.webhook as { from_env?: string } | null)?.from_env },
    c.headers,
    env,
  )
