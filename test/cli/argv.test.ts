import { describe, expect, it } from 'vitest'
import { buildProgram, type ParsedCommand } from '../../src/cli.js'
import { cli, testdir } from '../helpers/project.js'

function parse(argv: string[]): ParsedCommand {
  let parsed: ParsedCommand | undefined
  const program = buildProgram((p) => {
    parsed = p
  })
  program.configureOutput({ writeOut: () => {}, writeErr: () => {} })
  program.parse(['node', 'nself-hooks', ...argv])
  if (!parsed) throw new Error(`no command ran for ${argv.join(' ')}`)
  return parsed
}

describe('argv maps to the right command and options', () => {
  const cases: [string[], string, Record<string, unknown>, string[]?, Record<string, unknown>?][] = [
    [['generate'], 'generate', {}],
    [['generate', '--check'], 'generate', { check: true }],
    [['generate', '--dry-run', '--json'], 'generate', { dryRun: true, json: true }],
    [['--config', 'x.ts', 'generate'], 'generate', {}, [], { config: 'x.ts' }],
    [
      ['--env-file', 'a.env', '--env-file', 'b.env', 'generate'],
      'generate',
      {},
      [],
      { envFile: ['a.env', 'b.env'] },
    ],
    [['--no-color', '--verbose', 'init'], 'init', {}, [], { color: false, verbose: true }],
    [['init', '--force'], 'init', { force: true }],
    [['sync', '--yes', '--dry-run'], 'sync', { yes: true, dryRun: true }],
    [['sync', '--yes', '--allow-delete-all'], 'sync', { yes: true, allowDeleteAll: true }],
    [['generate', '--allow-delete-all'], 'generate', { allowDeleteAll: true }],
    [['diff', '--against', 'server', '--format', 'json'], 'diff', { against: 'server', format: 'json' }],
    [['scaffold', 'user-created'], 'scaffold', {}, ['user-created']],
    [['scaffold', '--all'], 'scaffold', { all: true }],
    [['events', 'user_created', '--status', 'failed'], 'events', { status: 'failed' }, ['user_created']],
    [['replay', 'abc', '--wait'], 'replay', { wait: true }, ['abc']],
    [['replay', '--failed', '--trigger', 't', '--yes'], 'replay', { failed: true, trigger: 't', yes: true }],
    [['send', 't', '--op', 'update'], 'send', { op: 'update' }, ['t']],
    [['dev', '--port', '9090'], 'dev', { port: '9090' }],
    [['import'], 'import', { from: 'files' }],
    [
      ['import', '--from', 'server', '--only', 'a,b', '--only', 'c', '--dry-run'],
      'import',
      { from: 'server', only: ['a,b', 'c'], dryRun: true },
    ],
    [['console'], 'console', { port: '0', open: true }],
    [['console', '--port', '4580', '--no-open'], 'console', { port: '4580', open: false }],
  ]
  it.each(cases)('%j', (argv, name, options, args = [], globals = {}) => {
    const p = parse(argv)
    expect(p.name).toBe(name)
    expect(p.options).toMatchObject(options)
    expect(p.args).toEqual(args)
    expect(p.globals).toMatchObject(globals)
  })
})

describe('help and usage errors', () => {
  const commands = [
    'init',
    'generate',
    'sync',
    'diff',
    'scaffold',
    'events',
    'replay',
    'send',
    'dev',
    'import',
    'console',
  ]
  it.each(commands)('%s --help shows examples and exits 0', async (command) => {
    const r = await cli([command, '--help'], { cwd: testdir({}) })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`Usage: nself-hooks ${command}`)
    expect(r.stdout).toMatch(/Examples:\n {2}\$ nself-hooks /)
  })

  it('an unknown flag is exit 1 with a pointer to --help', async () => {
    const r = await cli(['generate', '--chek'], { cwd: testdir({}) })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("unknown option '--chek'")
    expect(r.stderr).toContain('--help')
  })

  it('--version prints the version', async () => {
    const r = await cli(['--version'], { cwd: testdir({}) })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+$/)
  })
})
