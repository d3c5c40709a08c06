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

/** Temporary projects, the repository's fixtures and Hasura's reference data. */

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const FIXTURE = join(ROOT, 'fixtures', 'nself-project')
export const SHARED = resolve(ROOT, '..', 'shared')
export const HAS_SHARED = existsSync(join(SHARED, 'hasura'))
export const NO_SHARED_REASON = `reference data not found at ${SHARED} (a clone without ../shared)`

/** Columns of fixtures/nself-project/schema.sql as Postgres reports them (checked against Postgres in columns.test.ts). */
export const FIXTURE_COLUMNS = {
  source: 'postgres' as const,
  tables: {
    'public.users': [
      { name: 'id', type: 'int4', nullable: false },
      { name: 'email', type: 'text', nullable: false },
      { name: 'name', type: 'text', nullable: true },
      { name: 'created_at', type: 'timestamptz', nullable: false },
    ],
    'shop.orders': [
      { name: 'id', type: 'int8', nullable: false },
      { name: 'customer_id', type: 'int4', nullable: false },
      { name: 'status', type: 'text', nullable: false },
      { name: 'total', type: 'numeric', nullable: false },
      { name: 'meta', type: 'jsonb', nullable: true },
    ],
  },
}

/** An empty temporary folder. */
export function tempDir(prefix = 'nh-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** A temporary project from an inline file tree. */
export function testdir(files: Record<string, string>): string {
  const dir = tempDir()
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, path)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, content)
  }
  return dir
}

/** A temporary copy of fixtures/<name>. */
export function copyFixture(name = 'nself-project'): string {
  const dir = tempDir(`nh-${name}-`)
  cpSync(join(ROOT, 'fixtures', name), dir, { recursive: true })
  return dir
}

/** A project folder with webhooks.config.ts (a plain object: no import needed) and a .env. */
export function projectDir(config: unknown, env: Record<string, string>): string {
  return testdir({
    'webhooks.config.ts': `export default ${JSON.stringify(config, null, 2)}\n`,
    '.env': envFile(env),
  })
}

/** `.env` text: one KEY=value line each. */
export function envFile(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')
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

export const config = (body: string) =>
  `import { defineConfig } from 'nself-hooks'\n\nexport default defineConfig(${body})\n`

/** Every line of `before` is still in `after`, in its order: a file that only gained lines. */
export function keptEveryLine(before: string, after: string): boolean {
  const needle = before.split('\n')
  let i = 0
  for (const line of after.split('\n')) if (i < needle.length && line === needle[i]) i++
  return i === needle.length
}

/** Where the golden file `parts` lives: test/golden/<area>/<case>/... (docs/architecture.md "Tests"). */
export function golden(...parts: string[]): string {
  return join(ROOT, 'test', 'golden', ...parts)
}
