import type { Context } from '../context.js'
import { UserError } from '../errors.js'
import { connectHasura } from '../hasura/client.js'
import {
  actualFromServer,
  type Change,
  type DesiredTriggers,
  desiredFromModel,
  diffTriggers,
  type Ownership,
} from '../metadata/diff.js'
import { ownedNames, readManaged } from '../metadata/managed.js'
import { mergeMetadata, type ToolTables } from '../metadata/merge.js'
import { readActual } from '../metadata/metadata-dir.js'
import {
  planAgainstServer,
  readServer,
  serverOwnership,
  serverToolTables,
  syncedWarning,
} from '../metadata/server-state.js'
import { type Unmanaged, unmanagedOf } from '../metadata/unmanaged.js'
import type { LoadedProject } from '../project.js'
import type { TableTracking } from './apply.js'

/** `diff` as a stage: the config against the metadata files, a server, or both. */

export type DriftAgainst = 'files' | 'server'

interface Drift {
  against: DriftAgainst
  /** the metadata directory (absolute) or the server's endpoint */
  target: string
  changes: Change[]
  /**
   * server: tables it still tracks only for managed triggers that are gone, which the files no
   * longer track (`sync` untracks them)
   */
  untrackedTables: TableTracking[]
  /** present there, not managed by the config: not drift (`nself-hooks import` takes them in) */
  unmanaged: Unmanaged
}

export interface DriftResult {
  results: Drift[]
  /** changes and tables to untrack, over every side */
  total: number
  /** the record of what sync applied could not be read (shown before the server's side) */
  syncedWarning?: string
}

export async function driftOf(
  project: LoadedProject,
  against: 'files' | 'server' | 'all',
  ctx: Pick<Context, 'verbose' | 'stderr' | 'cwd'>,
): Promise<DriftResult> {
  const { model } = project
  const managed = readManaged(model.root)
  const results: Drift[] = []
  let warning: string | undefined
  if (against === 'files' || against === 'all') {
    const actual = readActual(model.hasura.metadataDir)
    const owned = ownedNames(model, managed)
    const changes = diffTriggers(desiredFromModel(model, { crons: 'metadata' }), actual, owned)
    const unmanaged = unmanagedOf(actual, owned)
    results.push({
      against: 'files',
      target: model.hasura.metadataDir,
      changes,
      untrackedTables: [],
      unmanaged,
    })
  }
  if (against === 'server' || against === 'all') {
    const client = connectHasura(project, ctx)
    const state = await readServer(client)
    warning = syncedWarning(ctx.cwd, model.root)
    const owned = serverOwnership(model, [managed], client.endpoint)
    const desired = desiredFromModel(model, { crons: 'all' })
    const changes = planAgainstServer(desired, state, owned)
    results.push({
      against: 'server',
      target: client.endpoint,
      changes,
      unmanaged: unmanagedOf(actualFromServer(state.metadata, state.crons), owned),
      untrackedTables: tablesToUntrack(
        state.metadata,
        desired,
        owned,
        serverToolTables(model.root, client.endpoint),
      ),
    })
  }
  const total = results.reduce((n, r) => n + r.changes.length + r.untrackedTables.length, 0)
  return { results, total, ...(warning === undefined ? {} : { syncedWarning: warning }) }
}

/** What the next sync would untrack: a server without a configured source has nothing to say here. */
function tablesToUntrack(
  metadata: Record<string, unknown>,
  desired: DesiredTriggers,
  owned: Ownership,
  toolTables: ToolTables,
): TableTracking[] {
  try {
    return mergeMetadata(metadata, desired, owned, toolTables).untrackedTables
  } catch (err) {
    if (err instanceof UserError) return []
    throw err
  }
}
