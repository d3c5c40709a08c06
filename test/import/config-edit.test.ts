import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { diffLines } from 'diff'
import { describe, expect, it } from 'vitest'
import { importConfig } from '../../src/config/load.js'
import { addToConfig, FRESH_CONFIG } from '../../src/import/config-edit.js'
import { testdir } from '../helpers/project.js'

const HOSTILE = `q' "d" \\ */ /* \${x} \`tick\` \n\r\t \u2028 ünï 😀 \u0000`

async function load(text: string): Promise<any> {
  const dir = testdir({})
  const file = join(dir, 'webhooks.config.ts')
  writeFileSync(file, text)
  return importConfig(file)
}

const onlyInsertions = (a: string, b: string) => diffLines(a, b).filter((p) => p.removed).length === 0

describe('adding entries to webhooks.config.ts', () => {
  it('hostile keys and values come back exactly when the file is loaded', async () => {
    const value = {
      schedule: '0 * * * *',
      webhook: 'http://x.local/a',
      payload: { [HOSTILE]: [HOSTILE, null, -1.5, false, { '': {} }], 'a-b': [] },
      comment: HOSTILE,
    }
    const text = addToConfig(FRESH_CONFIG, 'webhooks.config.ts', { crons: [[HOSTILE, value]] })
    const cfg = await load(text)
    expect(cfg.crons[HOSTILE]).toEqual(value)
    expect(Object.keys(cfg.crons)).toEqual([HOSTILE])
  })

  it("follows the file's quotes and indentation, and touches nothing else", async () => {
    const before = `import { defineConfig } from "nself-hooks"\n\nexport default defineConfig({\n\tservice: "webhooks",\n\ttriggers: {\n\t\ta: { table: "users", on: { insert: true }, handler: "a" }\n\t}\n})\n`
    const after = addToConfig(before, 'c.ts', {
      triggers: [['b', { table: 'orders', on: { delete: true }, webhook: 'http://x.local/"b"' }]],
    })
    expect(after).toContain(
      '\t\tb: { table: "orders", on: { delete: true }, webhook: "http://x.local/\\"b\\"" }',
    )
    // no trailing comma habit in this file: none added
    expect(after).not.toMatch(/}\s*,\s*\n\t}/)
    const cfg = await load(after)
    expect(Object.keys(cfg.triggers)).toEqual(['a', 'b'])
    expect(cfg.triggers.b.webhook).toBe('http://x.local/"b"')
  })

  it('long entries go one field per line; existing comments and spacing stay', async () => {
    const before = `import { defineConfig } from 'nself-hooks'\n\n/** header */\nconst base = 'http://hooks:3001' // unused\n\nexport default defineConfig({\n  // the triggers\n  triggers: {\n    a: { table: 'users', on: { insert: true }, webhook: 'http://x.local/a' },   // keep\n  },\n}) satisfies unknown\n`
    const long = 'x'.repeat(120)
    const after = addToConfig(before, 'c.ts', {
      triggers: [
        [
          'long_one',
          { table: 'users', on: { update: { columns: ['a', 'b'] } }, webhook: `http://x.local/${long}` },
        ],
      ],
      crons: [['c', { schedule: '* * * * *', webhook: 'http://x.local/c' }]],
    })
    expect(onlyInsertions(before, after)).toBe(true)
    expect(after).toContain(
      "    long_one: {\n      table: 'users',\n      on: { update: { columns: ['a', 'b'] } },\n",
    )
    expect(after).toContain(
      "  crons: {\n    c: { schedule: '* * * * *', webhook: 'http://x.local/c' },\n  },\n",
    )
    const cfg = await load(after)
    expect(cfg.triggers.long_one.webhook).toBe(`http://x.local/${long}`)
    expect(Object.keys(cfg.triggers)).toEqual(['a', 'long_one'])
  })

  it('a file without a defineConfig object literal is refused, not rewritten', () => {
    expect(() => addToConfig(`export default 42\n`, 'c.ts', { triggers: [['a', {}]] })).toThrow(
      /cannot find the object of `export default defineConfig/,
    )
    expect(() =>
      addToConfig(`export default defineConfig({ triggers: {`, 'c.ts', { triggers: [['a', {}]] }),
    ).toThrow(/syntax error/)
  })
})
