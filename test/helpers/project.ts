import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BIN = join(ROOT, 'bin', 'nself-hooks.js')
export const SHARED = resolve(ROOT, '..', 'shared')
export const HAS_SHARED = existsSync(join(SHARED, 'hasura'))
export const NO_SHARED_REASON = `reference data not found at ${SHARED} (a clone without ../shared)`

/** A temporary project from an inline file tree. */
export function testdir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'nh-'))
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, path)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, content)
  }
  return dir
}

/** A temporary copy of fixtures/<name>. */
export function copyFixture(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `nh-${name}-`))
  cpSync(join(ROOT, 'fixtures', name), dir, { recursive: true })
  return dir
}

/** Every file under dir as relative path → content. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else out[relative(dir, p)] = readFileSync(p, 'utf8')
    }
  }
  if (existsSync(dir)) walk(dir)
  return out
}

/** Runs the built CLI as a user would; never throws on a non-zero exit. */
export async function cli(args: string[], opts: { cwd: string; env?: Record<string, string> }) {
  const r = await execa('node', [BIN, ...args], {
    cwd: opts.cwd,
    env: { NO_COLOR: '1', ...opts.env },
    extendEnv: true,
    reject: false,
    stdin: 'ignore',
  })
  return { code: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) }
}

export const config = (body: string) =>
  `import { defineConfig } from 'nself-hooks'\n\nexport default defineConfig(${body})\n`

/** Every line of `before` is still in `after`, in its order: a file that only gained lines. */
export function keptEveryLine(before: string, after: string): boolean {
  const needle = before.split('\n')
  let i = 0
  for (const line of after.split('\n')) if (i < needle.length && line === needle[i]) i++
  return i === needle.length
}
