// `npm run bench`: runs every bench script (bench/*.mjs but this one and lib.mjs) one after the
// other and prints one table: each figure, the baseline measured in the same run, their ratio and
// the goal. Needs `npm run build` first (npm run bench does it).
//   node bench/run.mjs [name...]     (e.g. `node bench/run.mjs generate events`)
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { fmt, load, ROOT } from './lib.mjs'

const only = process.argv.slice(2)
const scripts = readdirSync(join(ROOT, 'bench'))
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs' && f !== 'lib.mjs')
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.mjs$/, '')))
  .sort()

const rows = []
const failed = []
console.log(`node ${process.version}, ${cpus().length} cores, load average ${load()} at the start`)
for (const f of scripts) {
  console.log(`\n== bench/${f}`)
  const r = spawnSync(process.execPath, [join(ROOT, 'bench', f)], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  })
  for (const line of (r.stdout ?? '').split('\n')) {
    if (line.startsWith('NH_BENCH_ROW '))
      rows.push({ script: f.replace(/\.mjs$/, ''), ...JSON.parse(line.slice(13)) })
    else if (line.trim()) console.log(`  ${line}`)
  }
  if (r.status !== 0) {
    failed.push(f)
    console.log(`  FAILED (exit ${r.status}): ${(r.stderr ?? '').trim().split('\n').slice(-5).join('\n  ')}`)
  }
}

const table = [
  ['bench', 'figure', 'value', 'baseline (same run)', 'ratio', 'goal', 'met'],
  ...rows.map((r) => [
    r.script,
    r.name,
    fmt(r.value, r.unit),
    r.baseline === undefined
      ? '-'
      : `${fmt(r.baseline, r.baselineUnit ?? r.unit)} ${r.baselineName ?? ''}`.trim(),
    r.ratio === undefined || r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`,
    r.goal ?? '-',
    r.ok === undefined ? '-' : r.ok ? 'yes' : 'NO',
  ]),
]
const widths = table[0].map((_, i) => Math.max(...table.map((t) => String(t[i]).length)))
console.log(`\nload average ${load()} at the end`)
for (const [i, t] of table.entries()) {
  console.log(t.map((c, j) => String(c).padEnd(widths[j])).join(' | '))
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('-|-'))
}
if (failed.length) {
  console.log(`\nfailed: ${failed.join(', ')}`)
  process.exitCode = 1
}
