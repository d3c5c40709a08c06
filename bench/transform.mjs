// The candidates for turning webhooks.config.ts into code Node runs, each loaded and run once in a
// fresh process (what one CLI run pays on a transform-cache miss), on the fixture's config and on a
// 1,500-trigger + 100-cron config; beside it, whether a runtime error's line in the output is still
// the user's line (the error places users get, docs/architecture.md "Start-up"). Candidates that
// are not installed are named and skipped: `npm i --no-save oxc-transform amaro` adds two more.
// Node's own type stripping needs Node 22.6 or later. Figures are medians of NH_BENCH_RUNS (7).
//   node bench/transform.mjs
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fmt, median, ROOT, row } from './lib.mjs'

const RUNS = Number(process.env.NH_BENCH_RUNS ?? 7)
const tmp = mkdtempSync(join(tmpdir(), 'nh-bench-transform-'))
const require = createRequire(join(ROOT, 'package.json'))

const large = () => {
  const t = []
  for (let i = 0; i < 1500; i++)
    t.push(
      `    trigger_${i}: { table: 't${Math.floor(i / 5)}', on: { insert: true }, webhook: 'http://hooks.local/t/${i}' },`,
    )
  const c = []
  for (let i = 0; i < 100; i++)
    c.push(
      `    cron_${i}: { schedule: '${i % 60} * * * *', webhook: 'http://hooks.local/c/${i}', payload: { n: ${i} } },`,
    )
  return `import { defineConfig } from 'nself-hooks'\nexport default defineConfig({\n  triggers: {\n${t.join('\n')}\n  },\n  crons: {\n${c.join('\n')}\n  },\n})\n`
}
const files = {
  fixture: readFileSync(join(ROOT, 'fixtures', 'nself-project', 'webhooks.config.ts'), 'utf8'),
  '1,500 + 100': large(),
  // a runtime error on line 4, below a TypeScript-only line
  error:
    "import { defineConfig } from 'nself-hooks'\ninterface X { a: string }\nconst x: X = { a: 'b' }\nexport default defineConfig({ triggers: nope[x.a] })\n",
}
const paths = Object.fromEntries(
  Object.entries(files).map(([k, text], i) => {
    const p = join(tmp, `c${i}.config.ts`)
    writeFileSync(p, text)
    return [k, p]
  }),
)

/** Each candidate: the package it needs and the code a fresh process runs (SRC, FILE given). */
const candidates = {
  'sucrase (kept)': [
    'sucrase',
    "code = (await import('sucrase')).transform(SRC, { transforms: ['typescript', 'imports'], production: true, filePath: FILE }).code",
  ],
  'esbuild transformSync': [
    'esbuild',
    "code = (await import('esbuild')).transformSync(SRC, { loader: 'ts', format: 'cjs' }).code",
  ],
  'oxc-transform': [
    'oxc-transform',
    "code = (await import('oxc-transform')).transformSync(FILE, SRC, { lang: 'ts' }).code",
  ],
  'amaro (strip-only)': [
    'amaro',
    "code = (await import('amaro')).transformSync(SRC, { mode: 'strip-only' }).code",
  ],
  "jiti's Babel": [
    'jiti',
    "code = (await import('jiti')).createJiti(FILE, { fsCache: false, moduleCache: false }).transform({ source: SRC, filename: FILE, ts: true })",
  ],
}

function once(body, file) {
  const script = `import { readFileSync } from 'node:fs'
const FILE = ${JSON.stringify(file)}; const SRC = readFileSync(FILE, 'utf8'); let code
const t0 = performance.now()
${body}
const ms = performance.now() - t0
process.stdout.write(JSON.stringify({ ms, line: code.split('\\n').findIndex((l) => l.includes('nope')) + 1 }))`
  // evaluated with the checkout as cwd, so the packages resolve from its node_modules
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd: ROOT,
  })
  return JSON.parse(out)
}

console.log(`transform candidates, load + transform in a fresh process, median of ${RUNS}`)
let kept
for (const [name, [pkg, body]] of Object.entries(candidates)) {
  try {
    require.resolve(pkg)
  } catch {
    console.log(`${name}: not installed, skipped`)
    continue
  }
  const figures = {}
  for (const which of ['fixture', '1,500 + 100']) {
    figures[which] = median(Array.from({ length: RUNS }, () => once(body, paths[which]).ms))
  }
  const line = once(body, paths.error).line
  kept ??= figures
  console.log(
    `${name}: fixture ${fmt(figures.fixture, 'ms')}, 1,500 + 100 ${fmt(figures['1,500 + 100'], 'ms')}; a runtime error on line 4 is on line ${line} of its output${line === 4 ? '' : ' (moved)'}`,
  )
  for (const which of ['fixture', '1,500 + 100'])
    row({
      name: `${name}: ${which} config (${line === 4 ? 'keeps lines' : 'moves lines'})`,
      value: figures[which],
      unit: 'ms',
      baseline: kept[which],
      baselineName: 'sucrase',
    })
}
rmSync(tmp, { recursive: true, force: true })
