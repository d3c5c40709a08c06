import { existsSync, readFileSync } from 'node:fs'
import type { Context, GlobalOptions } from '../context.js'
import { ExitCode, UserError } from '../errors.js'
import { changeJson, driftMessage, renderChanges, summaryLine } from '../metadata/changes-text.js'
import { managedPath } from '../metadata/managed.js'
import { lineOfName } from '../metadata/metadata-dir.js'
import { unmanagedJson, unmanagedLine } from '../metadata/unmanaged.js'
import { githubAnnotation } from '../output/github.js'
import { printJson } from '../output/json.js'
import { colors, printWarnings } from '../output/report.js'
import { plural, relPath } from '../output/text.js'
import { loadProject } from '../project.js'
import type { TableTracking } from '../sync/apply.js'
import { type DriftAgainst, driftOf } from '../sync/drift.js'

export interface DiffOptions extends GlobalOptions {
  /** files (default): config vs the metadata directory; server: config vs Hasura; all: both */
  against?: string
  format?: string
}

const AGAINST = ['files', 'server', 'all'] as const
const FORMATS = ['text', 'json', 'github'] as const

export async function diff(options: DiffOptions, ctx: Context): Promise<number> {
  const against = options.against ?? 'files'
  const format = options.json ? 'json' : (options.format ?? 'text')
  if (!(AGAINST as readonly string[]).includes(against)) {
    throw new UserError(`--against ${against} is not one of ${AGAINST.join(', ')}`, {
      hint: 'use --against files (config vs hasura/metadata), server (config vs Hasura) or all',
    })
  }
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UserError(`--format ${format} is not one of ${FORMATS.join(', ')}`, {
      hint: 'text for people, json for scripts, github for GitHub Actions annotations',
    })
  }
  const project = await loadProject(ctx, options)
  if (format !== 'json') printWarnings(ctx, project.warnings)
  const { model } = project
  const { results, total, syncedWarning } = await driftOf(project, against as DriftAgainst | 'all', ctx)
  if (format !== 'json' && syncedWarning)
    ctx.stderr.write(`${colors(ctx).yellow('warning')} ${syncedWarning}\n`)
  const rel = (p: string) => relPath(ctx.cwd, p)
  const table = (t: TableTracking) => `${t.table.schema}.${t.table.name}`

  if (format === 'json') {
    const all = results.flatMap((r) => r.changes.map((ch) => ({ ch, against: r.against })))
    const body = {
      in_sync: total === 0,
      against: results.map((r) => r.against),
      targets: Object.fromEntries(
        results.map((r) => [r.against, r.against === 'files' ? rel(r.target) : r.target]),
      ),
      changes: all.map(({ ch, against: a }) => {
        const j = changeJson(ch, a)
        if (typeof j.file === 'string') j.file = rel(j.file)
        return j
      }),
      // present there, not managed by the config: not drift
      unmanaged: Object.fromEntries(results.map((r) => [r.against, unmanagedJson(r.unmanaged)])),
      // tables a server still tracks only for managed triggers that are gone (sync untracks them)
      untracked_tables: Object.fromEntries(
        results.map((r) => [r.against, r.untrackedTables.map((t) => ({ source: t.source, ...t.table }))]),
      ),
    }
    printJson(ctx, body)
  } else if (format === 'github') {
    const text = new Map<string, string>()
    const textOf = (file: string) => {
      if (!text.has(file)) text.set(file, existsSync(file) ? readFileSync(file, 'utf8') : '')
      return text.get(file)!
    }
    const configLine = (name: string) => configLineOf(textOf(model.configFile), name)
    for (const r of results) {
      for (const ch of r.changes) {
        let file = model.configFile
        let line = configLine(ch.name)
        if (r.against === 'files' && ch.file && ch.action !== 'create') {
          file = ch.file
          line = lineOfName(textOf(ch.file), ch.name)
        } else if (ch.action === 'delete') {
          const managed = managedPath(model.root)
          if (existsSync(managed)) {
            file = managed
            line = jsonLineOf(textOf(managed), ch.name)
          }
        }
        ctx.stdout.write(
          `${githubAnnotation(
            {
              file: rel(file),
              ...(line === undefined ? {} : { line }),
              title: `nself-hooks: ${ch.kind.replace('_', ' ')} ${ch.name} drifted from the ${r.against === 'files' ? 'metadata files' : 'server'}`,
            },
            driftMessage(ch, r.against),
          )}\n`,
        )
      }
      for (const t of r.untrackedTables) {
        ctx.stdout.write(
          `${githubAnnotation(
            {
              file: rel(model.configFile),
              title: `nself-hooks: table ${table(t)} tracked on the server only`,
            },
            `table ${table(t)} is tracked on the server only for triggers nself-hooks managed, which are gone (the metadata files no longer track it); run \`nself-hooks sync\` to untrack it`,
          )}\n`,
        )
      }
    }
    for (const r of results) {
      const line = unmanagedLine(r.unmanaged, r.against)
      if (line) ctx.stdout.write(`::notice title=nself-hooks: unmanaged (${r.against})::${line}\n`)
    }
    ctx.stdout.write(
      total === 0
        ? `nself-hooks: in sync (${results.map((r) => r.against).join(', ')})\n`
        : `nself-hooks: ${plural(total, 'difference')}\n`,
    )
  } else {
    const c = colors(ctx)
    for (const r of results) {
      const title =
        r.against === 'files'
          ? `config vs metadata files (${rel(r.target)})`
          : `config vs server (${r.target})`
      ctx.stdout.write(`${c.bold(title)}:\n`)
      const line = unmanagedLine(r.unmanaged, r.against)
      if (r.changes.length + r.untrackedTables.length === 0) {
        ctx.stdout.write(`  ${c.green('in sync')}\n`)
        if (line) ctx.stdout.write(`  ${c.dim(line)}\n`)
        continue
      }
      ctx.stdout.write(renderChanges(r.changes, c))
      for (const t of r.untrackedTables) {
        ctx.stdout.write(
          `  ${c.red(`- table ${table(t)} still tracked`)} ${c.dim('(only for managed triggers that are gone; the metadata files no longer track it)')}\n`,
        )
      }
      const fix = r.against === 'files' ? 'nself-hooks generate' : 'nself-hooks sync'
      const untrack = r.untrackedTables.length
      ctx.stdout.write(
        `  ${summaryLine(r.changes, { create: 'missing', update: 'changed', delete: 'to remove' })}${untrack > 0 ? `, ${plural(untrack, 'table')} to untrack` : ''}; run ${fix} to bring ${r.against === 'files' ? 'them' : 'it'} in line\n`,
      )
      if (line) ctx.stdout.write(`  ${c.dim(line)}\n`)
    }
    if (total > 0) {
      ctx.stdout.write(
        c.dim(
          '+ in the config, missing there   ~ differs (before → after = there → config)   - managed, removed from the config, still there\n',
        ),
      )
    }
  }
  return total === 0 ? ExitCode.ok : ExitCode.drift
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The line where the config declares `name:` (a trigger or cron key). */
function configLineOf(text: string, name: string): number | undefined {
  const re = new RegExp(`(^|[\\s{,])['"]?${escapeRe(name)}['"]?\\s*:`)
  const i = text.split('\n').findIndex((l) => re.test(l))
  return i < 0 ? undefined : i + 1
}

function jsonLineOf(text: string, name: string): number | undefined {
  const i = text.split('\n').findIndex((l) => l.includes(`"${name}"`))
  return i < 0 ? undefined : i + 1
}
