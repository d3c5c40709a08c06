import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { Writable } from 'node:stream'
import type { Context } from '../../src/context.js'

export const REPO = join(import.meta.dirname, '..', '..')
export const FIXTURE = join(REPO, 'fixtures', 'nself-project')

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

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'nh-'))
}

/** A temporary project from an inline file tree. */
export function project(files: Record<string, string>): string {
  const dir = tempDir()
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  return dir
}

/** A copy of the fixture nself project. */
export function fixtureCopy(): string {
  const dir = tempDir()
  cpSync(FIXTURE, dir, { recursive: true })
  return dir
}

export interface Captured {
  ctx: Context
  out: () => string
  err: () => string
}

export function context(cwd: string, env: Record<string, string> = {}): Captured {
  let out = ''
  let err = ''
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        append(String(chunk))
        cb()
      },
    })
  const ctx: Context = {
    cwd,
    env: { PATH: process.env.PATH, ...env },
    stdout: sink((s) => {
      out += s
    }),
    stderr: sink((s) => {
      err += s
    }),
    isTTY: false,
    color: false,
    verbose: false,
  }
  return { ctx, out: () => out, err: () => err }
}
