// `nself-hooks generate` and `--help` as a user runs them (the built CLI, a fresh process each time),
// each beside a bare `node -e 0` started the same way in the same run; and generate's growth with
// the number of triggers (fresh project each run, 5 triggers per table). Figures are medians; CPU
// time (user + sys of the child) is compared because it barely moves on a shared machine, wall
// time is printed beside it. Needs `npm run build` first (npm run bench does it).
//   node bench/generate.mjs [maxTriggers=10000]     NH_BENCH_RUNS=15 (runs per start-up figure)
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BIN, fmt, interleave, load, ROOT, repeat, row } from './lib.mjs'

const MAX = Number(process.argv[2] ?? 10_000)
const RUNS = Number(process.env.NH_BENCH_RUNS ?? 15)
/** a size whose run takes longer than this (wall) stops the doubling: the larger ones would take minutes */
const BUDGET_MS = 60_000

const tmp = mkdtempSync(join(tmpdir(), 'nh-bench-gen-'))
let n = 0
const freshDir = () => join(tmp, `p${n++}`)

console.log(`generate bench: load average ${load()}`)

// ---- start-up: bare node, --help, the fixture project
// a fresh copy each run: the first generate after a config edit, whose transform is not cached
const { bare, help, fixture } = interleave(RUNS, {
  bare: { args: ['-e', '0'] },
  help: { args: [BIN, '--help'] },
  fixture: {
    args: [BIN, 'generate'],
    prepare: () => {
      const dir = freshDir()
      cpSync(join(ROOT, 'fixtures', 'nself-project'), dir, { recursive: true })
      return { cwd: dir }
    },
  },
})
console.log(
  `node -e 0: ${fmt(bare.cpu, 'ms')} CPU, ${fmt(bare.wall, 'ms')} wall; --help ${fmt(help.cpu, 'ms')} / ${fmt(help.wall, 'ms')}; fixture generate ${fmt(fixture.cpu, 'ms')} / ${fmt(fixture.wall, 'ms')}`,
)
row({
  name: '--help (CPU)',
  value: help.cpu,
  unit: 'ms',
  baseline: bare.cpu,
  baselineName: 'node -e 0',
  goal: '<= 1.5x',
  ok: help.cpu / bare.cpu <= 1.5,
})
row({
  name: 'generate fixture (CPU)',
  value: fixture.cpu,
  unit: 'ms',
  baseline: bare.cpu,
  baselineName: 'node -e 0',
  goal: '<= 3x',
  ok: fixture.cpu / bare.cpu <= 3,
})
row({
  name: 'generate fixture (wall)',
  value: fixture.wall,
  unit: 'ms',
  baseline: bare.wall,
  baselineName: 'node -e 0',
  goal: '<= 3x',
  ok: fixture.wall / bare.wall <= 3,
})

// ---- growth
function project(triggers, crons) {
  const dir = freshDir()
  const lines = []
  for (let i = 0; i < triggers; i++) {
    const table = `t${Math.floor(i / 5)}`
    const on =
      i % 3 === 0
        ? '{ insert: true }'
        : i % 3 === 1
          ? "{ update: { columns: ['status'] } }"
          : '{ delete: true }'
    lines.push(`    trigger_${i}: { table: '${table}', on: ${on}, webhook: 'http://hooks.local/t/${i}' },`)
  }
  const cronLines = []
  for (let i = 0; i < crons; i++)
    cronLines.push(
      `    cron_${i}: { schedule: '${i % 60} * * * *', webhook: 'http://hooks.local/c/${i}', payload: { n: ${i} } },`,
    )
  const text = `import { defineConfig } from 'nself-hooks'\nexport default defineConfig({\n  defaults: { retry: { numRetries: 3 } },\n  triggers: {\n${lines.join('\n')}\n  },\n  crons: {\n${cronLines.join('\n')}\n  },\n})\n`
  mkdirSync(dir)
  writeFileSync(join(dir, 'webhooks.config.ts'), text)
  return { cwd: dir }
}

const sizes = []
for (let s = 1250; s <= MAX; s *= 2) sizes.push(s)
if (sizes[sizes.length - 1] !== MAX && MAX > 1250) sizes.push(MAX)
const growth = []
for (const size of sizes) {
  const runs = size >= 5000 ? 1 : 3
  const r = repeat(runs, () => project(size, 0), [BIN, 'generate'])
  growth.push({ size, ...r })
  console.log(
    `${size} triggers: ${fmt(r.cpu, 'ms')} CPU, ${fmt(r.wall, 'ms')} wall, ${fmt(r.rssMb, 'MB')} peak`,
  )
  if (r.wall > BUDGET_MS) {
    console.log(`stopped doubling: ${size} triggers took over ${BUDGET_MS / 1000} s`)
    break
  }
}
for (let i = 1; i < growth.length; i++) {
  const a = growth[i - 1]
  const b = growth[i]
  const ratio = b.cpu / a.cpu
  const goal = `<= ${((2.1 * b.size) / a.size / 2).toFixed(2)}x`
  row({
    name: `generate ${b.size} vs ${a.size} triggers (CPU)`,
    value: b.cpu,
    unit: 'ms',
    baseline: a.cpu,
    baselineName: `${a.size} triggers`,
    ratio,
    goal,
    ok: ratio <= (2.1 * b.size) / a.size / 2,
  })
}
const last = growth.find((g) => g.size === 10_000)
if (last) {
  row({
    name: 'generate 10,000 triggers (wall)',
    value: last.wall,
    unit: 'ms',
    goal: '<= 3 s',
    ok: last.wall <= 3000,
  })
  row({
    name: 'generate 10,000 triggers (CPU)',
    value: last.cpu,
    unit: 'ms',
    goal: '<= 3 s',
    ok: last.cpu <= 3000,
  })
  row({
    name: 'generate 10,000 triggers peak RSS',
    value: last.rssMb,
    unit: 'MB',
    goal: '<= 300 MB',
    ok: last.rssMb <= 300,
  })
} else row({ name: 'generate 10,000 triggers', value: undefined, goal: '<= 3 s, 300 MB', ok: false })

const mid = repeat(3, () => project(1500, 100), [BIN, 'generate'])
console.log(`1,500 triggers + 100 crons: ${fmt(mid.cpu, 'ms')} CPU, ${fmt(mid.wall, 'ms')} wall`)
row({
  name: 'generate 1,500 triggers + 100 crons (wall)',
  value: mid.wall,
  unit: 'ms',
  baseline: bare.wall,
  baselineName: 'node -e 0',
  goal: '<= 0.5 s',
  ok: mid.wall <= 500,
})
row({
  name: 'generate 1,500 triggers + 100 crons (CPU)',
  value: mid.cpu,
  unit: 'ms',
  baseline: bare.cpu,
  baselineName: 'node -e 0',
  goal: '<= 0.5 s',
  ok: mid.cpu <= 500,
})
// the everyday case: nothing changed since the last generate
const again = mid.last ? repeat(3, undefined, [BIN, 'generate'], { cwd: join(tmp, `p${n - 1}`) }) : undefined
if (again) {
  console.log(`same, up to date: ${fmt(again.cpu, 'ms')} CPU, ${fmt(again.wall, 'ms')} wall`)
  row({
    name: 'generate 1,500 + 100, up to date (wall)',
    value: again.wall,
    unit: 'ms',
    baseline: bare.wall,
    baselineName: 'node -e 0',
    goal: '<= 0.5 s',
    ok: again.wall <= 500,
  })
  row({
    name: 'generate 1,500 + 100, up to date (CPU)',
    value: again.cpu,
    unit: 'ms',
    baseline: bare.cpu,
    baselineName: 'node -e 0',
    goal: '<= 0.5 s',
    ok: again.cpu <= 500,
  })
}
rmSync(tmp, { recursive: true, force: true })
