import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { transform } from 'sucrase'
import { describe, expect, it } from 'vitest'
import { plainModule } from '../../src/config/plain-module.js'
import { writeStarterConfig } from '../../src/config/starter.js'
import { ROOT, testdir } from '../helpers/project.js'

/** What the config loader has sucrase write for a .ts config and for a .js one. */
const sucrase = {
  ts: (s: string) =>
    transform(s, {
      transforms: ['typescript', 'imports'],
      filePath: '/p/webhooks.config.ts',
      keepUnusedImports: false,
      production: true,
    }).code,
  js: (s: string) =>
    transform(s, {
      transforms: ['imports'],
      filePath: '/p/webhooks.config.js',
      keepUnusedImports: true,
      production: true,
    }).code,
}

/** sucrase's text, or its error: what the loader would have evaluated. */
function viaSucrase(kind: 'ts' | 'js', s: string): string {
  try {
    return sucrase[kind](s)
  } catch (err) {
    return `error: ${(err as Error).message}`
  }
}

/** The direct text equals sucrase's wherever there is one; returns whether there was. */
function sameAsSucrase(source: string): boolean {
  const direct = plainModule(source)
  if (direct === undefined) return false
  expect(direct, source).toBe(viaSucrase('ts', source))
  expect(direct, source).toBe(viaSucrase('js', source))
  return true
}

const starters = ([{}, { '.env': 'CS_1=hooks:express-ts:3001\n' }] as Record<string, string>[]).map(
  (files) => {
    const dir = testdir(files)
    return readFileSync(writeStarterConfig(dir, {}).file, 'utf8')
  },
)
const fixtures = ['nself-project', 'brownfield'].map((f) =>
  readFileSync(join(ROOT, 'fixtures', f, 'webhooks.config.ts'), 'utf8'),
)

/** The bench's large config: 1,500 triggers, 100 crons. */
function large(): string {
  const lines: string[] = []
  for (let i = 0; i < 1500; i++)
    lines.push(
      `    trigger_${i}: { table: 't${i % 300}', on: { insert: true }, webhook: 'http://hooks.local/t/${i}' },`,
    )
  const crons: string[] = []
  for (let i = 0; i < 100; i++)
    crons.push(
      `    cron_${i}: { schedule: '${i % 60} * * * *', webhook: 'http://hooks.local/c/${i}', payload: { n: ${i} } },`,
    )
  return `import { defineConfig } from 'nself-hooks'\nexport default defineConfig({\n  triggers: {\n${lines.join('\n')}\n  },\n  crons: {\n${crons.join('\n')}\n  },\n})\n`
}

const body = "{\n  triggers: {\n    a: { table: 'x', on: { insert: true }, webhook: 'http://h/a' },\n  },\n}"
const header = "import { defineConfig } from 'nself-hooks'\n"

/** Configs as people write them, TypeScript and hostile spellings among them. */
const HAND: string[] = [
  `${header}\nexport default defineConfig(${body})\n`,
  `import { defineConfig } from "nself-hooks";\nexport default defineConfig(${body});\n`,
  `// head\nimport {defineConfig} from 'nself-hooks'\nconst x = 1\nexport default defineConfig({ n: x })\n`,
  `import{defineConfig}from'nself-hooks'\nexport default defineConfig(${body})`,
  `export default ${body}\n`,
  `const c = ${body}\nexport default c\n`,
  `export default (${body})\n`,
  `export default [${body}]\n`,
  `export  default ${body}\n`,
  `${header}export default defineConfig (${body})\n`,
  `${header}export default defineConfig(${body}) // export default\n`,
  `${header}// import x from 'y'\nexport default defineConfig(${body})\n`,
  `${header}const s = 'export default {}'\nexport default defineConfig(${body})\n`,
  `${header}const s = "import { defineConfig } from 'nself-hooks'"\nexport default defineConfig(${body})\n`,
  `${header}/* export default {} */\nexport default defineConfig(${body})\n`,
  `/*\n${header}*/\nexport default defineConfig(${body})\n`,
  `${header}const s = 'a\\\nexport default {}'\nexport default defineConfig(${body})\n`,
  `${header}const u = \`\${process.env.BASE}/a\`\nexport default defineConfig({ u })\n`,
  `${header}export default defineConfig({ u: process.env.BASE ?? 'http://h' })\n`,
  `${header}export default defineConfig({ u: process.env?.BASE })\n`,
  `${header}export default defineConfig({ n: 1_000 })\n`,
  `${header}let x\ntry { x = 1 } catch { x = 2 }\nexport default defineConfig({ x })\n`,
  `${header}const x: number = 1\nexport default defineConfig({ x })\n`,
  `${header}const x = 1 as number\nexport default defineConfig({ x })\n`,
  `${header}export default defineConfig({ a: 1 } satisfies object)\n`,
  `${header}enum E { A = 1 }\nexport default defineConfig({ a: E.A })\n`,
  `${header}const f = <T,>(x: T) => x\nexport default defineConfig({ a: f(1) })\n`,
  `${header}const f = (x) => x\nconst g = 1\nexport default defineConfig({ a: f < g > (1) })\n`,
  `${header}const x = [1]\nexport default defineConfig({ a: x!.length })\n`,
  `${header}const x = 1\nexport default defineConfig({ a: x ? (x) : (y) => y })\n`,
  `${header}type T = { a: 1 }\nexport default defineConfig({})\n`,
  `${header}interface T { a: 1 }\nexport default defineConfig({})\n`,
  `${header}declare const x: number\nexport default defineConfig({})\n`,
  `${header}class A { x = 1 }\nexport default defineConfig({ a: new A().x })\n`,
  `${header}function f() { return this }\nexport default defineConfig({ a: f() })\n`,
  `${header}const f = async () => 1\nexport default defineConfig({ a: 1 })\n`,
  `${header}const x = await Promise.resolve(1)\nexport default defineConfig({ x })\n`,
  `${header}const y = import('node:os')\nexport default defineConfig({})\n`,
  `${header}export const x = 1\nexport default defineConfig({})\n`,
  `${header}import { other } from 'nself-hooks'\nexport default defineConfig({})\n`,
  `import { defineConfig as d } from 'nself-hooks'\nexport default d({})\n`,
  `import * as nh from 'nself-hooks'\nexport default nh.defineConfig({})\n`,
  `${header}export default { defineConfig }\n`,
  `${header}export default defineConfig({ defineConfig: 1 })\n`,
  `${header}const x = {}\nexport default x.defineConfig({})\n`,
  `${header}export default defineConfig({}),\n`,
  `${header}export default defineConfig({ a: 1,, })\n`,
  `${header}export default defineConfig({ a: 010 })\n`,
  `${header}const _nselfhooks = 1\nexport default defineConfig({})\n`,
  `${header}export default defineConfig({ a: require('node:os').EOL })\n`,
  `${header}export default defineConfig({ dir: __dirname, mod: typeof module })\n`,
  `${header}export default defineConfig({ a: arguments })\n`,
  `${header}export default defineConfig({\r\n  a: 1,\r\n})\r\n`,
  `\uFEFF${header}export default defineConfig({})\n`,
  `#!/usr/bin/env node\n${header}export default defineConfig({})\n`,
  `${header}\texport default defineConfig({})\n`,
  `${header}export default defineConfig({ re: /export default/ })\n`,
  `${header}export default defineConfig({ re: /a\\/b/g.source })\n`,
  `${header}label: { break label }\nexport default defineConfig({})\n`,
  `${header}export default defineConfig({ get a() { return 1 } })\n`,
  `${header}export default defineConfig({ ...{ a: 1 }, b: [...[1]] })\n`,
  `${header}const { a = 1, ...rest } = { b: 2 }\nexport default defineConfig({ a, rest })\n`,
  `${header}export default defineConfig({ 'quoted-key': 1, [\`k\`]: 2 })\n`,
  `${header}export default defineConfig({ big: 10n, hex: 0x1f, exp: 1e3 })\n`,
  `${header}let x = 1; x **= 2; x ||= 3\nexport default defineConfig({ x })\n`,
  `${header}export default defineConfig({ a: 'x' }) as any\n`,
  `${header}export default defineConfig<{}>({})\n`,
  `${header}var x = 1\nexport default defineConfig({ x })\n`,
  `${header}if (true)\nexport default defineConfig({})\n`,
  `${header}here:\nexport default defineConfig({})\n`,
  `${header}{\nexport default defineConfig({})\n}\n`,
  `${header}const x =\nexport default defineConfig({})\n`,
  `${header}export default defineConfig({}); const late = 1\n`,
  `${header}export default defineConfig({}), 1\n`,
]

describe("sucrase's text without sucrase, for configs of plain JavaScript", () => {
  it("writes the starter, the fixtures' and a 1,500-trigger config exactly as sucrase does", () => {
    for (const source of [...starters, ...fixtures, large()]) expect(sameAsSucrase(source)).toBe(true)
  })

  it('equals sucrase on hand-written and TypeScript configs, or leaves them to it', () => {
    const direct = HAND.filter((s) => sameAsSucrase(s))
    // plain ones are written directly; TypeScript, hostile and ambiguous ones are not
    expect(direct.length).toBeGreaterThan(15)
    expect(HAND.length - direct.length).toBeGreaterThan(40)
  })

  it('equals sucrase on 8,000 edits of real configs, or leaves them to it', () => {
    // TypeScript and JavaScript fragments, inserted anywhere
    const pieces = [
      ': string',
      ' as const',
      '<T>',
      '!',
      '?',
      '?.',
      '??',
      ':',
      '(',
      ')',
      '{',
      '}',
      ',',
      ';',
      '\n',
      "'",
      '"',
      '`',
      '/*',
      '*/',
      '//',
      '\\',
      ' enum E { A }\n',
      ' type T = 1\n',
      ' export ',
      ' import ',
      ' defineConfig',
      '.defineConfig',
      ' this',
      ' => ',
      ' x',
      '1_0',
      ' satisfies T',
      ' declare ',
      ' public ',
      ' readonly ',
      '#',
      '@',
      ' default ',
      ' var _nselfhooks',
    ]
    let s = 20261202
    const r = () => {
      s = (s * 1664525 + 1013904223) >>> 0
      return s / 2 ** 32
    }
    const bases = [...starters, ...fixtures, ...HAND.slice(0, 8)]
    let direct = 0
    for (let i = 0; i < 8000; i++) {
      let source = bases[Math.floor(r() * bases.length)]!
      for (let k = 1 + Math.floor(r() * 2); k > 0; k--) {
        const at = Math.floor(r() * source.length)
        source = source.slice(0, at) + pieces[Math.floor(r() * pieces.length)]! + source.slice(at)
      }
      if (sameAsSucrase(source)) direct++
    }
    // not vacuous: many edits (a name, a value) stay plain JavaScript
    expect(direct).toBeGreaterThan(500)
  })
})
