import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { importConfig } from '../../src/config/load.js'
import { readActual } from '../../src/metadata/metadata-dir.js'
import { runCli } from '../helpers/cli.js'
import { HAS_SHARED, NO_SHARED_REASON, readTree, SHARED } from '../helpers/project.js'

const REALWORLD = join(SHARED, 'hasura', 'realworld')

function metadataDirOf(repo: string): string | undefined {
  for (const rel of ['hasura/metadata', 'metadata']) {
    if (existsSync(join(REALWORLD, repo, rel, 'databases', 'databases.yaml'))) return rel
  }
  return undefined
}

const v3 = HAS_SHARED ? readdirSync(REALWORLD).filter((r) => r.includes('__') && metadataDirOf(r)) : []

/** What the config has no words for: import must name it in its refusal. */
const CANNOT = [
  ['cleanup_config', 'cleanup_config'],
  ['request_transform', 'request transform'],
  ['response_transform', 'response transform'],
] as const

describe.skipIf(!HAS_SHARED)(
  `import of real projects is lossless ${HAS_SHARED ? '' : NO_SHARED_REASON}`,
  () => {
    it('covers the v3 projects of the reference set', () => {
      expect(v3.length).toBeGreaterThanOrEqual(13)
    })

    it.each(v3)(
      '%s: import everything, generate, every metadata file is byte for byte the same',
      async (repo) => {
        const rel = metadataDirOf(repo)!
        const dir = mkdtempSync(join(tmpdir(), 'nh-imp-rw-'))
        cpSync(join(REALWORLD, repo), dir, { recursive: true })
        const mdir = join(dir, rel)
        const original = readTree(mdir)
        const actual = readActual(mdir)

        const r = await runCli(['import'], { cwd: dir })
        const refusedLines = r.stderr.split('\n').filter((l) => l.startsWith('not imported '))
        const refused = new Map(
          refusedLines.map((l) => {
            const m = /^not imported (event trigger|cron trigger) (.+?): (.*)$/.exec(l)!
            return [`${m[1]}\u0000${m[2]}`, m[3]!]
          }),
        )
        // every object Hasura holds with something the config cannot say is refused by name, with the reason
        for (const e of actual.eventTriggers) {
          for (const [field, words] of CANNOT) {
            if ((e.trigger as Record<string, unknown>)[field] == null) continue
            expect(
              refused.get(`event trigger\u0000${e.trigger.name}`),
              `${e.trigger.name} refused`,
            ).toContain(words)
          }
        }
        for (const c of actual.cronTriggers) {
          for (const [field, words] of CANNOT) {
            if ((c.cron as Record<string, unknown>)[field] == null) continue
            expect(refused.get(`cron trigger\u0000${c.cron.name}`), `${c.cron.name} refused`).toContain(words)
          }
        }
        const total = actual.eventTriggers.length + actual.cronTriggers.length
        const configFile = join(dir, 'webhooks.config.ts')
        if (refused.size >= total) {
          // nothing could be taken in: a clear error, and nothing written
          expect(r.code).toBe(1)
          expect(r.stderr).toContain('could be imported')
          expect(existsSync(configFile)).toBe(false)
          expect(readTree(mdir)).toEqual(original)
          return
        }
        expect(r.code, r.stderr).toBe(0)
        // everything not refused is in the config now, under its own name
        const cfg = (await importConfig(configFile)) as { triggers?: object; crons?: object }
        const inConfig = Object.keys(cfg.triggers ?? {}).length + Object.keys(cfg.crons ?? {}).length
        expect(inConfig + refused.size).toBe(
          new Set([
            ...actual.eventTriggers.map((e) => `e${e.trigger.name}`),
            ...actual.cronTriggers.map((c) => `c${c.cron.name}`),
          ]).size,
        )
        expect(readFileSync(join(dir, 'webhooks.managed.json'), 'utf8')).toContain('"eventTriggers"')

        const g = await runCli(['generate'], { cwd: dir })
        expect(g.code, g.stderr).toBe(0)
        expect(readTree(mdir)).toEqual(original)
        expect((await runCli(['generate', '--check'], { cwd: dir })).code).toBe(0)

        // a second import changes nothing
        const before = readFileSync(configFile, 'utf8')
        const again = await runCli(['import'], { cwd: dir })
        expect(again.code).toBe(0)
        expect(again.stdout).toContain('nothing to import')
        expect(readFileSync(configFile, 'utf8')).toBe(before)
      },
    )
  },
)
