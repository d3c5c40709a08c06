import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { toHasuraYaml } from '../../src/metadata/yaml-format.js'
import { HAS_SHARED, NO_SHARED_REASON, SHARED } from '../helpers/project.js'

const CLI = join(SHARED, 'hasura', 'hasura-tests', 'cli', 'internal', 'metadataobject')
const read = (p: string) => readFileSync(join(CLI, p), 'utf8')

/** The Hasura CLI's own golden files: the same JSON must become the same YAML text. */
describe.skipIf(!HAS_SHARED)(
  `YAML matches the Hasura CLI's export ${HAS_SHARED ? '' : NO_SHARED_REASON}`,
  () => {
    it('cron_triggers.yaml: quoting of schedules, nested lists, key order kept', () => {
      const metadata = JSON.parse(read('cron_triggers/testdata/export_test/t1/metadata.json'))
      expect(toHasuraYaml(metadata.cron_triggers)).toBe(
        read('cron_triggers/testdata/export_test/t1/want.cron_triggers.yaml'),
      )
    })

    it("a table file: '*' columns, a |- block body, an empty map", () => {
      const metadata = JSON.parse(read('sources/testdata/export_test/t1/metadata.json'))
      const t1 = metadata.sources[0].tables[0]
      expect(toHasuraYaml(t1)).toBe(
        read('sources/testdata/export_test/t1/want/databases/default/tables/public_t1.yaml'),
      )
    })

    it('tables.yaml: quoted !include strings', () => {
      const want = read('sources/testdata/export_test/t1/want/databases/default/tables/tables.yaml')
      expect(toHasuraYaml(['!include public_t1.yaml', '!include public_t2.yaml'])).toBe(want)
    })
  },
)
