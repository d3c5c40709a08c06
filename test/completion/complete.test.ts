import { Option } from 'commander'
import { describe, expect, it } from 'vitest'
import { buildProgram } from '../../src/cli.js'
import { complete } from '../../src/completion/complete.js'
import { answerCompletion } from '../../src/completion/run.js'
import { bashQuote, splitLine } from '../../src/completion/shells.js'
import { completes } from '../../src/completion/values.js'
import { runCli as cli } from '../helpers/cli.js'
import { copyFixture, testdir } from '../helpers/project.js'

/** The values offered for `current` (the shells keep those it starts). */
const values = (words: string[], current: string, program = buildProgram(() => {})) =>
  complete(program, words, current)
    .candidates.map((c) => c.value)
    .filter((v) => v.startsWith(current))

/** What `nself-hooks __complete` prints, run in-process. */
async function answer(args: string[], cwd: string): Promise<string[]> {
  let out = ''
  const stream = {
    write: (s: string) => {
      out += s
      return true
    },
  } as unknown as NodeJS.WritableStream
  const code = await answerCompletion(
    buildProgram(() => {}),
    args,
    stream,
    cwd,
  )
  expect(code).toBe(0)
  return out.split('\n').slice(0, -1)
}

describe('what a word completes to, from the commander program', () => {
  it('a command or flag added to the program completes without editing a list', () => {
    const program = buildProgram(() => {})
    program
      .command('brand-new')
      .description('a command\nover two lines')
      .addOption(new Option('--mode <mode>').choices(['fast', 'slow']))
    expect(values([], 'bra', program)).toEqual(['brand-new'])
    expect(complete(program, [], 'bra').candidates.find((c) => c.value === 'brand-new')?.description).toBe(
      'a command over two lines',
    )
    expect(values(['brand-new'], '--m', program)).toEqual(['--mode'])
    expect(values(['brand-new', '--mode'], '', program)).toEqual(['fast', 'slow'])
    expect(values(['brand-new'], '--mode=', program)).toEqual(['--mode=fast', '--mode=slow'])
  })

  it('skips the values of flags on the way to the command and its arguments', () => {
    expect(values(['--config', 'x.ts', '--env-file', 'a.env', 'diff', '--against'], '')).toEqual([
      'files',
      'server',
      'all',
    ])
    // `--cwd` and `--config` are where the names are read from
    expect(
      complete(
        buildProgram(() => {}),
        ['--cwd', 'proj', '--config=c.ts', 'send'],
        '',
      ),
    ).toMatchObject({
      names: { kind: 'triggers-and-crons' },
      cwd: 'proj',
      config: 'c.ts',
    })
  })

  it('`help` completes command names; an unknown command completes nothing', () => {
    expect(values(['help'], 'sy')).toEqual(['sync'])
    expect(values(['nope'], '')).toEqual([])
    expect(values(['events', 'show'], '')).toEqual([])
  })

  it('paths are left to the shell: <file> and <dir> placeholders and marked values', () => {
    const program = buildProgram(() => {})
    expect(complete(program, ['--config'], '').paths).toBe('files')
    expect(complete(program, ['dev', '--data-dir'], '').paths).toBe('dirs')
    expect(complete(program, ['dev', '--sql'], '').paths).toBe('files')
    expect(complete(program, ['dev'], '--data-dir=da').paths).toBe('dirs')
    program.command('x').addOption(completes(new Option('--where <place>'), 'dirs'))
    expect(complete(program, ['x', '--where'], '').paths).toBe('dirs')
  })
})

describe('reading the line bash hands over', () => {
  it('removes quotes and backslashes and keeps the raw last word', () => {
    expect(splitLine(`nself-hooks --config 'a b'/c\\ d.ts "e\\"f" send nightly\\ r`)).toEqual({
      words: ['nself-hooks', '--config', 'a b/c d.ts', 'e"f', 'send'],
      current: 'nightly r',
      raw: 'nightly\\ r',
    })
    expect(splitLine('nself-hooks send ')).toEqual({ words: ['nself-hooks', 'send'], current: '', raw: '' })
    expect(splitLine(`nself-hooks send 'open quote`).current).toBe('open quote')
    expect(splitLine('trailing\\').current).toBe('trailing')
  })

  it('quotes only what bash would read differently', () => {
    expect(bashQuote('user_created')).toBe('user_created')
    expect(bashQuote('external/stripe')).toBe('external/stripe')
    expect(bashQuote(`a b$(c)'"`)).toBe(`a\\ b\\$\\(c\\)\\'\\"`)
  })
})

describe('__complete answers', () => {
  it('names come from the config found from the working directory, each shell in its format', async () => {
    const dir = copyFixture('nself-project')
    expect(await answer(['zsh', '--', 'send', 'daily'], dir)).toEqual([
      ':words',
      'daily-report-generation:cron trigger',
    ])
    expect(await answer(['fish', '--', 'send', 'daily'], dir)).toEqual([
      ':words',
      'daily-report-generation\tcron trigger',
    ])
    expect(await answer(['bash', 'nself-hooks send daily', 'daily'], dir)).toEqual([
      ':words',
      'daily-report-generation',
    ])
    expect(await answer(['zsh', '--', '--config', ''], dir)).toEqual([':files'])
  })

  it('escapes a colon for zsh and leaves out names a line cannot carry', async () => {
    const dir = testdir({
      'webhooks.config.ts': `export default { crons: { 'a:b': {}, 'two\\nlines': {}, 'ok': {} } }\n`,
    })
    expect(await answer(['zsh', '--', 'send', ''], dir)).toEqual([
      ':words',
      'a\\:b:cron trigger',
      'ok:cron trigger',
    ])
  })

  it('an unknown shell or a config that throws answers nothing, never an error', async () => {
    const dir = testdir({ 'webhooks.config.ts': `throw new Error('boom at load')\n` })
    expect(await answer(['powershell', '--', ''], dir)).toEqual([''])
    expect(await answer(['zsh', '--', 'send', ''], dir)).toEqual([':words'])
    // the entry the scripts call: no stack trace, not even on stderr
    const r = await cli(['__complete', 'bash', 'nself-hooks send ', ''], { cwd: dir })
    expect(r).toEqual({ code: 0, stdout: ':words', stderr: '' })
  })
})

describe('nself-hooks completion <shell>', () => {
  it('prints the script of each shell, and refuses another shell naming the choices', async () => {
    const dir = testdir({})
    for (const [shell, first] of [
      ['bash', '# bash completion for nself-hooks'],
      ['zsh', '#compdef nself-hooks'],
      ['fish', '# fish completion for nself-hooks'],
    ]) {
      const r = await cli(['completion', shell!], { cwd: dir })
      expect(r.code).toBe(0)
      expect(r.stdout.split('\n')[0]).toBe(first)
    }
    const bad = await cli(['completion', 'powershell'], { cwd: dir })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain(
      `value 'powershell' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish.`,
    )
    expect(bad.stderr).toContain('(run nself-hooks completion --help for usage)')
    expect(bad.stdout).toBe('')
  })
})
