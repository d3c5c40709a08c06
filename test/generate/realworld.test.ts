import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ajv } from 'ajv'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { runCli } from '../helpers/cli.js'
import {
  config,
  copyFixture,
  HAS_SHARED,
  keptEveryLine,
  NO_SHARED_REASON,
  readTree,
  SHARED,
} from '../helpers/project.js'

const REALWORLD = join(SHARED, 'hasura', 'realworld')

function hasuraSchema() {
  const doc = JSON.parse(readFileSync(join(SHARED, 'hasura', 'hasura-metadata-events.schema.json'), 'utf8'))
  const ajv = new Ajv({ strict: false, allErrors: true })
  ajv.addSchema(doc, 'hasura')
  return {
    tableTriggers: ajv.compile({ $ref: 'hasura#/x-entrypoints/table_event_triggers' }),
    cronFile: ajv.compile({ $ref: 'hasura#/x-entrypoints/cron_triggers_file' }),
  }
}

describe.skipIf(!HAS_SHARED)(
  `emitted entries validate against Hasura's metadata schema ${HAS_SHARED ? '' : NO_SHARED_REASON}`,
  () => {
    it.each(['nself-project', 'brownfield'])('%s', async (fixture) => {
      const { tableTriggers, cronFile } = hasuraSchema()
      const dir = copyFixture(fixture)
      expect((await runCli(['generate'], { cwd: dir })).code).toBe(0)
      const tree = readTree(join(dir, 'hasura', 'metadata'))
      let checked = 0
      for (const [file, text] of Object.entries(tree)) {
        if (!/databases\/[^/]+\/tables\/(?!tables\.yaml)[^/]+\.yaml$/.test(file)) continue
        const list = parse(text).event_triggers ?? []
        expect(tableTriggers(list), `${file}: ${JSON.stringify(tableTriggers.errors)}`).toBe(true)
        checked += list.length
      }
      const crons = parse(tree['cron_triggers.yaml']!)
      expect(cronFile(crons), JSON.stringify(cronFile.errors)).toBe(true)
      expect(checked).toBeGreaterThanOrEqual(3)
    })
  },
)

const repos = HAS_SHARED
  ? readdirSync(REALWORLD).filter((r) => existsSync(join(REALWORLD, r, 'COMMIT')) || r.includes('__'))
  : []

function metadataDirOf(repo: string): string | undefined {
  for (const rel of ['hasura/metadata', 'metadata']) {
    if (existsSync(join(REALWORLD, repo, rel, 'databases', 'databases.yaml'))) return rel
  }
  return undefined
}

describe.skipIf(!HAS_SHARED)(
  `real projects' metadata survives generate ${HAS_SHARED ? '' : NO_SHARED_REASON}`,
  () => {
    const v3 = repos.filter((r) => metadataDirOf(r) !== undefined)

    it('covers the v3 projects of the reference set', () => {
      expect(v3.length).toBeGreaterThanOrEqual(13)
    })

    it.each(v3)('%s: adds, then removes, without touching a byte it does not own', async (repo) => {
      const rel = metadataDirOf(repo)!
      const dir = mkdtempSync(join(tmpdir(), 'nh-rw-'))
      cpSync(join(REALWORLD, repo), dir, { recursive: true })
      const mdir = join(dir, rel)
      const dbs = parse(readFileSync(join(mdir, 'databases', 'databases.yaml'), 'utf8')) as { name: string }[]
      const source = dbs[0]!.name
      const original = readTree(mdir)
      // One trigger on a brand-new table, one cron: both owned by the tool.
      writeFileSync(
        join(dir, 'webhooks.config.ts'),
        config(`{
        hasura: { metadataDir: '${rel}', source: '${source}' },
        triggers: { nh_probe_created: { table: 'nh_probe.items', on: { insert: true, update: { columns: ['state'] } }, webhook: '{{NH_BASE}}/probe' } },
        crons: { 'nh-probe-cron': { schedule: '*/5 * * * *', webhook: 'http://probe.local/cron' } },
      }`),
      )
      const r = await runCli(['generate'], { cwd: dir })
      expect(r.stderr.replace(/^warning .*$/gm, '').trim()).toBe('')
      expect(r.code).toBe(0)
      const after = readTree(mdir)
      for (const [file, text] of Object.entries(original)) {
        expect(after[file], `${file} still exists`).toBeDefined()
        if (after[file] !== text && !/^\s*\[\]\s*$/.test(text)) {
          expect(
            ['cron_triggers.yaml', `databases/${source}/tables/tables.yaml`].some((f) => file.endsWith(f)),
          ).toBe(true)
          expect(keptEveryLine(text, after[file]!), `${file} kept every line`).toBe(true)
        }
      }
      expect(after[`databases/${source}/tables/nh_probe_items.yaml`]).toContain('name: nh_probe_created')
      expect(after['cron_triggers.yaml']).toContain('name: nh-probe-cron')
      // A second run is a no-op; dropping both from the config gives back every original byte.
      expect((await runCli(['generate', '--check'], { cwd: dir })).code).toBe(0)
      writeFileSync(
        join(dir, 'webhooks.config.ts'),
        config(`{ hasura: { metadataDir: '${rel}', source: '${source}' } }`),
      )
      // a config that declares nothing removes every managed trigger only when told so
      const refused = await runCli(['generate'], { cwd: dir })
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain('--allow-delete-all')
      expect(readTree(mdir)).toEqual(after)
      expect((await runCli(['generate', '--allow-delete-all'], { cwd: dir })).code).toBe(0)
      const back = readTree(mdir)
      for (const [file, text] of Object.entries(original)) {
        if (file.endsWith('cron_triggers.yaml') && /^\s*(\[\])?\s*$/.test(text)) continue
        expect(back[file], file).toBe(text)
      }
    })
  },
)
