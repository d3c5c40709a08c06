// What one Tab costs: `nself-hooks __complete` as the completion scripts call it (the built CLI, a
// fresh process each time) beside a bare `node -e 0` started the same way in the same run.
// Runs take turns (see `interleave` in bench/lib.mjs). Completing a command name loads only the CLI's registry; completing a trigger name also runs
// the project's config. Figures are medians; CPU time is compared (it barely moves on a shared
// machine), wall time is printed beside it. Needs `npm run build` first (npm run bench does it).
//   node bench/completion.mjs     NH_BENCH_RUNS=9 (runs per figure)
import { cpSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BIN, fmt, interleave, load, ROOT, row } from './lib.mjs'

const RUNS = Number(process.env.NH_BENCH_RUNS ?? 9)
const project = mkdtempSync(join(tmpdir(), 'nh-bench-completion-'))
cpSync(join(ROOT, 'fixtures', 'nself-project'), project, { recursive: true })

console.log(`completion bench: load average ${load()}`)
const inProject = { cwd: project }
const { bare, help, command, flag, names } = interleave(RUNS, {
  bare: { args: ['-e', '0'] },
  help: { args: [BIN, '--help'], opts: inProject },
  command: { args: [BIN, '__complete', 'bash', 'nself-hooks ev', 'ev'], opts: inProject },
  flag: { args: [BIN, '__complete', 'zsh', '--', 'events', '--st'], opts: inProject },
  names: { args: [BIN, '__complete', 'fish', '--', 'send', ''], opts: inProject },
})
if (!command.last.stdout.includes('events') || !names.last.stdout.includes('user_created')) {
  throw new Error(`unexpected answers: ${command.last.stdout} / ${names.last.stdout}`)
}
console.log(
  `node -e 0 ${fmt(bare.cpu, 'ms')} CPU / ${fmt(bare.wall, 'ms')} wall; --help ${fmt(help.cpu, 'ms')} / ${fmt(help.wall, 'ms')}; command name ${fmt(command.cpu, 'ms')} / ${fmt(command.wall, 'ms')}; flag ${fmt(flag.cpu, 'ms')} / ${fmt(flag.wall, 'ms')}; trigger names ${fmt(names.cpu, 'ms')} / ${fmt(names.wall, 'ms')}`,
)
const base = { unit: 'ms', baselineName: 'node -e 0' }
row({
  ...base,
  name: 'complete a command name (CPU)',
  value: command.cpu,
  baseline: bare.cpu,
  goal: '<= 2x',
  ok: command.cpu / bare.cpu <= 2,
})
row({
  ...base,
  name: 'complete a command name (wall)',
  value: command.wall,
  baseline: bare.wall,
  goal: '<= 2x',
  ok: command.wall / bare.wall <= 2,
})
row({
  ...base,
  name: 'complete a flag (CPU)',
  value: flag.cpu,
  baseline: bare.cpu,
  goal: '<= 2x',
  ok: flag.cpu / bare.cpu <= 2,
})
row({
  ...base,
  name: 'complete a trigger name (CPU)',
  value: names.cpu,
  baseline: bare.cpu,
  goal: '<= 5x',
  ok: names.cpu / bare.cpu <= 5,
})
