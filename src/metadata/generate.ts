import { existsSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Model } from '../model/types.js'
import { removeStaleTemps, type WriteStep, writeFilesAtomic } from '../write-files.js'
import { type Managed, managedPath, ownedNames, readManaged, renderManaged } from './managed.js'
import { actualFromLayout, type MetadataLayout, readLayout } from './metadata-dir.js'
import { planFiles } from './plan-files.js'

/** What `generate` (and `sync`, before it applies) would write to the metadata directory. */
export interface GeneratePlan {
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

/** One file a plan wrote: `removed` when its new content was none. */
export interface WrittenFile {
  path: string
  removed: boolean
}

/** The planning step of `generate`, pure apart from reading the directory and the managed record. */
export function planGenerate(model: Model, opts: { adopt?: boolean } = {}): GeneratePlan {
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
  let recorded = before
  if (plan.order.length > 0) {
    const interim = renderManaged({
      ...plan.managed,
      tables: unionTables(managedBefore.tables ?? [], plan.managed.tables ?? []),
    })
    if (interim !== before) {
      steps.push([managedFile, interim])
      recorded = interim
    }
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

function removesAll(layout: MetadataLayout, model: Model, managed: Managed): string[] {
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

/** Writes a plan's files atomically (all or none); the files in path order. */
export function writeGenerated(plan: GeneratePlan): WrittenFile[] {
  removeStaleTemps(plan.dirs)
  writeFilesAtomic(plan.steps)
  return [...plan.changes.keys()].sort().map((path) => ({ path, removed: plan.changes.get(path) === null }))
}
