import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser'
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options'
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The rules `npm run check:deps` enforces (.dependency-cruiser.cjs, docs/architecture.md
// "Dependency rules"), run with dependency-cruiser's own API on a copy of src/ with the
// project's baseline of known violations: the copy as it is passes, and each kind of new
// violation written into it is reported by the rule that forbids it.

const ROOT = resolve(import.meta.dirname, '../..')
let dir: string

async function check(): Promise<IViolation[]> {
  const options = await extractDepcruiseOptions(join(dir, '.dependency-cruiser.cjs'))
  const { output } = await cruise(
    ['src'],
    {
      ...options,
      baseDir: dir,
      validate: true,
      knownViolations: JSON.parse(
        readFileSync(join(dir, '.dependency-cruiser-known-violations.json'), 'utf8'),
      ),
    },
    {},
    { tsConfig: extractTSConfig(join(dir, 'tsconfig.json')) },
  )
  return (output as ICruiseResult).summary.violations.filter((v) => v.rule.severity !== 'ignore')
}

const edge = (v: IViolation) => `${v.rule.name}: ${v.from} → ${v.to}`

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nh-deps-'))
  for (const f of [
    'src',
    'tsconfig.json',
    '.dependency-cruiser.cjs',
    '.dependency-cruiser-known-violations.json',
  ]) {
    cpSync(join(ROOT, f), join(dir, f), { recursive: true })
  }
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('dependency rules', () => {
  it('the source tree as it is passes: every violation in it is in the known baseline', async () => {
    expect((await check()).map(edge)).toEqual([])
  })

  it('catches an engine import from outside the engine, a layer pointing up, a command importing a command and a cycle', async () => {
    // The engine reaching into the config loader.
    writeFileSync(
      join(dir, 'src/engine/leak.ts'),
      "import { defineConfig } from '../config/schema.js'\nexport const leak = defineConfig\n",
    )
    // The model importing from events, a later layer of the pipeline.
    writeFileSync(
      join(dir, 'src/model/upward.ts'),
      "import { resolveTemplate } from '../events/target.js'\nexport const up = resolveTemplate\n",
    )
    // One command borrowing from another.
    writeFileSync(
      join(dir, 'src/commands/borrow.ts'),
      "import { init } from './init.js'\nexport const borrow = init\n",
    )
    // Two output helpers importing each other.
    writeFileSync(
      join(dir, 'src/output/ping.ts'),
      "import { pong } from './pong.js'\nexport const ping = () => pong\n",
    )
    writeFileSync(
      join(dir, 'src/output/pong.ts'),
      "import { ping } from './ping.js'\nexport const pong = () => ping\n",
    )

    const found = (await check()).map(edge)
    expect(found).toEqual(
      expect.arrayContaining([
        'engine-is-self-contained: src/engine/leak.ts → src/config/schema.ts',
        'layer-model-up: src/model/upward.ts → src/events/target.ts',
        'no-command-imports-a-command: src/commands/borrow.ts → src/commands/init.ts',
      ]),
    )
    // A cycle is reported once, from whichever end the cruise meets first.
    expect(found.filter((e) => e.startsWith('no-circular:'))).toEqual([
      expect.stringMatching(/^no-circular: src\/output\/p[io]ng\.ts → src\/output\/p[io]ng\.ts$/),
    ])
    // Nothing already in the baseline is reported again.
    expect(found.every((e) => /leak|upward|borrow|ping|pong/.test(e))).toBe(true)
  })
})
