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
})
