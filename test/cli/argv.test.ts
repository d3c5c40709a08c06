import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CommanderError } from 'commander'
import { describe, expect, it } from 'vitest'
import { buildProgram, type ParsedCommand } from '../../src/cli.js'
import { captureContext, runCli } from '../helpers/cli.js'
import { testdir } from '../helpers/project.js'

/** Parses argv with the real program; `stderr` collects what commander prints on a usage error. */
function parseWith(argv: string[]): { parsed?: ParsedCommand; error?: CommanderError; stderr: string } {
  let parsed: ParsedCommand | undefined
  let stderr = ''
  const program = buildProgram((p) => {
    parsed = p
  })
  for (const command of [program, ...program.commands]) {
    command.configureOutput({ writeOut: () => {}, writeErr: (s) => (stderr += s) })
  }
  try {
    program.parse(['node', 'nself-hooks', ...argv])
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err
    return { error: err, stderr }
  }
  return { ...(parsed ? { parsed } : {}), stderr }
}

function parse(argv: string[]): ParsedCommand {
  const { parsed, error } = parseWith(argv)
  if (error) throw error
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
    [['diff'], 'diff', { against: 'files', format: 'text' }],
    [['diff', '--against', 'server', '--format', 'json'], 'diff', { against: 'server', format: 'json' }],
    [['diff', '--against', 'all', '--format', 'github'], 'diff', { against: 'all', format: 'github' }],
    [['diff', '--json'], 'diff', { json: true }],
    [['scaffold', 'user-created'], 'scaffold', {}, ['user-created']],
    [['scaffold', '--all'], 'scaffold', { all: true }],
    [
      ['scaffold', '--all', '--init-service', '--force'],
      'scaffold',
      { all: true, initService: true, force: true },
    ],
    [['sync', '--allow-delete-all', '--no-generate'], 'sync', { allowDeleteAll: true, generate: false }],
    [['generate', '--allow-delete-all'], 'generate', { allowDeleteAll: true }],
    [['events', 'user_created'], 'events', { limit: 20 }, ['user_created']],
    [['events', 'user_created', '--status', 'failed'], 'events', { status: 'failed' }, ['user_created']],
    [['events', 'user_created', '--limit', '5'], 'events', { limit: 5 }, ['user_created']],
    [['events', 'show', 'abc', '--full'], 'events', { full: true }, ['show', 'abc']],
    [['replay', 'abc', '--wait'], 'replay', { wait: true, timeout: 120 }, ['abc']],
    [['replay', 'abc', '--wait', '--timeout', '30'], 'replay', { timeout: 30 }, ['abc']],
    [['replay', '--failed', '--trigger', 't', '--yes'], 'replay', { failed: true, trigger: 't', yes: true }],
    [['replay', '--failed', '--limit', '3', '--concurrency', '2'], 'replay', { limit: 3, concurrency: 2 }],
    [['replay', '--failed'], 'replay', { concurrency: 10 }],
    [['send', 't', '--op', 'update'], 'send', { op: 'update' }, ['t']],
    [['send', 't', '--op', 'UPDATE'], 'send', { op: 'update' }, ['t']],
    [
      ['send', 't', '--via-hasura', '--wait', '--timeout', '5'],
      'send',
      { viaHasura: true, timeout: 5 },
      ['t'],
    ],
    [['dev'], 'dev', { port: 8080, host: '127.0.0.1' }],
    [['dev', '--port', '9090'], 'dev', { port: 9090 }],
    [['dev', '--port', '0'], 'dev', { port: 0 }],
    [['dev', '--sql', 'a.sql', '--sql', 'b.sql', '--sync'], 'dev', { sql: ['a.sql', 'b.sql'], sync: true }],
    [['import'], 'import', { from: 'files' }],
    [
      ['import', '--from', 'server', '--only', 'a,b', '--only', 'c', '--dry-run'],
      'import',
      { from: 'server', only: ['a,b', 'c'], dryRun: true },
    ],
    [['console'], 'console', { port: 0, open: true }],
    [['console', '--port', '4580', '--no-open'], 'console', { port: 4580, open: false }],
  ]
  it.each(cases)('%j', (argv, name, options, args = [], globals = {}) => {
    const p = parse(argv)
    expect(p.name).toBe(name)
    expect(p.options).toMatchObject(options)
    expect(p.args).toEqual(args)
    expect(p.globals).toMatchObject(globals)
  })
})

describe('durations are read once, on the command line', () => {
  it('--since and --until become dates: a duration back from now, or an ISO date (UTC without a zone)', () => {
    const before = Date.now()
    const p = parse(['replay', '--failed', '--trigger', 't', '--since', '1h30m', '--until', '2024-05-01'])
    const after = Date.now()
    const since = p.options.since as Date
    expect(since).toBeInstanceOf(Date)
    expect(before - since.getTime()).toBeLessThanOrEqual(90 * 60_000)
    expect(after - since.getTime()).toBeGreaterThanOrEqual(90 * 60_000)
    expect((p.options.until as Date).toISOString()).toBe('2024-05-01T00:00:00.000Z')
    const week = (parse(['events', 't', '--since', '7d']).options.since as Date).getTime()
    expect(week).toBeGreaterThanOrEqual(before - 7 * 86_400_000)
    expect(week).toBeLessThanOrEqual(Date.now() - 7 * 86_400_000)
  })
})

describe('a bad flag value is a usage error: exit 1, the flag and the allowed values named, a hint', () => {
  const bad: [string[], string, string][] = [
    [
      ['diff', '--against', 'nowhere'],
      "option '--against <target>' argument 'nowhere' is invalid",
      'files, server, all',
    ],
    [
      ['diff', '--format', 'xml'],
      "option '--format <format>' argument 'xml' is invalid",
      'text, json, github',
    ],
    [['diff', '--against', 'Server'], "argument 'Server' is invalid", 'files, server, all'],
    [['events', 't', '--status', 'error'], "argument 'error' is invalid", 'pending, delivered, failed'],
    [['events', 't', '--limit', '0'], "option '--limit <n>' argument '0' is invalid", 'at least 1'],
    [['events', 't', '--limit', '1e3'], "argument '1e3' is invalid", 'whole number'],
    [['events', 't', '--limit', '-5'], "argument '-5' is invalid", 'whole number'],
    [
      ['events', 't', '--since', 'yesterday'],
      "option '--since <when>' argument 'yesterday' is invalid",
      '30m, 24h, 7d',
    ],
    [['replay', '--failed', '--until', '2024-13-45'], "argument '2024-13-45' is invalid", 'ISO date'],
    [
      ['replay', 'x', '--timeout', 'soon'],
      "option '--timeout <sec>' argument 'soon' is invalid",
      'whole number',
    ],
    [['replay', '--failed', '--concurrency', '2.5'], "argument '2.5' is invalid", 'whole number'],
    [
      ['send', 't', '--op', 'upsert'],
      "option '--op <op>' argument 'upsert' is invalid",
      'insert, update, delete, manual',
    ],
    [['send', 't', '--timeout', ' 5'], "argument ' 5' is invalid", 'whole number'],
    [['import', '--from', 'hasura'], "option '--from <where>' argument 'hasura' is invalid", 'files, server'],
    [['dev', '--port', 'abc'], "option '--port <port>' argument 'abc' is invalid", 'from 0 to 65535'],
    [['dev', '--port', '65536'], "argument '65536' is invalid", 'from 0 to 65535'],
    [['dev', '--port', '0x50'], "argument '0x50' is invalid", 'from 0 to 65535'],
  ]
  it('dev: --data-dir (embedded PGlite) and --database-url (your PostgreSQL) exclude each other', () => {
    const { parsed, error, stderr } = parseWith(['dev', '--data-dir', 'd', '--database-url', 'postgres://x'])
    expect(parsed).toBeUndefined()
    expect(error?.exitCode).toBe(1)
    expect(stderr).toContain("option '--data-dir <dir>' cannot be used with option '--database-url <url>'")
    expect(stderr).toContain('(run nself-hooks dev --help for usage)')
  })

  it.each(bad)('%j', (argv, problem, allowed) => {
    const { parsed, error, stderr } = parseWith(argv)
    expect(parsed).toBeUndefined()
    expect(error?.exitCode).toBe(1)
    expect(error?.code).toBe('commander.invalidArgument')
    expect(stderr).toContain(problem)
    expect(stderr).toContain(allowed)
    expect(stderr).toContain(`(run nself-hooks ${argv[0]} --help for usage)`)
  })
})

describe('each command runs its own module', () => {
  it('init: argv → the init command, which writes the starter config', async () => {
    const dir = testdir({})
    const cap = captureContext(dir)
    expect(await parse(['init']).run(cap.ctx)).toBe(0)
    expect(cap.out).toContain('wrote webhooks.config.ts')
    expect(readFileSync(join(dir, 'webhooks.config.ts'), 'utf8')).toContain('defineConfig(')
  })

  it('events show without an id: the events-show command refuses, naming what is missing', async () => {
    const dir = testdir({})
    await expect(parse(['events', 'show']).run(captureContext(dir).ctx)).rejects.toThrow(/event id/i)
    expect(existsSync(join(dir, 'webhooks.config.ts'))).toBe(false)
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
    const r = await runCli([command, '--help'], { cwd: testdir({}) })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`Usage: nself-hooks ${command}`)
    expect(r.stdout).toMatch(/Examples:\n {2}\$ nself-hooks /)
  })

  it('an unknown flag is exit 1 with a pointer to --help', async () => {
    const r = await runCli(['generate', '--chek'], { cwd: testdir({}) })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("unknown option '--chek'")
    expect(r.stderr).toContain('--help')
  })

  it('--version prints the version', async () => {
    const r = await runCli(['--version'], { cwd: testdir({}) })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+$/)
  })
})
