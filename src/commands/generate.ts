import { existsSync, readFileSync } from 'node:fs'
import { dirname, relative } from 'node:path'
import { createTwoFilesPatch } from 'diff'
import { type LoadedProject, loadProject } from '../config/load.js'
import type { Context, GlobalOptions } from '../context.js'
import { ExitCode } from '../errors.js'
import {
  deleteAllError,
  type Managed,
  managedPath,
  ownedNames,
  readManaged,
  renderManaged,
} from '../metadata/managed.js'
import { actualFromLayout, type MetadataLayout, readLayout } from '../metadata/metadata-dir.js'
import { planFiles } from '../metadata/plan-files.js'
import { colors, printWarnings } from '../output/report.js'
import { removeStaleTemps, type WriteStep, writeFilesAtomic } from '../write-files.js'

export interface GenerateOptions extends GlobalOptions {
  check?: boolean
  dryRun?: boolean
  /** take over hand-made triggers and crons whose names the config uses */
  adopt?: boolean
  /** remove every managed trigger and cron from the files when the config declares none */
  allowDeleteAll?: boolean
}

export interface GenerateResult {
  /** absolute path → new content, for each file that changes (metadata files and the managed record) */
  changes: Map<string, string | null>
  notes: string[]
  /** the managed record after this run */
  managed: Managed
  /**
   * When the config declares no trigger and no cron: the managed ones the files would lose
   * (`event trigger x`, `cron trigger y`); empty otherwise.
   */
  removesAll: string[]
  /** `changes` as write steps, in the order that a crash between any two leaves a readable project */
  steps: WriteStep[]
  /** directories whose leftover temporary files are removed before writing */
  dirs: { dir: string; recursive: boolean }[]
}

/** The pure planning step plus the managed record; used by `generate` and `sync`. */
export function planGenerate(project: LoadedProject, opts: { adopt?: boolean } = {}): GenerateResult {
  const { model } = project
  const managedBefore = readManaged(model.root)
  const layout = readLayout(model.hasura.metadataDir)
  const plan = planFiles(layout, model, managedBefore, opts)
  const changes = new Map(plan.files)
  const managedFile = managedPath(model.root)
  const managedText = renderManaged(plan.managed)
  const before = existsSync(managedFile) ? readFileSync(managedFile, 'utf8') : undefined
  if (managedText !== before) changes.set(managedFile, managedText)
  // The record goes first, owning every name and table of before and after (ownership only grows,
  // see nextManaged), so a run stopped at any later step finds each trigger and table file it
  // wrote already recorded as its own; the exact record goes last.
  const steps: WriteStep[] = []
  const interim = renderManaged({
    ...plan.managed,
    tables: unionTables(managedBefore.tables ?? [], plan.managed.tables ?? []),
  })
  let recorded = before
  if (plan.order.length > 0 && interim !== before) {
    steps.push([managedFile, interim])
    recorded = interim
  }
  for (const path of plan.order) steps.push([path, plan.files.get(path) ?? null])
  if (managedText !== recorded) steps.push([managedFile, managedText])
  const dirs = [
    { dir: model.hasura.metadataDir, recursive: true },
    { dir: dirname(managedFile), recursive: false },
  ]
  return {
    changes,
    notes: plan.notes,
    managed: plan.managed,
    removesAll: removesAll(layout, model, managedBefore),
    steps,
    dirs,
  }
}

function unionTables(a: NonNullable<Managed['tables']>, b: NonNullable<Managed['tables']>) {
  const seen = new Map(a.map((t) => [`${t.source}\u0000${t.schema}\u0000${t.name}`, t]))
  for (const t of b) seen.set(`${t.source}\u0000${t.schema}\u0000${t.name}`, t)
  return [...seen.values()]
}

function removesAll(layout: MetadataLayout, model: LoadedProject['model'], managed: Managed): string[] {
  if (model.triggers.length > 0 || model.crons.length > 0) return []
  const owned = ownedNames(model, managed)
  const actual = actualFromLayout(layout)
  return [
    ...actual.eventTriggers
      .filter((e) => owned.eventTriggers(e.source, e.trigger.name))
      .map((e) => `event trigger ${e.trigger.name}`),
    ...actual.cronTriggers
      .filter((x) => owned.cronTriggers(x.cron.name))
      .map((x) => `cron trigger ${x.cron.name}`),
  ]
}

/** Writes a plan's files atomically; returns one line per file (`wrote x`, `removed y`). */
export function writeGenerated(plan: GenerateResult, ctx: Context): string[] {
  removeStaleTemps(plan.dirs)
  writeFilesAtomic(plan.steps)
  const c = colors(ctx)
  const rel = (p: string) => relative(ctx.cwd, p) || p
  return [...plan.changes.keys()]
    .sort()
    .map((p) => `${plan.changes.get(p) === null ? c.yellow('removed') : c.green('wrote')} ${rel(p)}`)
}

export async function generate(options: GenerateOptions, ctx: Context): Promise<number> {
  const project = await loadProject(ctx, options)
  printWarnings(ctx, project.warnings)
  const plan = planGenerate(project, { adopt: options.adopt ?? false })
  const { changes, notes } = plan
  const writes = !options.check && !options.dryRun
  if (writes && plan.removesAll.length > 0 && !options.allowDeleteAll) {
    throw deleteAllError(
      plan.removesAll,
      `in ${relative(ctx.cwd, project.model.hasura.metadataDir) || '.'}`,
      'generate',
    )
  }
  const c = colors(ctx)
  const rel = (p: string) => relative(ctx.cwd, p) || p
  const paths = [...changes.keys()].sort()

  if (options.json) {
    ctx.stdout.write(
      `${JSON.stringify({ format_version: 1, changed: paths.map(rel), written: !options.check && !options.dryRun }, null, 2)}\n`,
    )
  }

  if (options.check || options.dryRun) {
    if (!options.json) {
      for (const path of paths) {
        const before = existsSync(path) ? readFileSync(path, 'utf8') : ''
        const patch = createTwoFilesPatch(
          `a/${rel(path)}`,
          `b/${rel(path)}`,
          before,
          changes.get(path) ?? '',
          '',
          '',
          {
            context: 3,
          },
        )
        const body = patch.split('\n').slice(1).join('\n')
        const note = body.includes('@@')
          ? ''
          : changes.get(path) === null
            ? '(removed, empty)\n'
            : '(new, empty)\n'
        ctx.stdout.write(colorPatch(body, c) + note)
      }
      if (paths.length === 0) ctx.stdout.write('metadata files are up to date with the config\n')
      else if (options.check)
        ctx.stderr.write(
          `${c.red(`${paths.length} file${paths.length === 1 ? '' : 's'} out of date`)}: run nself-hooks generate and commit the result\n`,
        )
      else
        ctx.stdout.write(
          `would write ${paths.length} file${paths.length === 1 ? '' : 's'} (dry run: nothing written)\n`,
        )
      if (plan.removesAll.length > 0 && !options.allowDeleteAll)
        ctx.stderr.write(
          `${c.yellow('warning')} the config declares no trigger: this removes every managed one from the files, which needs --allow-delete-all\n`,
        )
    }
    return options.check && paths.length > 0 ? ExitCode.drift : ExitCode.ok
  }

  const written = writeGenerated(plan, ctx)
  if (!options.json) {
    for (const n of notes) ctx.stdout.write(`${c.dim(n)}\n`)
    for (const line of written) ctx.stdout.write(`${line}\n`)
    const { triggers, crons } = project.model
    ctx.stdout.write(
      paths.length === 0
        ? `up to date: ${triggers.length} event trigger${triggers.length === 1 ? '' : 's'}, ${crons.length} cron trigger${crons.length === 1 ? '' : 's'}\n`
        : `${triggers.length} event trigger${triggers.length === 1 ? '' : 's'} and ${crons.length} cron trigger${crons.length === 1 ? '' : 's'} in ${rel(project.model.hasura.metadataDir)}\n`,
    )
  }
  return ExitCode.ok
}

function colorPatch(patch: string, c: ReturnType<typeof colors>): string {
  return `${patch
    .split('\n')
    .map((l) =>
      l.startsWith('+') && !l.startsWith('+++')
        ? c.green(l)
        : l.startsWith('-') && !l.startsWith('---')
          ? c.red(l)
          : l.startsWith('@@')
            ? c.cyan(l)
            : l,
    )
    .join('\n')}\n`
}
