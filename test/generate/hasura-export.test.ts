import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { config, HAS_SHARED, NO_SHARED_REASON, readTree, SHARED } from '../helpers/project.js'

// A directory exactly as `hasura metadata export` wrote it (a real project's, with delete triggers):
// declaring its triggers in the config must leave it byte for byte, so `generate --check` is clean
// right after an export and the two never rewrite each other (docs/hasura-compatibility.md "Metadata files").
const REPO = join(SHARED, 'hasura', 'realworld', 'MadNovOrg__test-blacksmith')

describe.skipIf(!HAS_SHARED)(
  `a directory written by hasura metadata export ${HAS_SHARED ? '' : NO_SHARED_REASON}`,
  () => {
    it('stays byte for byte under generate --adopt, and generate --check is clean', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'nh-export-'))
      cpSync(REPO, dir, { recursive: true })
      const mdir = join(dir, 'hasura', 'metadata')
      const tables = join(mdir, 'databases', 'default', 'tables')
      const jobs = readFileSync(join(tables, 'public_expire_go1_license_jobs.yaml'), 'utf8')
      const pricing = readFileSync(join(tables, 'public_course_pricing_schedule.yaml'), 'utf8')
      // the export writes definition keys alphabetically: delete before enable_manual
      expect(jobs).toMatch(/definition:\n {6}delete:\n {8}columns: '\*'\n {6}enable_manual: false\n/)
      expect(pricing).toMatch(/delete:\n {8}columns: '\*'\n {6}enable_manual: false\n {6}insert:/)
      writeFileSync(
        join(dir, 'webhooks.config.ts'),
        config(`{
        hasura: { metadataDir: 'hasura/metadata', source: 'default' },
        triggers: {
          go1_license_expiry_job_deleted: {
            table: 'expire_go1_license_jobs',
            on: { delete: true },
            retry: { numRetries: 1, intervalSec: 30 },
            webhook: '{{EVENTS_HOST}}/go1-licensing/license-job-deleted',
          },
          schedule_course_price: {
            table: 'course_pricing_schedule',
            on: { insert: true, update: true, delete: true },
            retry: { numRetries: 5, intervalSec: 10 },
            webhook: '{{EVENTS_HOST}}/course/price/handle-schedule',
          },
        },
      }`),
      )
      const before = readTree(mdir)
      const adopted = await runCli(['generate', '--adopt'], { cwd: dir })
      expect(adopted.stderr.replace(/^warning .*$/gm, '').trim()).toBe('')
      expect(adopted.code).toBe(0)
      // nothing in the metadata directory moved: not one key, not one byte
      expect(readTree(mdir)).toEqual(before)
      const check = await runCli(['generate', '--check'], { cwd: dir })
      expect(check.stdout + check.stderr).not.toMatch(/would (change|write)/)
      expect(check.code).toBe(0)
    })
  },
)
