import { resolve } from 'node:path'
import type { Writable } from 'node:stream'
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { SHELLS, type Shell } from './completion/shells.js'
import { completes } from './completion/values.js'
import type { Context, GlobalOptions } from './context.js'
import { UserError } from './errors.js'
import { parseTimeBound } from './events/time.js'
import { packageVersion } from './package-root.js'

/**
 * The command registry: the one place that knows argv. Each command is defined once: its flags
 * (with commander's own choices and parsers, so a command receives checked, typed values), its
 * help and examples, and beside them the lazy import of src/commands/<name>.ts that runs it, so
 * --help and --version load almost nothing (docs/architecture.md "Adding a command"). Shell
 * completion reads the same registry (docs/architecture.md "Shell completion").
 *
 * Longer than 400 lines on purpose: it is one declarative list, mostly help text and examples,
 * and a reader looks up a command's flags, help and module in one place.
 */

export type Globals = GlobalOptions & { cwd?: string; color?: boolean; verbose?: boolean }

export interface ParsedCommand {
  name: string
  options: Record<string, unknown>
  args: string[]
  globals: Globals
  /** runs the command: its module is imported only now */
  run: (ctx: Context) => Promise<number>
}

/** What a command's action gets: the global and its own options merged, its positional arguments. */
type Runner = (options: Record<string, unknown>, args: string[], ctx: Context) => Promise<number>

function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`
}

// ---- flag parsers: a bad value is a parse error (exit 1, commander's message naming the flag) ----

/** A repeatable flag: every value, in order. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}

/** A whole number from `min` to `max`, digits only (no `1e3`, `0x10`, `-0` or blanks). */
function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        max === Number.MAX_SAFE_INTEGER
          ? `Expected a whole number of at least ${min}.`
          : `Expected a whole number from ${min} to ${max}.`,
      )
    }
    return n
  }
}
const count = wholeNumber(1)
const port = wholeNumber(0, 65535)

/** `--since` / `--until`: a duration back from now (30m, 24h, 7d) or an ISO date, as a Date. */
function timeBound(flag: string): (value: string) => Date {
  return (value) => {
    try {
      return parseTimeBound(value, flag)
    } catch (err) {
      if (!(err instanceof UserError)) throw err
      const how = err.hint ?? err.message
      throw new InvalidArgumentError(`${how[0]?.toUpperCase()}${how.slice(1)}.`)
    }
  }
}

/** commander's `.choices()`, reading the value in lower case (`--op UPDATE`, as Hasura writes ops). */
function choicesAnyCase(option: Option, values: readonly string[]): Option {
  const check = option.choices(values).parseArg!
  return option.argParser((value, previous) => check(value.toLowerCase(), previous))
}

/**
 * Builds the program; `onRun` receives what was parsed (tests use it to check argv → options).
 * Help, version and usage errors go to `out` (the process' streams unless given).
 */
export function buildProgram(
  onRun: (parsed: ParsedCommand) => void,
  out: { stdout: Writable; stderr: Writable } = process,
): Command {
  const program = new Command('nself-hooks')
    .description('Hasura event triggers and cron triggers as code')
    .version(packageVersion())
    .option('--config <file>', 'webhooks.config.ts to use (default: found from the working directory up)')
    .option('--cwd <dir>', 'run as if started in <dir>')
    .option('--env-file <file>', 'also read this env file (repeatable; after the .env layers)', collect)
    .option('--endpoint <url>', 'Hasura endpoint (default: config, then HASURA_GRAPHQL_ENDPOINT)')
    .option('--no-color', 'plain output (also NO_COLOR)')
    .option('--verbose', 'show details and stack traces')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.stdout.write(s), writeErr: (s) => out.stderr.write(s) })

  /** The action of a command: hands what was parsed, and how to run it, to `onRun`. */
  const runs =
    (runner: Runner) =>
    (...received: unknown[]): void => {
      const command = received[received.length - 1] as Command
      const options = command.opts()
      const args = received
        .slice(0, -2)
        .flatMap((a) => (Array.isArray(a) ? a : [a]))
        .filter((a): a is string => a !== undefined)
      const globals = program.opts<Globals>()
      onRun({
        name: command.name(),
        options,
        args,
        globals,
        run: (ctx) =>
          runner({ ...globals, ...options, ...(ctx.signal && { signal: ctx.signal }) }, args, ctx),
      })
    }

  program
    .command('init')
    .description('write a starter webhooks.config.ts (using the nself .env services when present)')
    .option('--force', 'overwrite an existing webhooks.config.ts')
    .addHelpText('after', examples(['nself-hooks init', 'nself-hooks init --cwd my-project']))
    .action(runs(async (o, _, ctx) => (await import('./commands/init.js')).init(o, ctx)))

  program
    .command('generate')
    .description('write the managed event and cron triggers into the Hasura metadata directory')
    .option('--check', 'write nothing; exit 2 with a diff when files would change')
    .option('--adopt', 'take over hand-made triggers and crons whose names the config uses')
    .option('--dry-run', 'print what would be written, write nothing')
    .option(
      '--allow-delete-all',
      'let a config that declares no trigger or cron remove every managed one from the files',
    )
    .option('--json', 'report as JSON')
    .addHelpText(
      'after',
      examples([
        'nself-hooks generate',
        'nself-hooks generate --check   # in CI: exit 2 on drift',
        'nself-hooks generate --dry-run',
      ]),
    )
    .action(runs(async (o, _, ctx) => (await import('./commands/generate.js')).generate(o, ctx)))

  program
    .command('scaffold')
    .description(
      "write typed handler code for a trigger, cron or external webhook into the service's template",
    )
    .addArgument(
      completes(
        new Argument(
          '[handler]',
          'the handler name (e.g. user-created), or a trigger, cron or external name',
        ),
        'handlers',
      ),
    )
    .option('--all', 'scaffold every handler in the config')
    .option(
      '--init-service',
      'also write a complete service skeleton (package.json, tsconfig, entry, Dockerfile)',
    )
    .option('--force', 'rewrite handler files you own, keeping a backup (<file>.bak, then timestamped)')
    .option('--dry-run', 'print what would be written, write nothing')
    .option('--introspect', 'read column types from Hasura (GraphQL introspection) and refresh the cache')
    .option('--database-url <url>', 'read column types from Postgres and refresh the cache')
    .option('--json', 'report as JSON')
    .addHelpText(
      'after',
      examples([
        'nself-hooks scaffold user-created',
        'nself-hooks scaffold --all --init-service',
        'nself-hooks scaffold --all --introspect            # column types from Hasura, cached in webhooks.columns.json',
        'nself-hooks scaffold --all --database-url postgres://postgres@localhost:5432/app',
        'nself-hooks scaffold external/stripe --force       # rewrite, keeping a .bak',
      ]),
    )
    .action(
      runs(async (o, [handler], ctx) =>
        (await import('./commands/scaffold.js')).scaffold({ ...o, handler }, ctx),
      ),
    )

  program
    .command('sync')
    .description('show the plan (create / update / delete per trigger and cron), then apply it to Hasura')
    .option('--adopt', 'take over hand-made triggers and crons (files or server) whose names the config uses')
    .option('--dry-run', 'print the plan, change nothing')
    .option('-y, --yes', 'apply without asking (needed without a terminal when the plan deletes)')
    .option(
      '--allow-delete-all',
      'apply a plan that deletes every managed trigger and cron because the config declares none (even with --yes)',
    )
    .option('--no-generate', 'do not write the metadata files first')
    .option('--exit-code', 'exit 2 when the plan is not empty (with --dry-run: CI check)')
    .option('--rollback', 'restore the metadata saved before the last sync (.nself-hooks/backups)')
    .option('--json', 'print the plan and the result as JSON')
    .addHelpText(
      'after',
      examples([
        'nself-hooks sync                      # plan, confirm, apply',
        'nself-hooks sync --dry-run            # plan only',
        'nself-hooks sync --yes                # in scripts',
        'nself-hooks sync --dry-run --exit-code  # exit 2 when the server is behind',
        'nself-hooks sync --rollback           # restore the previous metadata',
      ]),
    )
    .action(runs(async (o, _, ctx) => (await import('./commands/sync.js')).sync(o, ctx)))

  program
    .command('diff')
    .description('object-level drift of the managed triggers and crons: config vs files and/or server')
    .addOption(
      new Option('--against <target>', 'the metadata files, the running Hasura, or both')
        .choices(['files', 'server', 'all'])
        .default('files'),
    )
    .addOption(
      new Option('--format <format>', 'for people, scripts or GitHub Actions annotations')
        .choices(['text', 'json', 'github'])
        .default('text'),
    )
    .option('--json', 'same as --format json')
    .addHelpText(
      'after',
      examples([
        'nself-hooks diff                               # config vs hasura/metadata files',
        'nself-hooks diff --against server              # config vs the running Hasura',
        'nself-hooks diff --against all --format json',
        'nself-hooks diff --against files --format github   # GitHub Actions annotations',
      ]),
    )
    .action(runs(async (o, _, ctx) => (await import('./commands/diff.js')).diff(o, ctx)))

  program
    .command('dev')
    .description('run the embedded Hasura-compatible engine (metadata API + event delivery) for local work')
    .option('--port <port>', 'port to listen on (0 = any free port)', port, 8080)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addOption(
      new Option('--data-dir <dir>', 'keep the embedded database (PGlite) in this directory').conflicts(
        'databaseUrl',
      ),
    )
    .option('--database-url <url>', 'use this PostgreSQL instead of the embedded PGlite')
    .option('--sql <file>', 'run this SQL file once the engine is up, before --sync (repeatable)', collect)
    .option('--sync', "apply the project's config (nself-hooks sync) once the engine is up")
    .option(
      '--forward <service=url>',
      'deliver to this URL instead of the service (repeatable; default: every service to 127.0.0.1)',
      collect,
    )
    .option('--no-forward', 'deliver to the URLs as the config writes them')
    .option('--watch', 'sync again when the config or a .env layer changes (implies --sync)')
    .option('--quiet', 'no line per delivery')
    .option('--json', 'one JSON object per delivery attempt on stdout (the rest on stderr)')
    .addHelpText(
      'after',
      examples([
        'nself-hooks dev                              # in memory on http://127.0.0.1:8080',
        'nself-hooks dev --data-dir .nself-hooks/dev  # keep metadata and events across restarts',
        'nself-hooks dev --database-url postgres://postgres@localhost:5432/app --sync',
        'nself-hooks dev --sql schema.sql --sync                 # embedded database with your tables',
        'nself-hooks dev --data-dir .nself-hooks/dev --sql schema.sql --watch  # the local loop',
        'nself-hooks dev --forward webhooks=http://127.0.0.1:4000',
        'HASURA_GRAPHQL_ADMIN_SECRET=s nself-hooks dev --port 0',
      ]),
    )
    .action(runs(async (o, _, ctx) => (await import('./commands/dev.js')).dev(o, ctx)))

  program
    .command('listen')
    .description(
      "follow a server's new events and post each, exact body, to a local handler (never changes the server)",
    )
    .addOption(
      completes(
        new Option(
          '--trigger <name>',
          'only this event trigger (repeatable; default: every trigger of the config)',
        ).argParser(collect),
        'triggers',
      ),
    )
    .option(
      '--forward-to <url | service=url>',
      'where to post: one URL, or <service>=<url> (repeatable)',
      collect,
    )
    .addHelpText(
      'after',
      examples([
        'nself-hooks listen --forward-to localhost:3001              # each trigger keeps its path',
        'nself-hooks listen --trigger user_created --forward-to http://127.0.0.1:3001/webhooks/user-created',
        'nself-hooks listen --endpoint https://staging.example.com --forward-to webhooks=localhost:3001',
      ]),
    )
    .action(runs(async (o, _, ctx) => (await import('./commands/listen.js')).listen(o, ctx)))

  program
    .command('events')
    .description(
      'recent events of a trigger or cron and their delivery status; `events show <id>` for one event',
    )
    .addArgument(
      completes(
        new Argument(
          '[trigger]',
          'event trigger or cron name (default: all of the config), or `show` and an event id',
        ),
        'triggers-and-crons',
        ['show'],
      ),
    )
    .argument('[event-id]', 'with `show`: the event to show with its invocations')
    .addOption(
      new Option('--status <status>', 'only events of this delivery status').choices([
        'pending',
        'delivered',
        'failed',
      ]),
    )
    .option(
      '--since <when>',
      'only events since a duration ago (30m, 24h, 7d) or an ISO date',
      timeBound('--since'),
    )
    .option('--limit <n>', 'at most this many events, newest first', count, 20)
    .option('--full', 'with `show`: print response bodies whole (default: cut at 4 KB)')
    .option('--follow', 'then print new events as they come, until Ctrl+C')
    .option('--json', 'report as JSON')
    .addHelpText(
      'after',
      examples([
        'nself-hooks events --follow                     # every trigger and cron, newest first, then new ones',
        'nself-hooks events user_created',
        'nself-hooks events user_created --status failed --since 24h',
        'nself-hooks events daily-report-generation       # a cron: its scheduled events',
        'nself-hooks events show 85558393-c75d-4d2f-9c15-e80591b83894',
      ]),
    )
    .action(
      runs(async (o, [trigger, eventId], ctx) => {
        const { events, eventsShow } = await import('./commands/events.js')
        return trigger === 'show' ? eventsShow({ ...o, eventId }, ctx) : events({ ...o, trigger }, ctx)
      }),
    )

  program
    .command('replay')
    .description(
      'redeliver an event through Hasura, post it to a local handler (--to), or replay failed events in bulk',
    )
    .argument('[event-id]', 'the event to redeliver')
    .option('--wait', 'follow the redelivery until it is delivered or fails')
    .option('--timeout <sec>', 'how long --wait waits', count, 120)
    .option('--to <url>', "post the event's stored body to this URL instead (the server is not changed)")
    .option('--failed', 'replay the failed events of --trigger')
    .addOption(
      completes(
        new Option('--trigger <name>', 'with --failed: the event trigger or cron'),
        'triggers-and-crons',
      ),
    )
    .option(
      '--since <when>',
      'with --failed: events since a duration ago (30m, 24h, 7d) or an ISO date',
      timeBound('--since'),
    )
    .option(
      '--until <when>',
      'with --failed: events until a duration ago or an ISO date',
      timeBound('--until'),
    )
    .option('--limit <n>', 'with --failed: at most the newest n events', count)
    .option('--concurrency <n>', 'with --failed: redeliveries in flight at once', count, 10)
    .option('--dry-run', 'with --failed: list what would be replayed, change nothing')
    .option('--yes', 'with --failed: do not ask for confirmation')
    .option('--full', "with --to: print the handler's answer whole (default: cut at 4 KB)")
    .option('--json', 'report as JSON')
    .addHelpText(
      'after',
      examples([
        'nself-hooks replay 85558393-c75d-4d2f-9c15-e80591b83894 --wait',
        'nself-hooks replay 85558393-c75d-4d2f-9c15-e80591b83894 --to http://localhost:3001/webhooks/user-created',
        'nself-hooks replay --failed --trigger user_created --since 24h --dry-run',
        'nself-hooks replay --failed --trigger user_created --since 24h --concurrency 20 --yes',
      ]),
    )
    .action(
      runs(async (o, [eventId], ctx) =>
        (await import('./commands/replay.js')).replay({ ...o, eventId }, ctx),
      ),
    )

  program
    .command('send')
    .description("post a synthetic event shaped exactly like Hasura's to a trigger's handler")
    .addArgument(completes(new Argument('<trigger>', 'event trigger (or cron) name'), 'triggers-and-crons'))
    .addOption(
      choicesAnyCase(new Option('--op <op>', 'the operation (default: the first the trigger listens to)'), [
        'insert',
        'update',
        'delete',
        'manual',
      ]),
    )
    .option('--new <json>', 'the new row: JSON or @file (default: values from the column types)')
    .option('--old <json>', 'the old row (update, delete): JSON or @file')
    .option('--session <json>', 'session variables: JSON or @file (default: null)')
    .option('--to <url>', "post here instead of the trigger's webhook")
    .option('--via-hasura', 'invoke the trigger through Hasura (pg_invoke_event_trigger; manual triggers)')
    .option('--wait', 'with --via-hasura: follow the delivery')
    .option('--timeout <sec>', 'how long --wait waits', count, 120)
    .option('--full', "print the handler's answer whole (default: cut at 4 KB)")
    .option('--json', 'report as JSON')
    .addHelpText(
      'after',
      examples([
        'nself-hooks send user_created',
        `nself-hooks send user_updated --op update --new '{"id":1,"email":"new@example.com"}'`,
        'nself-hooks send user_created --new @row.json --to http://localhost:3001/webhooks/user-created',
        'nself-hooks send order_completed --via-hasura --new \'{"id":7}\' --wait',
      ]),
    )
    .action(
      runs(async (o, [trigger], ctx) => (await import('./commands/send.js')).send({ ...o, trigger }, ctx)),
    )

  program
    .command('import')
    .description('take existing event and cron triggers (metadata files or server) into webhooks.config.ts')
    .addOption(
      new Option('--from <where>', 'the metadata directory, or the running Hasura')
        .choices(['files', 'server'])
        .default('files'),
    )
    .option('--only <names>', 'only these triggers and crons (comma-separated, repeatable)', collect)
    .option('--dry-run', 'print what would be written, write nothing')
    .option('--json', 'report as JSON')
    .addHelpText(
      'after',
      examples([
        'nself-hooks import                         # from hasura/metadata',
        'nself-hooks import --from server --dry-run',
        'nself-hooks import --only user_created,daily-report',
      ]),
    )
    .action(runs(async (o, _, ctx) => (await import('./commands/import.js')).importCommand(o, ctx)))

  program
    .command('console')
    .description('a local events console in the browser (the admin secret stays in this process)')
    .option('--port <port>', 'port on 127.0.0.1 (0 = any free port)', port, 0)
    .option('--no-open', 'print the URL only; do not open a browser')
    .addHelpText('after', examples(['nself-hooks console', 'nself-hooks console --port 4580 --no-open']))
    .action(runs(async (o, _, ctx) => (await import('./commands/console.js')).runConsole(o, ctx)))

  program
    .command('completion')
    .description('print the shell completion script for commands, flags and trigger names')
    .addArgument(new Argument('<shell>', 'the shell to complete in').choices(SHELLS))
    .addHelpText(
      'after',
      examples([
        'source <(nself-hooks completion bash)     # in ~/.bashrc',
        'source <(nself-hooks completion zsh)      # in ~/.zshrc, after compinit',
        'nself-hooks completion fish > ~/.config/fish/completions/nself-hooks.fish',
      ]),
    )
    .action(
      runs(async (o, [shell], ctx) =>
        (await import('./commands/completion.js')).completion({ ...o, shell: shell as Shell }, ctx),
      ),
    )

  // a usage error names the command's own help
  for (const command of program.commands) {
    command.showHelpAfterError(`(run nself-hooks ${command.name()} --help for usage)`)
  }
  return program
}

/** What the process gives a run: its working directory, environment, streams and terminal. */
function processContext(): Context {
  const isTTY = Boolean(process.stdout.isTTY)
  const ctx: Context = {
    cwd: process.cwd(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY,
    color: false,
    verbose: false,
  }
  if (isTTY && process.stdin.isTTY) {
    ctx.confirm = async (question) => {
      const { createInterface } = await import('node:readline/promises')
      const rl = createInterface({ input: process.stdin, output: process.stdout })
      try {
        const answer = await rl.question(`${question} [y/N] `)
        return /^y(es)?$/i.test(answer.trim())
      } finally {
        rl.close()
      }
    }
  }
  return ctx
}

/** The context a command runs in: `base` with the global flags applied. */
function withGlobals(base: Context, globals: { cwd?: string; color?: boolean; verbose?: boolean }): Context {
  const { env, isTTY } = base
  return {
    ...base,
    cwd: globals.cwd ? resolve(base.cwd, globals.cwd) : base.cwd,
    color: globals.color !== false && env.NO_COLOR === undefined && (isTTY || env.FORCE_COLOR !== undefined),
    verbose: Boolean(globals.verbose),
  }
}

let pipesGuarded = false

/**
 * A reader that goes away early (`nself-hooks events x | head -1`) is not an error: what is printed
 * after that is dropped and the command runs to its end, so `sync --yes | head` still records what
 * it applied, and the exit code is the command's. Node ignores SIGPIPE, so a closed pipe arrives as
 * an EPIPE 'error' event, which without a listener is an uncaught exception with a stack trace.
 */
function quietOnBrokenPipe(): void {
  if (pipesGuarded) return
  pipesGuarded = true
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err
      stream.write = (() => true) as typeof stream.write
    })
  }
}

export function main(argv: string[]): Promise<number> {
  quietOnBrokenPipe()
  return runArgv(argv, processContext())
}

/**
 * Parses `argv` and runs its command in `base` (the process' own context from `main`; tests pass a
 * captured one and run the CLI in-process). Returns the exit code.
 */
export async function runArgv(argv: string[], base: Context): Promise<number> {
  // what the completion scripts call on each Tab: answered from the program, never parsed by it
  if (argv[2] === '__complete') {
    const { answerCompletion } = await import('./completion/run.js')
    return answerCompletion(
      buildProgram(() => {}),
      argv.slice(3),
      base.stdout,
      base.cwd,
    )
  }
  let parsed: ParsedCommand | undefined
  const program = buildProgram((p) => {
    parsed = p
  }, base)
  try {
    await program.parseAsync(argv)
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1
    throw err
  }
  if (!parsed) return 0
  const ctx = withGlobals(base, parsed.globals)
  try {
    return await parsed.run(ctx)
  } catch (err) {
    // loaded only on failure: --help and a successful run never pay for the output styling
    return (await import('./output/report.js')).reportError(ctx, err)
  }
}
