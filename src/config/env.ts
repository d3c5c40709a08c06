import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { parse } from 'dotenv'
import { UserError } from '../errors.js'

export interface LoadedEnv {
  /** merged values: files in nself's order, then --env-file files, the process environment winning */
  values: Record<string, string>
  /** the files that were read, lowest priority first */
  files: string[]
}

/**
 * nself layers env files (later overrides earlier): .env.dev (team defaults), .env.staging or
 * .env.prod when ENV says so, .env.local (personal), .env.secrets (production secrets, ENV=prod),
 * .env (local overrides). ENV itself comes from the process, then .env, then .env.dev.
 */
function nselfEnvFiles(dir: string, processEnv: NodeJS.ProcessEnv): string[] {
  const read = (name: string) => {
    const file = join(dir, name)
    return existsSync(file) ? parse(readFileSync(file)) : {}
  }
  const envName = (processEnv.ENV ?? read('.env').ENV ?? read('.env.dev').ENV ?? 'dev').toLowerCase()
  const names = ['.env.dev']
  if (envName === 'staging' || envName === 'stage') names.push('.env.staging')
  if (envName === 'prod' || envName === 'production') names.push('.env.prod')
  names.push('.env.local')
  if (envName === 'prod' || envName === 'production') names.push('.env.secrets')
  names.push('.env')
  return names.map((n) => join(dir, n)).filter((f) => existsSync(f))
}

export function loadEnv(dir: string, processEnv: NodeJS.ProcessEnv, extraFiles: string[] = []): LoadedEnv {
  const files = nselfEnvFiles(dir, processEnv)
  for (const f of extraFiles) {
    const file = isAbsolute(f) ? f : join(dir, f)
    if (!existsSync(file)) {
      throw new UserError(`env file ${f} does not exist`, { hint: 'check the --env-file path' })
    }
    files.push(file)
  }
  const values: Record<string, string> = {}
  for (const f of files) Object.assign(values, parse(readFileSync(f)))
  for (const [k, v] of Object.entries(processEnv)) if (v !== undefined) values[k] = v
  return { values, files }
}

export interface CustomService {
  index: number
  name: string
  template: string
  port: number
  /** route prefix such as /webhooks, '' when none */
  route: string
}

/** `CS_<N>=name:template[:port][:route]`; port defaults to 8000+N; the route may also be CS_<N>_ROUTE. */
export function parseCustomServices(env: Record<string, string | undefined>): CustomService[] {
  const services: CustomService[] = []
  for (const [key, raw] of Object.entries(env)) {
    const m = /^CS_(\d+)$/.exec(key)
    if (!m || raw === undefined || raw.trim() === '') continue
    const index = Number(m[1])
    const [name = '', template = '', portField, ...rest] = raw.trim().split(':')
    if (!name || !template) continue
    let port = 8000 + index
    let route = ''
    if (portField !== undefined && portField !== '') {
      if (/^\d+$/.test(portField)) port = Number(portField)
      else if (portField.startsWith('/')) route = [portField, ...rest].join(':')
    }
    const fourth = rest.join(':')
    if (fourth.startsWith('/')) route = fourth
    const routeEnv = env[`CS_${index}_ROUTE`]
    if (!route && routeEnv) route = routeEnv.startsWith('/') ? routeEnv : `/${routeEnv}`
    services.push({ index, name, template, port, route: route.replace(/\/+$/, '') })
  }
  return services.sort((a, b) => a.index - b.index)
}
