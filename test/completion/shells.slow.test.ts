import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildProgram } from '../../src/cli.js'
import { runCli as cli } from '../helpers/cli.js'
import { copyFixture, testdir } from '../helpers/project.js'
import { bashComplete, bashWordsOf, fishComplete, hasShell, zshComplete } from './shell-harness.js'

/**
 * `nself-hooks completion bash|zsh|fish` in the real shells, against the built CLI on PATH: the
 * fixture project's commands, flags, choices and trigger names, and names no shell may run or
 * split. Outside CI a missing zsh or fish skips its tests (CI installs both in .ci/run).
 */

const inCI = Boolean(process.env.CI)
// each completion starts a shell and the CLI; zsh a pseudo-terminal too
const SLOW = { timeout: 300_000 }
const skipWithout = (shell: string) => !inCI && !hasShell(shell)

/** Names Hasura takes for a cron (any text) that a shell would split, expand or run. */
const HOSTILE = [
  'nightly report',
  `it's "quoted"`,
  'x$(touch PWNED)`touch PWNED2`',
  'semi;colon&',
  'star*',
  'back\\slash',
]

const commandNames = buildProgram(() => {})
  .createHelp()
  .visibleCommands(buildProgram(() => {}))
  .map((c) => c.name())

let fixture: string
let hostile: string
const HOSTILE_DIR = `dir with 'quote' $(x)`
beforeAll(() => {
  fixture = copyFixture('nself-project')
  hostile = testdir({
    [`${HOSTILE_DIR}/webhooks.config.ts`]: `export default ${JSON.stringify({
      triggers: { user_created: { table: 'users', on: { insert: true }, webhook: 'http://127.0.0.1:1/x' } },
      crons: Object.fromEntries(
        HOSTILE.map((n) => [n, { schedule: '* * * * *', webhook: 'http://127.0.0.1:1/c' }]),
      ),
    })}\n`,
    'my file $(touch PWNED).ts': '',
  })
})

const values = (lines: string[]) => lines.map((l) => l.split('\t')[0]!)
const noCommandRan = (dir: string) => {
  expect(existsSync(join(dir, 'PWNED'))).toBe(false)
  expect(existsSync(join(dir, 'PWNED2'))).toBe(false)
}

describe.skipIf(skipWithout('bash'))('bash', SLOW, () => {
  it('completes command names from the program', async () => {
    expect(await bashComplete(fixture, 'nself-hooks ', '')).toEqual(commandNames)
    expect(await bashComplete(fixture, 'nself-hooks ev', 'ev')).toEqual(['events'])
    expect(await bashComplete(fixture, 'nself-hooks co', 'co')).toEqual(['console', 'completion'])
  })

  it("completes a command's flags and the global ones after it", async () => {
    expect(await bashComplete(fixture, 'nself-hooks sync --d', '--d')).toEqual(['--dry-run'])
    const flags = await bashComplete(fixture, 'nself-hooks events --', '--')
    expect(flags).toEqual(
      expect.arrayContaining(['--status', '--follow', '--limit', '--config', '--env-file']),
    )
    expect(flags).not.toContain('--dry-run')
  })

  it('completes .choices() values, after a space or an equals sign', async () => {
    expect(await bashComplete(fixture, 'nself-hooks diff --against ', '')).toEqual(['files', 'server', 'all'])
    expect(await bashComplete(fixture, 'nself-hooks events --status=fa', 'fa')).toEqual(['failed'])
    // bash's own last word is `=`: the reply replaces it
    expect(await bashComplete(fixture, 'nself-hooks events --status=', '=')).toEqual([
      '=pending',
      '=delivered',
      '=failed',
    ])
    expect(await bashComplete(fixture, 'nself-hooks completion ', '')).toEqual(['bash', 'zsh', 'fish'])
  })

  it("completes the config's trigger and cron names where a command takes one", async () => {
    expect(await bashComplete(fixture, 'nself-hooks events ', '')).toEqual([
      'show',
      'user_created',
      'user_updated',
      'order_completed',
      'daily-report-generation',
    ])
    expect(await bashComplete(fixture, 'nself-hooks send user_', 'user_')).toEqual([
      'user_created',
      'user_updated',
    ])
    // listen follows event triggers only
    expect(await bashComplete(fixture, 'nself-hooks listen --trigger ', '')).toEqual([
      'user_created',
      'user_updated',
      'order_completed',
    ])
    expect(await bashComplete(fixture, 'nself-hooks replay --failed --trigger da', 'da')).toEqual([
      'daily-report-generation',
    ])
    expect(await bashComplete(fixture, 'nself-hooks scaffold external/', 'external/')).toEqual([
      'external/stripe',
      'external/github',
    ])
    // after `show` comes an event id: nothing to offer
    expect(await bashComplete(fixture, 'nself-hooks events show ', '')).toEqual([])
  })

  it('quotes hostile names so bash reads back exactly the name and runs nothing', async () => {
    const line = `nself-hooks --config "${HOSTILE_DIR.replace(/[$"]/g, '\\$&')}/webhooks.config.ts" send `
    const replies = await bashComplete(hostile, line, '')
    expect(replies).toHaveLength(HOSTILE.length + 1)
    const names: string[] = []
    for (const reply of replies) {
      const words = await bashWordsOf(hostile, line, '', reply)
      names.push(words.at(-1)!)
      expect(words.at(-2)).toBe('send')
    }
    expect(names).toEqual(['user_created', ...HOSTILE])
    // a typed prefix with an escaped space completes the rest
    expect(await bashComplete(hostile, `${line}nightly\\ r`, 'nightly\\ r')).toEqual(['nightly\\ report'])
    noCommandRan(hostile)
  })
})

describe.skipIf(skipWithout('zsh'))('zsh', SLOW, () => {
  it('completes commands, flags and choices through its completion system', async () => {
    expect(await zshComplete(fixture, 'nself-hooks ev')).toEqual({
      matches: ['events'],
      buffer: 'nself-hooks events ',
    })
    expect((await zshComplete(fixture, 'nself-hooks sync --dry')).buffer).toBe('nself-hooks sync --dry-run ')
    expect((await zshComplete(fixture, 'nself-hooks diff --format gi')).buffer).toBe(
      'nself-hooks diff --format github ',
    )
    const all = await zshComplete(fixture, 'nself-hooks ')
    expect(all.matches).toEqual(expect.arrayContaining(commandNames))
  })

  it('completes trigger names and file paths', async () => {
    const events = await zshComplete(fixture, 'nself-hooks events ')
    expect(events.matches).toEqual(
      expect.arrayContaining([
        'show',
        'user_created',
        'user_updated',
        'order_completed',
        'daily-report-generation',
      ]),
    )
    expect((await zshComplete(fixture, 'nself-hooks send order')).buffer).toBe(
      'nself-hooks send order_completed ',
    )
    expect((await zshComplete(fixture, 'nself-hooks --config webh')).buffer).toBe(
      'nself-hooks --config webhooks.config.ts ',
    )
    expect((await zshComplete(fixture, 'nself-hooks --config=webh')).buffer).toBe(
      'nself-hooks --config=webhooks.config.ts ',
    )
  })

  it('installed as _nself-hooks in $fpath, completes on every Tab', async () => {
    const dir = testdir({})
    const script = await cli(['completion', 'zsh'], { cwd: dir })
    writeFileSync(join(dir, '_nself-hooks'), script.stdout)
    // Tab, Ctrl+U (clear the line), then a second completion in the same shell
    const second = await zshComplete(fixture, 'nself-hooks ev\t\x15nself-hooks sen', dir)
    expect(second.buffer).toBe('nself-hooks send ')
  })

  it('inserts hostile names and paths quoted, reading the config of a quoted --config', async () => {
    const config = `'${HOSTILE_DIR.replace(/'/g, `'\\''`)}/webhooks.config.ts'`
    const line = `nself-hooks --config ${config} send `
    const offered = await zshComplete(hostile, line)
    expect(offered.matches).toEqual(expect.arrayContaining(['user_created', ...HOSTILE]))
    for (const [typed, name] of [
      ['nigh', 'nightly report'],
      [`'nightly r`, 'nightly report'],
      ['"it', HOSTILE[1]!],
      ['x', HOSTILE[2]!],
      ['it', HOSTILE[1]!],
    ] as const) {
      const { buffer } = await zshComplete(hostile, line + typed)
      const words = await bashWordsOf(hostile, buffer.trimEnd(), '', '')
      expect(words.at(-1)).toBe(name)
    }
    const file = await zshComplete(hostile, 'nself-hooks --config my')
    expect((await bashWordsOf(hostile, file.buffer.trimEnd(), '', '')).at(-1)).toBe(
      'my file $(touch PWNED).ts',
    )
    noCommandRan(hostile)
  })
})

describe.skipIf(skipWithout('fish'))('fish', SLOW, () => {
  it('completes commands, flags with descriptions, and choices', async () => {
    expect(await fishComplete(fixture, 'nself-hooks ev')).toEqual([
      'events\trecent events of a trigger or cron and their delivery status; `events show <id>` for one event',
    ])
    expect(values(await fishComplete(fixture, 'nself-hooks sync --dry'))).toEqual(['--dry-run'])
    expect(values(await fishComplete(fixture, 'nself-hooks events --status '))).toEqual([
      'delivered',
      'failed',
      'pending',
    ])
  })

  it('completes trigger names and paths', async () => {
    expect(await fishComplete(fixture, 'nself-hooks send user')).toEqual([
      'user_created\tevent trigger',
      'user_updated\tevent trigger',
    ])
    expect(values(await fishComplete(fixture, 'nself-hooks --config webh'))).toEqual(['webhooks.config.ts'])
    expect(values(await fishComplete(fixture, 'nself-hooks --config=webh'))).toEqual([
      '--config=webhooks.config.ts',
    ])
  })

  it('offers hostile names whole, reading the config of a quoted --config, running nothing', async () => {
    const config = `'${HOSTILE_DIR.replace(/[\\']/g, '\\$&')}/webhooks.config.ts'`
    const offered = values(await fishComplete(hostile, `nself-hooks --config ${config} send `))
    expect(offered.sort()).toEqual(['user_created', ...HOSTILE].sort())
    expect(values(await fishComplete(hostile, `nself-hooks --config ${config} send 'nightly r`))).toEqual([
      'nightly report',
    ])
    noCommandRan(hostile)
  })
})

describe('completion without a readable config', SLOW, () => {
  it.skipIf(skipWithout('bash'))(
    'offers commands and flags but no names, and prints nothing else',
    async () => {
      const broken = testdir({ 'webhooks.config.ts': 'export default {{ nope' })
      expect(await bashComplete(broken, 'nself-hooks send ', '')).toEqual([])
      expect(await bashComplete(broken, 'nself-hooks sen', 'sen')).toEqual(['send'])
    },
  )

  it.skipIf(skipWithout('bash'))(
    'keeps what the config prints (and any secret in it) out of the answer',
    async () => {
      const dir = testdir({
        'webhooks.config.ts': `console.log('ADMIN_SECRET_VALUE'); console.error('ADMIN_SECRET_VALUE')
export default { triggers: { user_created: { table: 'users', on: { insert: true }, webhook: 'http://x' } } }
`,
      })
      mkdirSync(join(dir, 'sub'))
      writeFileSync(join(dir, 'sub', '.keep'), '')
      expect(await bashComplete(join(dir, 'sub'), 'nself-hooks send ', '')).toEqual(['user_created'])
    },
  )
})
