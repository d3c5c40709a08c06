import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { packageRoot } from '../package-root.js'
import { writeFilesAtomic } from '../write-files.js'

/**
 * The transformed config, kept by content: `node_modules/.cache/nself-hooks/` beside the installed
 * package (the project's own node_modules, or this checkout's). A run whose config did not change
 * evaluates the stored code and never loads the transformer. The key is the source, the options
 * and the transformer's version; one entry per config file is kept. Without a node_modules, or
 * when it cannot be written, there is no cache and nothing else changes.
 */
export function cachedTransform(
  file: string,
  source: string,
  /** the transformer's version and options: a change of either is a new entry */
  options: string,
  transform: () => string,
): string {
  const dir = cacheDir()
  if (dir === undefined) return transform()
  const { perFile, path } = entry(dir, file, source, options)
  try {
    return readFileSync(path, 'utf8')
  } catch {}
  const code = transform()
  try {
    // the older entries of this config go; past MAX_ENTRIES (many temporary projects) all others do
    const others = existsSync(dir) ? readdirSync(dir).filter((n) => n !== basename(path)) : []
    const stale = others.length > MAX_ENTRIES ? others : others.filter((n) => n.startsWith(`${perFile}-`))
    writeFilesAtomic([[path, code], ...stale.map((n) => [join(dir, n), null] as const)])
  } catch {
    // a cache that cannot be written is no cache
  }
  return code
}

/** Whether `cachedTransform` would find this file's code without running the transformer. */
export function isCached(file: string, source: string, options: string): boolean {
  const dir = cacheDir()
  return dir !== undefined && existsSync(entry(dir, file, source, options).path)
}

function entry(dir: string, file: string, source: string, options: string) {
  const perFile = createHash('sha256').update(file).digest('hex').slice(0, 16)
  const key = createHash('sha256').update(`${options}\u0000${source}`).digest('hex').slice(0, 32)
  return { perFile, path: join(dir, `${perFile}-${key}.cjs`) }
}

const MAX_ENTRIES = 200

let dirFound: string | null | undefined

function cacheDir(): string | undefined {
  if (dirFound !== undefined) return dirFound ?? undefined
  const pkg = packageRoot()
  const parent = dirname(pkg)
  const nodeModules = basename(parent) === 'node_modules' ? parent : join(pkg, 'node_modules')
  dirFound = existsSync(nodeModules) ? join(nodeModules, '.cache', 'nself-hooks') : null
  return dirFound ?? undefined
}
