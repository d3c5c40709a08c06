import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { runCli } from '../helpers/cli.js'
import { config, readTree, testdir } from '../helpers/project.js'

const BUG = 'looks like a bug'
/** e2fsprogs' chattr, present on most Linux machines; the test that needs it skips without it */
const CHATTR = 'chattr'
const META = 'hasura/metadata'
const TABLES = `${META}/databases/default/tables`

/** A project with one trigger per table given, and (optionally) metadata files already there. */
function project(tables: { schema: string; name: string }[], files: Record<string, string> = {}, extra = '') {
  const triggers = tables
    .map(
      (t, i) =>
        `    t${i}: { table: ${JSON.stringify(t)}, on: { insert: true }, webhook: 'http://hooks/t${i}' },`,
    )
    .join('\n')
  return testdir({
    'webhooks.config.ts': config(`{\n  ${extra}triggers: {\n${triggers}\n  },\n}`),
    ...files,
  })
}

/** A metadata directory as the Hasura CLI exports it, with the given tables.yaml and extra files. */
function exported(tablesYaml: string, more: Record<string, string> = {}): Record<string, string> {
  return {
    [`${META}/version.yaml`]: 'version: 3\n',
    [`${META}/databases/databases.yaml`]:
      '- name: default\n  kind: postgres\n  configuration:\n    connection_info:\n      database_url:\n        from_env: DB\n  tables: "!include default/tables/tables.yaml"\n',
    [`${TABLES}/tables.yaml`]: tablesYaml,
    ...more,
  }
}

describe('table and schema names with YAML-special characters', () => {
  const hostile = [
    { schema: 'public', name: 'we"ird' },
    { schema: 'public', name: "it's" },
    { schema: 'public', name: 'a: b # not a comment' },
    { schema: 'public', name: '*star' },
    { schema: 'public', name: '&anchor' },
    { schema: 'public', name: '!include x.yaml' },
    { schema: 'public', name: '[flow], {map}' },
    { schema: 'public', name: '- dash' },
    { schema: 'public', name: '%percent @at `tick`' },
    { schema: 'public', name: ' padded ' },
    { schema: 'public', name: 'true' },
    { schema: 'public', name: '0x1F' },
    { schema: 'né"e ü', name: 'ünïcødé 🎉' },
    { schema: 's\'"q', name: 'x'.repeat(60) },
  ]

  it('writes YAML that parses back to the config names, and reads it again (--check clean)', async () => {
    const dir = project(hostile)
    const r = await runCli(['generate'], { cwd: dir })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const tablesYaml = readFileSync(join(dir, TABLES, 'tables.yaml'), 'utf8')
    const includes = parse(tablesYaml) as string[]
    expect(includes).toHaveLength(hostile.length)
    const read = includes.map((inc) => {
      expect(inc.startsWith('!include ')).toBe(true)
      const file = join(dir, TABLES, inc.slice('!include '.length))
      // every included file is a real file directly in the tables directory
      expect(dirname(file)).toBe(join(dir, TABLES))
      const doc = parse(readFileSync(file, 'utf8')) as {
        table: { schema: string; name: string }
        event_triggers: { name: string }[]
      }
      return { schema: doc.table.schema, name: doc.table.name, trigger: doc.event_triggers[0]!.name }
    })
    const want = hostile.map((t, i) => ({ ...t, trigger: `t${i}` }))
    const byTrigger = (a: { trigger: string }, b: { trigger: string }) => (a.trigger < b.trigger ? -1 : 1)
    expect(read.sort(byTrigger)).toEqual(want.sort(byTrigger))
    const check = await runCli(['generate', '--check'], { cwd: dir })
    expect(check.stderr).toBe('')
    expect(check.code).toBe(0)
  })

  it('adds a hostile name to an existing hand-written tables.yaml, flow style too', async () => {
    for (const tablesYaml of ['- "!include public_users.yaml"\n', '["!include public_users.yaml"]\n']) {
      const dir = project(
        [{ schema: 'public', name: 'x"y\'z' }],
        exported(tablesYaml, {
          [`${TABLES}/public_users.yaml`]: 'table:\n  name: users\n  schema: public\n',
        }),
      )
      const r = await runCli(['generate'], { cwd: dir })
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      expect(parse(readFileSync(join(dir, TABLES, 'tables.yaml'), 'utf8'))).toEqual([
        '!include public_users.yaml',
        '!include public_x"y\'z.yaml',
      ])
      expect(parse(readFileSync(join(dir, TABLES, 'public_x"y\'z.yaml'), 'utf8')).table).toEqual({
        name: 'x"y\'z',
        schema: 'public',
      })
    }
  })
})

describe('paths stay inside the metadata directory', () => {
  it.each([
    [{ schema: 'public', name: '../../../../escaped' }, 'triggers.t0.table'],
    [{ schema: '../..', name: 'x' }, 'triggers.t0.table'],
    [{ schema: 'public', name: 'a\\b' }, 'triggers.t0.table'],
    [{ schema: 'public', name: 'new\nline' }, 'triggers.t0.table'],
  ])('a table named %j is refused at %s, nothing written anywhere', async (table, path) => {
    const dir = project([table])
    const r = await runCli(['generate'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(path)
    expect(r.stderr).toContain('cannot be part of a file name')
    expect(r.stderr).not.toContain(BUG)
    expect(Object.keys(readTree(dir))).toEqual(['webhooks.config.ts'])
  })

  it('a source name with ../ is refused, nothing written', async () => {
    const dir = project(
      [{ schema: 'public', name: 'users' }],
      {},
      `hasura: { source: '../../../../../tmp/owned' },\n  `,
    )
    const r = await runCli(['generate'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('hasura.source')
    expect(r.stderr).not.toContain(BUG)
    expect(Object.keys(readTree(dir))).toEqual(['webhooks.config.ts'])
  })

  it('a committed !include ../../x.yaml in tables.yaml is refused, naming the value; the outside file is untouched', async () => {
    const outside = 'table:\n  name: users\n  schema: public\n'
    const dir = project(
      [{ schema: 'public', name: 'users' }],
      exported('- "!include ../../../../victim.yaml"\n', { 'victim.yaml': outside }),
    )
    const before = readTree(dir)
    const r = await runCli(['generate'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('!include ../../../../victim.yaml')
    expect(r.stderr).toContain('outside the metadata directory')
    expect(r.stderr).toContain('tables.yaml')
    expect(r.stderr).not.toContain(BUG)
    expect(readTree(dir)).toEqual(before)
  })

  it('a committed tables include in databases.yaml that leaves the directory is refused', async () => {
    const files = exported('[]\n')
    files[`${META}/databases/databases.yaml`] =
      '- name: default\n  kind: postgres\n  tables: "!include ../../x.yaml"\n'
    files['hasura/x.yaml'] = '[]\n'
    const dir = project([{ schema: 'public', name: 'users' }], files)
    const before = readTree(dir)
    const r = await runCli(['generate'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('!include ../../x.yaml')
    expect(r.stderr).toContain('databases.yaml')
    expect(readTree(dir)).toEqual(before)
  })
})

describe('broken metadata files are the user’s to fix, with the file and a hint', () => {
  const bomb =
    'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n'
  const cases: [string, Record<string, string>, string, RegExp][] = [
    ['tables.yaml that is a map', exported('a: "!include public_users.yaml"\n'), 'tables.yaml', /not a list/],
    [
      'cron_triggers.yaml that is a map',
      exported('[]\n', { [`${META}/cron_triggers.yaml`]: 'name: nightly\nschedule: "* * * * *"\n' }),
      'cron_triggers.yaml',
      /not a list of cron triggers/,
    ],
    ['an alias bomb in tables.yaml', exported(bomb), 'tables.yaml', /aliases that expand too far/],
    [
      'an alias bomb in cron_triggers.yaml',
      exported('[]\n', { [`${META}/cron_triggers.yaml`]: `- ${bomb.replace(/\n/g, '\n  ')}` }),
      'cron_triggers.yaml',
      /aliases that expand too far/,
    ],
    [
      'a table file that is a list',
      exported('- "!include public_users.yaml"\n', { [`${TABLES}/public_users.yaml`]: '- table: users\n' }),
      'public_users.yaml',
      /not a table definition/,
    ],
    [
      'a table file that is a plain string',
      exported('- "!include public_users.yaml"\n', { [`${TABLES}/public_users.yaml`]: 'users\n' }),
      'public_users.yaml',
      /not a table definition/,
    ],
    [
      'a table file whose event_triggers is a map',
      exported('- "!include public_users.yaml"\n', {
        [`${TABLES}/public_users.yaml`]: 'table:\n  name: users\n  schema: public\nevent_triggers:\n  a: 1\n',
      }),
      'public_users.yaml',
      /not a table definition/,
    ],
  ]

  it.each(cases)('%s: exit 1, the file named, a hint, nothing written', async (_, files, file, message) => {
    const dir = project([{ schema: 'public', name: 'users' }], files)
    const before = readTree(dir)
    for (const args of [['generate'], ['generate', '--check']]) {
      const r = await runCli(args, { cwd: dir })
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(message)
      expect(r.stderr).toContain(file)
      expect(r.stderr).toMatch(/^hint /m)
      expect(r.stderr).not.toContain(BUG)
    }
    expect(readTree(dir)).toEqual(before)
  })
})

describe('a metadata directory that cannot be written', () => {
  const immutable: string[] = []
  afterEach(() => {
    for (const d of immutable.splice(0)) execFileSync(CHATTR, ['-i', d])
  })

  it('a metadata directory below a file (ENOTDIR): exit 1 naming the directory, nothing written', async () => {
    const dir = project([{ schema: 'public', name: 'users' }], { hasura: 'a file, not a directory\n' })
    const r = await runCli(['generate'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(join(dir, 'hasura'))
    expect(r.stderr).toMatch(/cannot write .*not a directory/)
    expect(r.stderr).not.toContain(BUG)
    expect(Object.keys(readTree(dir)).sort()).toEqual(['hasura', 'webhooks.config.ts'])
  })

  it('a read-only (immutable) metadata directory: exit 1 naming it, no file changed, no temp file left', async (ctx) => {
    const dir = project(
      [{ schema: 'public', name: 'users' }],
      exported('- "!include public_users.yaml"\n', {
        [`${TABLES}/public_users.yaml`]: 'table:\n  name: users\n  schema: public\n',
      }),
    )
    const tablesDir = join(dir, TABLES)
    try {
      // Tests run as root, which file modes do not stop; the immutable attribute does.
      execFileSync(CHATTR, ['+i', tablesDir], { stdio: 'ignore' })
      immutable.push(tablesDir)
    } catch {
      ctx.skip('chattr +i is not available here (no chattr, or the file system or container refuses it)')
    }
    const before = readTree(dir)
    const r = await runCli(['generate'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`cannot write ${tablesDir}`)
    expect(r.stderr).toMatch(/operation not permitted|permission denied|read-only/)
    expect(r.stderr).toContain('nothing was changed')
    expect(r.stderr).not.toContain(BUG)
    expect(readTree(dir)).toEqual(before)
  })
})
