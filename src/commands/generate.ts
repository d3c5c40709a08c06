import { existsSync, readFileSync } from 'node:fs'
import { relative } from 'node:path'
import type { Context, GlobalOptions } from '../context.js'
import { ExitCode } from '../errors.js'
import { fileLine } from '../metadata/changes-text.js'
import { planGenerate, writeGenerated } from '../metadata/generate.js'
import { deleteAllError } from '../metadata/managed.js'
import { printJson } from '../output/json.js'
import { colors, printWarnings } from '../output/report.js'
import { loadProject } from '../project.js'

export interface GenerateOptions extends GlobalOptions {
  check?: boolean
  dryRun?: boolean
  /** take over hand-made triggers and crons whose names the config uses */
  adopt?: boolean
  /** remove every managed trigger and cron from the files when the config declares none */
  allowDeleteAll?: boolean
}

export async function generate(options: GenerateOptions, ctx: Context): Promise<number> {
  const project = await loadProject(ctx, options)
  printWarnings(ctx, project.warnings)
  const plan = planGenerate(project.model, { adopt: options.adopt ?? false })
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
    printJson(ctx, { changed: paths.map(rel), written: !options.check && !options.dryRun })
  }

  if (options.check || options.dryRun) {
    if (!options.json) {
      // only --check and --dry-run show patches: a plain generate does not load the diff library
      const { createTwoFilesPatch } = await import('diff')
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

  const written = writeGenerated(plan)
  if (!options.json) {
    for (const n of notes) ctx.stdout.write(`${c.dim(n)}\n`)
    for (const f of written) ctx.stdout.write(`${fileLine(c, ctx.cwd, f)}\n`)
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
