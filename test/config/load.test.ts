import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { generate } from '../../src/commands/generate.js'
import type { Context } from '../../src/context.js'
import { reportError } from '../../src/output/report.js'
import { config, readTree, testdir } from '../helpers/project.js'

/** Runs a command in-process as the CLI does: exit code from the one error handler, captured output. */
async function run(
  command: (ctx: Context) => Promise<number>,
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const sink = (append: (s: string) => void) =>
    new Writable({
      write: (chunk, _enc, cb) => {
        append(String(chunk))
        cb()
      },
    })
  const ctx: Context = {
    cwd,
    env: {},
    stdout: sink((s) => {
      stdout += s
    }),
    stderr: sink((s) => {
      stderr += s
    }),
    isTTY: false,
    color: false,
    verbose: false,
  }
  let code: number
  try {
    code = await command(ctx)
  } catch (err) {
    code = reportError(ctx, err)
  }
  return { code, stdout, stderr }
}

const GOOD = config(`{
  triggers: {
    user_created: { table: 'users', on: { insert: true }, webhook: 'http://hooks.local/user-created' },
  },
  crons: { nightly: { schedule: '0 3 * * *', webhook: 'http://hooks.local/nightly' } },
}`)

/** A project whose metadata files already hold a managed trigger and cron (generated from GOOD). */
async function generatedProject(): Promise<{ dir: string; tree: Record<string, string> }> {
  const dir = testdir({ 'webhooks.config.ts': GOOD })
  const first = await run((ctx) => generate({}, ctx), dir)
  expect(first.code).toBe(0)
  const users = join(dir, 'hasura/metadata/databases/default/tables/public_users.yaml')
  expect(readFileSync(users, 'utf8')).toContain('user_created')
  expect(readFileSync(join(dir, 'hasura/metadata/cron_triggers.yaml'), 'utf8')).toContain('nightly')
  const { 'webhooks.config.ts': _, ...tree } = readTree(dir)
  return { dir, tree }
}

const TRIGGER = `user_created: { table: 'users', on: { insert: true }, webhook: 'http://hooks.local/user-created' }`

// [what, webhooks.config.ts, message (regex over stderr), hint (substring)]
const BAD: [string, string, RegExp, string][] = [
  [
    'a config object never exported',
    `import { defineConfig } from 'nself-hooks'\nconst config = defineConfig({ triggers: { ${TRIGGER} } })\n`,
    /webhooks\.config\.ts has no default export \(a config object that is never exported is not read\)/,
    'export default defineConfig({ ... })',
  ],
  [
    'only named exports',
    `import { defineConfig } from 'nself-hooks'\nexport const config = defineConfig({ triggers: { ${TRIGGER} } })\nexport const other = 1\n`,
    /webhooks\.config\.ts has no default export \(only named: config, other\)/,
    'export default config',
  ],
  [
    'export default null',
    'export default null\n',
    /the default export of .*webhooks\.config\.ts is null, not a config object/,
    'export default defineConfig(',
  ],
  [
    'export default undefined',
    'export default undefined\n',
    /the default export of .*webhooks\.config\.ts is undefined, not a config object/,
    'export default defineConfig(',
  ],
  [
    'a number',
    'export default 42\n',
    /is a number \(42\), not a config object/,
    'export default defineConfig(',
  ],
  [
    'a string',
    `export default 'triggers: {}'\n`,
    /is a string \("triggers: \{\}"\), not a config object/,
    'export default defineConfig(',
  ],
  ['an array', `export default [{ triggers: {} }]\n`, /is an array, not a config object/, 'export default'],
  [
    'a function',
    `export default () => ({ triggers: { ${TRIGGER} } })\n`,
    /is a function, not a config object/,
    'call the function in the file',
  ],
  [
    'a Promise',
    `export default Promise.resolve({ triggers: {} })\n`,
    /is a Promise, not a config object/,
    'await it first',
  ],
  [
    'a Map',
    `export default new Map([['triggers', {}]])\n`,
    /is a Map, not a config object/,
    'export default',
  ],
  [
    'a class instance',
    `class Config { triggers = {} }\nexport default new Config()\n`,
    /is a Config, not a config object/,
    'export default',
  ],
  [
    'a getter on the config that throws',
    `export default {\n  get triggers() {\n    throw new Error('TRIGGERS_URL is not set')\n  },\n}\n`,
    /reading triggers of .*webhooks\.config\.ts threw: TRIGGERS_URL is not set \(at .*webhooks\.config\.ts:3:\d+\)/,
    'fix that getter (or proxy)',
  ],
  [
    'a getter deep inside a trigger that throws',
    `export default {\n  triggers: {\n    user_created: {\n      table: 'users',\n      on: { insert: true },\n      get webhook(): string {\n        throw new TypeError('no webhook yet')\n      },\n    },\n  },\n}\n`,
    /reading triggers\.user_created\.webhook of .*webhooks\.config\.ts threw: no webhook yet \(at .*webhooks\.config\.ts:7:\d+\)/,
    'the config must be plain data',
  ],
  [
    'a proxy whose keys throw',
    `export default new Proxy({}, { ownKeys() { throw new Error('proxy says no') } })\n`,
    /reading the default export of .*webhooks\.config\.ts threw: proxy says no/,
    'fix that getter (or proxy)',
  ],
  [
    'a circular reference',
    `const c: Record<string, unknown> = { triggers: {} }\nc.crons = { loop: c }\nexport default c\n`,
    /webhooks\.config\.ts: crons\.loop refers to itself \(a circular reference\)/,
    'plain data',
  ],
  [
    'a payload nested 500 levels deep',
    `let p: unknown = 1\nfor (let i = 0; i < 500; i++) p = { p }\nexport default { crons: { deep: { schedule: '* * * * *', webhook: 'http://x/y', payload: p } } }\n`,
    /webhooks\.config\.ts: crons\.deep\.payload(\.p)+ is nested more than 200 levels deep/,
    'flatten that value',
  ],
  [
    'a config that throws while it is imported',
    `import { defineConfig } from 'nself-hooks'\n\nif (!process.env.NEVER_SET_H1) throw new Error('set NEVER_SET_H1 first')\nexport default defineConfig({})\n`,
    /could not load .*webhooks\.config\.ts: set NEVER_SET_H1 first \(at .*webhooks\.config\.ts:3:\d+\)/,
    'export default defineConfig',
  ],
]

describe('a config that gives no usable default export is an error, never an empty config', () => {
  it.each(BAD)(
    '%s: exit 1 naming the file and the fix; the generated files stay',
    async (_what, source, message, hint) => {
      const { dir, tree } = await generatedProject()
      writeFileSync(join(dir, 'webhooks.config.ts'), source)
      const r = await run((ctx) => generate({}, ctx), dir)
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(message)
      expect(r.stderr).toContain(hint)
      expect(r.stderr).not.toContain('looks like a bug')
      expect(r.stdout).toBe('')
      const { 'webhooks.config.ts': _, ...after } = readTree(dir)
      expect(after).toEqual(tree)
    },
  )

  it('module.exports of a CommonJS webhooks.config.js is its default export', async () => {
    const dir = testdir({
      'webhooks.config.js': `module.exports = { triggers: { ${TRIGGER} } }\n`,
    })
    const r = await run((ctx) => generate({}, ctx), dir)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(
      readFileSync(join(dir, 'hasura/metadata/databases/default/tables/public_users.yaml'), 'utf8'),
    ).toContain('user_created')
  })

  it('getters that return values are read once, as the values they return', async () => {
    let source = `let reads = 0\nexport default {\n  get triggers() {\n    reads++\n    if (reads > 1) throw new Error('read twice')\n    return { ${TRIGGER} }\n  },\n}\n`
    const dir = testdir({ 'webhooks.config.ts': source })
    const r = await run((ctx) => generate({}, ctx), dir)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(readTree(join(dir, 'hasura/metadata'))['databases/default/tables/public_users.yaml']).toContain(
      'user_created',
    )
    // a shared (not circular) value used twice is fine
    source = `const h = { 'X-Source': 'hasura' }\nexport default { triggers: {\n  a: { table: 'users', on: { insert: true }, webhook: 'http://x/a', headers: h },\n  b: { table: 'users', on: { delete: true }, webhook: 'http://x/b', headers: h },\n} }\n`
    writeFileSync(join(dir, 'webhooks.config.ts'), source)
    const shared = await run((ctx) => generate({}, ctx), dir)
    expect(shared.stderr).toBe('')
    expect(shared.code).toBe(0)
  })
})

describe('generate: a config that declares nothing does not remove every managed trigger by itself', () => {
  const EMPTY = config('{}')

  it('is refused, naming what it would remove and the flag; nothing is written', async () => {
    const { dir, tree } = await generatedProject()
    writeFileSync(join(dir, 'webhooks.config.ts'), EMPTY)
    const r = await run((ctx) => generate({}, ctx), dir)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(
      'the config declares no event or cron trigger, so this would delete every one nself-hooks manages (2 in hasura/metadata: event trigger user_created, cron trigger nightly): nothing was changed',
    )
    expect(r.stderr).toContain('nself-hooks generate --allow-delete-all')
    const { 'webhooks.config.ts': _, ...after } = readTree(dir)
    expect(after).toEqual(tree)
  })

  it('--check and --dry-run show the removal without refusing; --allow-delete-all removes', async () => {
    const { dir, tree } = await generatedProject()
    writeFileSync(join(dir, 'webhooks.config.ts'), EMPTY)
    const check = await run((ctx) => generate({ check: true }, ctx), dir)
    expect(check.code).toBe(2)
    expect(check.stdout).toContain('-  - name: user_created')
    const dry = await run((ctx) => generate({ dryRun: true }, ctx), dir)
    expect(dry.code).toBe(0)
    expect(dry.stderr).toContain('which needs --allow-delete-all')
    const { 'webhooks.config.ts': _, ...after } = readTree(dir)
    expect(after).toEqual(tree)

    const r = await run((ctx) => generate({ allowDeleteAll: true }, ctx), dir)
    expect(r.code).toBe(0)
    expect(existsSync(join(dir, 'hasura/metadata/databases/default/tables/public_users.yaml'))).toBe(false)
    expect(readFileSync(join(dir, 'hasura/metadata/cron_triggers.yaml'), 'utf8')).toBe('[]\n')
    // and once nothing managed is left, an empty config is an ordinary no-op
    const again = await run((ctx) => generate({}, ctx), dir)
    expect(again.code).toBe(0)
  })

  it('removing some triggers while others stay needs no flag', async () => {
    const { dir } = await generatedProject()
    writeFileSync(join(dir, 'webhooks.config.ts'), config(`{ triggers: { ${TRIGGER} } }`))
    const r = await run((ctx) => generate({}, ctx), dir)
    expect(r.code).toBe(0)
    expect(readFileSync(join(dir, 'hasura/metadata/cron_triggers.yaml'), 'utf8')).not.toContain('nightly')
  })

  it('an empty config on a project that never managed anything is fine', async () => {
    const dir = testdir({ 'webhooks.config.ts': EMPTY })
    const r = await run((ctx) => generate({}, ctx), dir)
    expect(r.code).toBe(0)
  })
})
