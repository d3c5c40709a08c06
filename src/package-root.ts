import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let found: string | undefined

/**
 * The installed package's folder (where package.json, templates/ and dist/ are), found by walking
 * up from this module. The code runs from three layouts: src/ under tests, dist/ (the library,
 * compiled file by file) and dist/bundle/ (the CLI's bundle, docs/architecture.md "Build"); a
 * fixed number of `..` would be right in only one of them.
 */
export function packageRoot(): string {
  if (found !== undefined) return found
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }
      if (pkg.name === 'nself-hooks') {
        found = dir
        return dir
      }
    } catch {}
    const parent = dirname(dir)
    if (parent === dir)
      throw new Error(`nself-hooks' package.json not found above ${fileURLToPath(import.meta.url)}`)
    dir = parent
  }
}

/** The package's version, from its package.json. */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string })
      .version
  } catch {
    return 'unknown'
  }
}
