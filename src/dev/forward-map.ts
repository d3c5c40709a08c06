import { parseCustomServices } from '../config/env.js'
import { UserError } from '../errors.js'
import type { ModelService } from '../model/types.js'

/** One forwarding rule of `dev`: deliveries to `from` (an origin) go to `to` instead. */
export interface ForwardRule {
  /** the service name, or the origin itself for a `--forward <origin>=<url>` */
  service: string
  from: string
  to: string
}

function origin(url: string): string | undefined {
  try {
    const o = new URL(url).origin
    return o === 'null' ? undefined : o
  } catch {
    return undefined
  }
}

function localUrl(text: string, flag: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`
  let u: URL
  try {
    u = new URL(withScheme)
  } catch {
    throw new UserError(`${flag}: "${text}" is not a URL`, {
      hint: 'give it as http://127.0.0.1:3001 (or localhost:3001)',
    })
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new UserError(`${flag}: "${text}" is not an http(s) URL`, {
      hint: 'give it as http://127.0.0.1:3001',
    })
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`
}

/**
 * The services of the project (its `CS_N` entries and the config's `service`) forwarded to
 * 127.0.0.1 on the same port, then the `--forward <name>=<url>` overrides (docs/local-development.md).
 */
export function forwardRules(input: {
  env: Record<string, string | undefined>
  service: ModelService | undefined
  overrides: readonly string[]
}): ForwardRule[] {
  const rules = new Map<string, ForwardRule>()
  for (const cs of parseCustomServices(input.env)) {
    const from = origin(`http://${cs.name}:${cs.port}`)
    if (from) rules.set(cs.name, { service: cs.name, from, to: `http://127.0.0.1:${cs.port}` })
  }
  const s = input.service
  if (s) {
    const from = origin(s.baseUrl)
    if (from) rules.set(s.name, { service: s.name, from, to: `http://127.0.0.1:${s.port}` })
  }
  for (const o of input.overrides) {
    const eq = o.indexOf('=')
    if (eq <= 0 || eq === o.length - 1)
      throw new UserError(`--forward "${o}" is not <service>=<url>`, {
        hint: 'for example --forward webhooks=http://127.0.0.1:4000',
      })
    const name = o.slice(0, eq)
    const to = localUrl(o.slice(eq + 1), `--forward ${name}`)
    if (name.includes('://')) {
      const from = origin(name)
      if (!from)
        throw new UserError(`--forward: "${name}" is not a URL`, { hint: 'give a service name or an origin' })
      rules.set(from, { service: from, from, to })
      continue
    }
    const known = rules.get(name)
    if (!known)
      throw new UserError(`--forward ${name}: no service of the project is called "${name}"`, {
        hint: rules.size
          ? `services: ${[...rules.keys()].join(', ')}; or forward an origin: --forward http://${name}:3001=http://127.0.0.1:3001`
          : `declare it in .env (CS_1=${name}:express-ts:3001) or forward an origin: --forward http://${name}:3001=http://127.0.0.1:3001`,
      })
    rules.set(name, { ...known, to })
  }
  return [...rules.values()]
}
