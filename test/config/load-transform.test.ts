import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { importConfig } from '../../src/config/load.js'
import { testdir } from '../helpers/project.js'

/** The message a user sees for a config that does not load, with the place it names. */
async function loadError(source: string): Promise<string> {
  const file = join(testdir({ 'webhooks.config.ts': source }), 'webhooks.config.ts')
  try {
    await importConfig(file)
  } catch (err) {
    return (err as Error).message.replaceAll(file, 'CONFIG')
  }
  throw new Error('the config loaded')
}

const load = async (source: string) =>
  importConfig(join(testdir({ 'webhooks.config.ts': source }), 'webhooks.config.ts'))

describe('loading webhooks.config.ts', () => {
  it('names the line and column of a syntax error the transform lets through', async () => {
    const msg = await loadError(
      "import { defineConfig } from 'nself-hooks'\nexport default defineConfig({\n  triggers: {\n    a: { table: 'x', on: { insert: true }, webhook: 'http://a' ,, },\n  },\n})\n",
    )
    expect(msg).toBe("could not load CONFIG: SyntaxError: Unexpected token ',' (at CONFIG:4:64)")
  })

  it('names the line of a name declared twice and of a parse error', async () => {
    expect(await loadError('const a = 1\nconst a = 2\nexport default { a }\n')).toMatch(
      /already been declared .*\(at CONFIG:2:\d+\)$/,
    )
    expect(await loadError('\n\nexport default {{{')).toMatch(
      /^could not load CONFIG: ParseError: .*\(at CONFIG:3:\d+\)$/,
    )
  })

  it('names the line of a runtime error below TypeScript-only lines', async () => {
    const msg = await loadError(
      "import type { WebhooksConfig } from 'nself-hooks'\ninterface X {\n  a: string\n}\nconst x = { a: 'b' } as X\nenum E { A = 1 }\nexport default { triggers: missing[x.a] } satisfies WebhooksConfig\n",
    )
    expect(msg).toMatch(/missing is not defined \(at CONFIG:7:\d+\)$/)
  })

  it('runs enums, casts, satisfies and top-level await', async () => {
    const config = await load(
      "import { defineConfig } from 'nself-hooks'\nenum Base { Api = 'https://api.example.com' }\nconst path = await Promise.resolve('/hook' as string)\nexport default defineConfig({ triggers: { t: { table: 'a', on: { insert: true }, webhook: Base.Api + path } } satisfies object })\n",
    )
    expect(config).toEqual({
      triggers: { t: { table: 'a', on: { insert: true }, webhook: 'https://api.example.com/hook' } },
    })
  })

  it('keeps the transformed config by content: same values and error places, an edit read anew', async () => {
    const marker = `marker_${process.pid}_${Date.now()}`
    const dir = testdir({
      'webhooks.config.ts': `const n: number = 1\nexport default { triggers: {}, note: '${marker}', n }\n`,
    })
    const file = join(dir, 'webhooks.config.ts')
    const first = await importConfig(file)
    expect(first).toEqual({ triggers: {}, note: marker, n: 1 })
    // the transformed code is stored under node_modules/.cache/nself-hooks
    const cache = join(__dirname, '..', '..', 'node_modules', '.cache', 'nself-hooks')
    const stored = readdirSync(cache).filter((n) => readFileSync(join(cache, n), 'utf8').includes(marker))
    expect(stored).toHaveLength(1)
    expect(readFileSync(join(cache, stored[0]!), 'utf8')).not.toContain(': number')
    expect(await importConfig(file)).toEqual(first)
    // an edit is a new entry, and the old one of this file goes
    writeFileSync(file, `const n: number = 2\nexport default { triggers: {}, note: '${marker}', n }\n`)
    expect(await importConfig(file)).toEqual({ triggers: {}, note: marker, n: 2 })
    expect(
      readdirSync(cache).filter((n) => readFileSync(join(cache, n), 'utf8').includes(marker)),
    ).toHaveLength(1)
    // a runtime error names the same place whether the code was transformed now or read back
    writeFileSync(
      file,
      'type T = { a: string }\nconst t: T = { a: "x" }\nexport default { triggers: nope[t.a] }\n',
    )
    const fresh = await importConfig(file).catch((e: Error) => e.message)
    const again = await importConfig(file).catch((e: Error) => e.message)
    expect(fresh).toMatch(/nope is not defined .*\(at .*webhooks\.config\.ts:3:\d+\)$/)
    expect(again).toBe(fresh)
  })

  it('gives a config the same library and error places whether it imports its own files or not', async () => {
    // only `nself-hooks` and Node's modules: run without jiti; with a file of its own: through jiti
    const body = (extra: string) =>
      `import * as lib from 'nself-hooks'\nimport { basename } from 'node:path'\n${extra}\nexport default { lib: Object.keys(lib).sort(), base: basename('/a/b.ts') }\n`
    const alone = await load(body(''))
    const dir = testdir({
      'webhooks.config.ts': body("import { n } from './n'\nvoid n"),
      'n.ts': 'export const n: number = 1\n',
    })
    const withFile = await importConfig(join(dir, 'webhooks.config.ts'))
    const runtime = Object.keys(await import('../../src/index.js')).sort()
    expect(alone).toEqual({ lib: runtime, base: 'b.ts' })
    expect(withFile).toEqual(alone)
    const failing = (extra: string) =>
      `import { defineConfig } from 'nself-hooks'\n${extra}\n\nexport default defineConfig({ triggers: nope })\n`
    const errAlone = await loadError(failing(''))
    const errWithFile = await (async () => {
      const d = testdir({ 'webhooks.config.ts': failing("import './n'"), 'n.ts': 'export {}\n' })
      const file = join(d, 'webhooks.config.ts')
      return importConfig(file).catch((e: Error) => e.message.replaceAll(file, 'CONFIG'))
    })()
    expect(errAlone).toMatch(/nope is not defined \(at CONFIG:4:\d+\)$/)
    expect(errWithFile).toMatch(/nope is not defined \(at CONFIG:4:\d+\)$/)
  })
})
