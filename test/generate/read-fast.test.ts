import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { parse } from 'yaml'
import { runCli } from '../helpers/cli.js'
import {
  config,
  HAS_SHARED,
  NO_SHARED_REASON,
  readTree,
  SHARED,
  tempDir,
  testdir,
} from '../helpers/project.js'

/**
 * `generate` reads the files it wrote itself without the yaml library's Document (`readPlainBlock`).
 * Each project below goes through the same runs twice, in two copies: once as shipped, once with
 * that reader switched off so every file goes through the library. Exit codes, output and every
 * byte of the files must be the same.
 */
const reader = vi.hoisted(() => ({ direct: true, used: 0 }))
vi.mock('../../src/metadata/yaml-format.js', async (original) => {
  const m = await original<typeof import('../../src/metadata/yaml-format.js')>()
  return {
    ...m,
    readPlainBlock: (text: string) => {
      if (!reader.direct) return undefined
      const v = m.readPlainBlock(text)
      if (v !== undefined) reader.used++
      return v
    },
  }
})

type Step = (dir: string) => void | string[]

/** Runs the steps (each may edit the project, then names the generate arguments) in a copy. */
async function outcome(project: string, steps: Step[], direct: boolean) {
  const dir = tempDir('nh-read-')
  cpSync(project, dir, { recursive: true })
  reader.direct = direct
  const runs: unknown[] = []
  try {
    for (const step of steps) {
      const args = step(dir) ?? []
      const r = await runCli(['generate', ...args], { cwd: dir })
      runs.push({
        args,
        ...r,
        stdout: r.stdout.replaceAll(dir, '<dir>'),
        stderr: r.stderr.replaceAll(dir, '<dir>'),
      })
      runs.push(readTree(dir))
    }
  } finally {
    reader.direct = true
  }
  return runs
}

async function sameBothWays(project: string, steps: Step[]) {
  const before = reader.used
  const fast = await outcome(project, steps, true)
  const usedDirect = reader.used - before
  const slow = await outcome(project, steps, false)
  expect(fast).toEqual(slow)
  // the first run generated: what follows compared runs that did something
  expect(fast[0]).toMatchObject({ code: 0 })
  return usedDirect
}

const TABLES = 'hasura/metadata/databases/default/tables'
const edit = (file: string, f: (text: string) => string) => (dir: string) => {
  const path = join(dir, file)
  const text = readFileSync(path, 'utf8')
  const next = f(text)
  expect(next, `${file} was edited`).not.toBe(text)
  writeFileSync(path, next)
}

const triggers = (webhook: string) =>
  config(`{
  triggers: {
    orders_created: { table: 'orders', on: { insert: true }, webhook: '${webhook}/created' },
    orders_paid: { table: 'orders', on: { update: { columns: ['status', 'paid_at'] } }, webhook: '${webhook}/paid' },
    users_gone: { table: 'auth.users', on: { delete: true }, webhook: '${webhook}/gone', headers: { 'X-Key': { fromEnv: 'KEY' } } },
  },
  crons: {
    nightly: { schedule: '0 3 * * *', webhook: '${webhook}/nightly', payload: { n: 1, tags: ['a', 'b'] } },
    'every-5': { schedule: '*/5 * * * *', webhook: '${webhook}/five' },
  },
}`)

describe('the direct reader changes nothing generate does', () => {
  const project = testdir({ 'webhooks.config.ts': triggers('http://hooks.local') })
  const reconfigure = (webhook: string) => (dir: string) => {
    writeFileSync(join(dir, 'webhooks.config.ts'), triggers(webhook))
  }

  it('on the files it wrote: up to date, changed, checked', async () => {
    const used = await sameBothWays(project, [
      () => {},
      () => {},
      () => ['--check'],
      reconfigure('https://other.local'),
      () => ['--check'],
      reconfigure('http://hooks.local'),
      () => ['--dry-run'],
      () => {},
    ])
    // not vacuous: the shipped run read files directly
    expect(used).toBeGreaterThan(10)
  })

  // edits a person (or another tool) may make to a file generate wrote
  const handEdits: [string, Step][] = [
    [
      'a comment',
      edit(`${TABLES}/public_orders.yaml`, (t) =>
        t.replace('  - name: orders_paid', '  # paid\n  - name: orders_paid'),
      ),
    ],
    [
      'a trailing comment',
      edit(`${TABLES}/public_orders.yaml`, (t) => t.replace('schema: public', 'schema: public # ours')),
    ],
    ['double quotes', edit(`${TABLES}/public_orders.yaml`, (t) => t.replace("columns: '*'", 'columns: "*"'))],
    [
      'a changed value',
      edit(`${TABLES}/public_orders.yaml`, (t) => t.replace('num_retries: 0', 'num_retries: 4')),
    ],
    [
      'a changed name',
      edit(`${TABLES}/public_orders.yaml`, (t) => t.replace('name: orders_paid', 'name: orders_payd')),
    ],
    [
      'a duplicate key',
      edit(`${TABLES}/public_orders.yaml`, (t) =>
        t.replace('  schema: public\n', '  schema: public\n  schema: shop\n'),
      ),
    ],
    [
      'another item',
      edit(
        `${TABLES}/public_orders.yaml`,
        (t) =>
          `${t}  - name: theirs\n    definition:\n      enable_manual: true\n    retry_conf:\n      interval_sec: 1\n      num_retries: 0\n      timeout_sec: 1\n    webhook: http://theirs\n`,
      ),
    ],
    [
      'an anchor',
      edit(`${TABLES}/public_orders.yaml`, (t) =>
        t.replace('interval_sec: 10', 'interval_sec: &i 10').replace(/(timeout_sec: )60/, '$1*i'),
      ),
    ],
    ['CRLF line ends', edit(`${TABLES}/public_orders.yaml`, (t) => t.replace(/\n/g, '\r\n'))],
    ['no final newline', edit(`${TABLES}/public_orders.yaml`, (t) => t.slice(0, -1))],
    [
      'tabs',
      edit(`${TABLES}/public_orders.yaml`, (t) => t.replace('      enable_manual', '\tenable_manual')),
    ],
    ['a deeper indent', edit(`${TABLES}/public_orders.yaml`, (t) => t.replace(/^ {2}/gm, '    '))],
    [
      'a flow map',
      edit(`${TABLES}/auth_users.yaml`, (t) =>
        t.replace('table:\n  name: users\n  schema: auth\n', 'table: {name: users, schema: auth}\n'),
      ),
    ],
    [
      'a __proto__ key',
      edit(`${TABLES}/auth_users.yaml`, (t) => t.replace('table:\n', 'table:\n  __proto__:\n    name: x\n')),
    ],
    ['an edited cron', edit('hasura/metadata/cron_triggers.yaml', (t) => t.replace('n: 1', 'n: 2'))],
    [
      'a cron by hand',
      edit(
        'hasura/metadata/cron_triggers.yaml',
        (t) =>
          `${t}- name: theirs\n  webhook: http://theirs\n  schedule: '* * * * *'\n  include_in_metadata: true\n`,
      ),
    ],
    [
      'a quoted include',
      edit(`${TABLES}/tables.yaml`, (t) =>
        t.replace('"!include public_orders.yaml"', "'!include public_orders.yaml'"),
      ),
    ],
    [
      'an include tag',
      edit(`${TABLES}/tables.yaml`, (t) =>
        t.replace('"!include public_orders.yaml"', '!include public_orders.yaml'),
      ),
    ],
    ['an empty cron file', edit('hasura/metadata/cron_triggers.yaml', () => '')],
  ]

  it.each(handEdits)('after %s: the same files and output', async (_what, change) => {
    const used = await sameBothWays(project, [
      () => {},
      (dir) => {
        change(dir)
      },
      () => ['--check'],
      () => {},
      reconfigure('https://other.local'),
      () => {},
    ])
    expect(used).toBeGreaterThan(0)
  })
})

const REALWORLD = join(SHARED, 'hasura', 'realworld')

function metadataDirOf(repo: string): string | undefined {
  for (const rel of ['hasura/metadata', 'metadata']) {
    if (existsSync(join(REALWORLD, repo, rel, 'databases', 'databases.yaml'))) return rel
  }
  return undefined
}

describe.skipIf(!HAS_SHARED)(
  `the direct reader on real projects' metadata ${HAS_SHARED ? '' : NO_SHARED_REASON}`,
  () => {
    const repos = HAS_SHARED ? readdirSync(REALWORLD).filter((r) => metadataDirOf(r) !== undefined) : []

    it('covers the v3 projects of the reference set', () => {
      expect(repos.length).toBeGreaterThanOrEqual(13)
    })

    it.each(repos)('%s: the same files and output both ways', async (repo) => {
      const rel = metadataDirOf(repo)!
      const mdir = join(REALWORLD, repo, rel)
      const dbs = parse(readFileSync(join(mdir, 'databases', 'databases.yaml'), 'utf8')) as { name: string }[]
      const source = dbs[0]!.name
      const probe = (webhook: string) => (dir: string) => {
        writeFileSync(
          join(dir, 'webhooks.config.ts'),
          config(`{
            hasura: { metadataDir: '${rel}', source: '${source}' },
            triggers: { nh_probe_created: { table: 'nh_probe.items', on: { insert: true }, webhook: '${webhook}/probe' } },
            crons: { 'nh-probe-cron': { schedule: '*/5 * * * *', webhook: '${webhook}/cron' } },
          }`),
        )
      }
      const tree = tempDir('nh-rw-read-')
      cpSync(join(REALWORLD, repo), tree, { recursive: true })
      await sameBothWays(tree, [
        probe('http://probe.local'),
        () => ['--check'],
        probe('http://other.local'),
        () => ['--adopt'],
        (dir) => {
          writeFileSync(
            join(dir, 'webhooks.config.ts'),
            config(`{ hasura: { metadataDir: '${rel}', source: '${source}' } }`),
          )
          return ['--allow-delete-all']
        },
      ])
    })
  },
)
