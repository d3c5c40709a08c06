import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, watch, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { BIN, BUILT, runBin } from '../helpers/bin.js'
import { config, readTree, testdir } from '../helpers/project.js'

/**
 * `generate` killed with SIGKILL at random moments of a large run (1,600 triggers on 800 tables,
 * and the config shrinking to a quarter of that and growing back): after every kill the
 * directory is readable, the next `generate` repairs it to exactly what an uninterrupted run
 * writes, `generate --check` is clean, and no temporary file is left.
 */

beforeAll(() => {
  if (!BUILT) throw new Error('run npm run build first (npm test does)')
})

const TABLES = 800
const META = 'hasura/metadata'
const TABLES_DIR = `${META}/databases/default/tables`
const TEMP = /\.nself-hooks\.tmp$/

/** Two triggers per table; `every` keeps one table in that many (the shrunk config). Built by the config itself. */
function bigConfig(every: number): string {
  return config(`{
  triggers: Object.fromEntries(
    Array.from({ length: ${TABLES} }, (_, k) => k)
      .filter((k) => k % ${every} === 0)
      .flatMap((k) => [
        [\`t\${k}_ins\`, { table: \`s\${k % 4}.tbl_\${k}\`, on: { insert: true }, webhook: \`http://hooks/\${k}/ins\`, headers: { 'x-k': \`v"\${k}\` } }],
        [\`t\${k}_upd\`, { table: \`s\${k % 4}.tbl_\${k}\`, on: { update: { columns: ['a', 'b'] } }, webhook: \`http://hooks/\${k}/upd\`, retry: { numRetries: k % 5 } }],
      ]),
  ),
  crons: { nightly: { schedule: '0 3 * * *', webhook: 'http://hooks/cron' } },
}`)
}

const CONFIGS = { grown: bigConfig(1), shrunk: bigConfig(4) }

function temps(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(join(d, e.name))
      } else if (TEMP.test(e.name)) out.push(join(d, e.name))
    }
  }
  walk(dir)
  return out
}

/** Files, minus temporary ones: what the next run reads. */
function state(dir: string): Record<string, string> {
  const tree = readTree(dir)
  for (const k of Object.keys(tree)) if (TEMP.test(k)) delete tree[k]
  return tree
}

/** Every !include in tables.yaml names a file that exists: the invariant the write order keeps. */
function danglingIncludes(dir: string): string[] {
  const file = join(dir, TABLES_DIR, 'tables.yaml')
  if (!existsSync(file)) return []
  const list = (parse(readFileSync(file, 'utf8')) as string[] | null) ?? []
  return list.map((e) => e.replace(/^!include /, '')).filter((f) => !existsSync(join(dir, TABLES_DIR, f)))
}

/**
 * Starts `generate` and kills it: `at` ms after start, or (`afterFirstTemp`) that long after its
 * first temporary file appears, i.e. inside the write phase. Resolves with whether the kill landed
 * before the process ended by itself.
 */
function runAndKill(dir: string, at: number, afterFirstTemp: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn('node', [BIN, 'generate'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: 'ignore',
    })
    let exited = false
    let killedEarly = false
    const kill = () => {
      if (!exited) {
        killedEarly = true
        child.kill('SIGKILL')
      }
    }
    let watcher: ReturnType<typeof watch> | undefined
    if (afterFirstTemp) {
      // The managed record is the first file written; its temporary file marks the write phase.
      watcher = watch(dir, (_, name) => {
        if (name && TEMP.test(String(name))) {
          watcher?.close()
          watcher = undefined
          if (at === 0) kill()
          else setTimeout(kill, at)
        }
      })
    } else setTimeout(kill, at)
    child.on('exit', () => {
      exited = true
      watcher?.close()
      resolve(killedEarly)
    })
  })
}

/** What an uninterrupted run writes for each config, in sequence grown → shrunk → grown. */
async function references() {
  const dir = testdir({ 'webhooks.config.ts': CONFIGS.grown })
  const timed = async () => {
    const t0 = performance.now()
    const r = await runBin(['generate'], { cwd: dir })
    expect(r.code).toBe(0)
    return performance.now() - t0
  }
  const ms = await timed()
  const grown = state(dir)
  writeFileSync(join(dir, 'webhooks.config.ts'), CONFIGS.shrunk)
  await timed()
  const shrunk = state(dir)
  return { ms, grown, shrunk }
}

describe('generate killed with SIGKILL at random moments', () => {
  it('always leaves a directory the next generate reads and repairs', { timeout: 1_500_000 }, async () => {
    const ref = await references()
    // The reference tree holds the config of its run; compare the rest.
    const want = (kind: 'grown' | 'shrunk') => ({ ...ref[kind], 'webhooks.config.ts': CONFIGS[kind] })
    expect(Object.keys(ref.grown).filter((f) => f.startsWith(TABLES_DIR)).length).toBe(TABLES + 1)
    expect(Object.keys(ref.shrunk).filter((f) => f.startsWith(TABLES_DIR)).length).toBe(TABLES / 4 + 1)

    const dir = testdir({ 'webhooks.config.ts': CONFIGS.grown })
    let current: 'grown' | 'shrunk' | 'none' = 'none'
    const kills = 16
    let landed = 0
    let midWrite = 0
    let withTemps = 0
    const seen: string[] = []
    for (let i = 0; i < kills; i++) {
      // Alternate growing (new table files and includes) and shrinking (includes and files removed).
      const next: 'grown' | 'shrunk' = current === 'grown' ? 'shrunk' : 'grown'
      writeFileSync(join(dir, 'webhooks.config.ts'), CONFIGS[next])
      const before = state(dir)
      // Even kills: anywhere in the run; odd ones: inside the write phase (some right at its start).
      const inWrite = i % 2 === 1
      const at = inWrite ? (i % 4 === 1 ? 0 : Math.random() * 60) : Math.random() * ref.ms
      const killed = await runAndKill(dir, Math.round(at), inWrite)
      if (killed) landed++

      const after = state(dir)
      const leftTemps = temps(dir).length
      const partial =
        JSON.stringify(after) !== JSON.stringify(before) &&
        JSON.stringify(after) !== JSON.stringify(want(next))
      if (leftTemps > 0 || partial) midWrite++
      if (leftTemps > 0) withTemps++
      seen.push(
        `kill ${i} (${next}, ${inWrite ? 'write phase +' : 'at '}${Math.round(at)}ms): temps ${leftTemps}, partial ${partial}`,
      )
      // The order of the writes: no include names a missing file at any moment.
      expect(danglingIncludes(dir), seen.at(-1)).toEqual([])

      const repair = await runBin(['generate'], { cwd: dir })
      expect(repair.stderr, seen.at(-1)).toBe('')
      expect(repair.code, seen.at(-1)).toBe(0)
      const check = await runBin(['generate', '--check'], { cwd: dir })
      expect(check.code, `${seen.at(-1)}\n${check.stdout}${check.stderr}`).toBe(0)
      expect(temps(dir), seen.at(-1)).toEqual([])
      expect(state(dir), seen.at(-1)).toEqual(want(next))
      current = next
    }
    // The kills hit running processes, and some of them in the middle of writing.
    expect(landed, seen.join('\n')).toBeGreaterThanOrEqual(kills / 2)
    expect(midWrite, seen.join('\n')).toBeGreaterThanOrEqual(3)
    expect(withTemps, seen.join('\n')).toBeGreaterThanOrEqual(1)
  })
})
