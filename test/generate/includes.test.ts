import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { testdir } from '../helpers/project.js'

/** tables.yaml gains and loses many `!include` lines in one run, keeping the lines it does not own. */

const META = 'hasura/metadata'
const TABLES = `${META}/databases/default/tables/tables.yaml`

function project(tablesYaml: string, tables: string[]) {
  const files: Record<string, string> = {
    [`${META}/version.yaml`]: 'version: 3\n',
    [`${META}/databases/databases.yaml`]:
      '- name: default\n  kind: postgres\n  configuration:\n    connection_info:\n      database_url:\n        from_env: DB\n  tables: "!include default/tables/tables.yaml"\n',
    [TABLES]: tablesYaml,
  }
  for (const t of tables)
    files[`${META}/databases/default/tables/public_${t}.yaml`] = `table:\n  name: ${t}\n  schema: public\n`
  return testdir(files)
}

const configFor = (tables: string[]) =>
  `export default { triggers: {\n${tables.map((t) => `  on_${t}: { table: '${t}', on: { insert: true }, webhook: 'http://hooks.local/${t}' },`).join('\n')}\n} }\n`

describe('generate: tables.yaml edits', () => {
  it('a sorted list takes each new table in order and gives them back, every other line kept', async () => {
    const before = '# hand-kept list\n- "!include public_b.yaml"\n- "!include public_m.yaml" # the m table\n'
    const dir = project(before, ['b', 'm'])
    writeFileSync(join(dir, 'webhooks.config.ts'), configFor(['z', 'c', 'a', 'n', 'y']))
    expect((await runCli(['generate'], { cwd: dir })).code).toBe(0)
    expect(readFileSync(join(dir, TABLES), 'utf8')).toBe(
      '# hand-kept list\n- "!include public_a.yaml"\n- "!include public_b.yaml"\n- "!include public_c.yaml"\n- "!include public_m.yaml" # the m table\n- "!include public_n.yaml"\n- "!include public_y.yaml"\n- "!include public_z.yaml"\n',
    )
    // all but one go: the file is back to what the user wrote, plus n
    writeFileSync(join(dir, 'webhooks.config.ts'), configFor(['n']))
    expect((await runCli(['generate'], { cwd: dir })).code).toBe(0)
    expect(readFileSync(join(dir, TABLES), 'utf8')).toBe(
      '# hand-kept list\n- "!include public_b.yaml"\n- "!include public_m.yaml" # the m table\n- "!include public_n.yaml"\n',
    )
    for (const t of ['a', 'c', 'y', 'z'])
      expect(existsSync(join(dir, `${META}/databases/default/tables/public_${t}.yaml`))).toBe(false)
  })

  it('an unsorted list keeps its order and takes the new tables at the end; a flow list becomes a block list', async () => {
    const dir = project('- "!include public_m.yaml"\n- "!include public_b.yaml"\n', ['b', 'm'])
    writeFileSync(join(dir, 'webhooks.config.ts'), configFor(['c', 'a']))
    expect((await runCli(['generate'], { cwd: dir })).code).toBe(0)
    const lines = readFileSync(join(dir, TABLES), 'utf8').trimEnd().split('\n')
    expect(lines.slice(0, 2)).toEqual(['- "!include public_m.yaml"', '- "!include public_b.yaml"'])
    expect(lines.slice(2).sort()).toEqual(['- "!include public_a.yaml"', '- "!include public_c.yaml"'])

    const flow = project('["!include public_m.yaml", "!include public_b.yaml"]\n', ['b', 'm'])
    writeFileSync(join(flow, 'webhooks.config.ts'), configFor(['a', 'c']))
    expect((await runCli(['generate'], { cwd: flow })).code).toBe(0)
    const flowLines = readFileSync(join(flow, TABLES), 'utf8').trimEnd().split('\n')
    expect(flowLines.slice(0, 2)).toEqual(['- "!include public_m.yaml"', '- "!include public_b.yaml"'])
    expect(flowLines.slice(2).sort()).toEqual(['- "!include public_a.yaml"', '- "!include public_c.yaml"'])
  })
})
