import { ensureEventCatalog, hasEventLog } from './catalog.js'
import {
  allTriggerNames,
  checkConsistency,
  type InconsistentObject,
  reconcileTriggers,
} from './consistency.js'
import type { Db, Queryable } from './db.js'
import type { Env } from './env-check.js'
import { ApiError } from './errors.js'
import type { CronTriggerDef } from './metadata/model.js'
import { allCrons, readState, type StoredState, saveState } from './store.js'

export interface CoreHooks {
  /** metadata changed: the cron scheduler and the processor re-read it */
  onMetadataChange(): void
  wakeDelivery(): void
}

/**
 * The metadata API over the stored state. Every change runs in one database transaction (DDL for
 * the trigger functions included) and bumps resource_version; requests are serialised.
 */
export class Core {
  state!: StoredState
  private chain: Promise<unknown> = Promise.resolve()
  constructor(
    readonly db: Db,
    readonly hooks: CoreHooks,
    /** what env names resolve against (Hasura checks them when it builds metadata) */
    public env: Env = {},
    /** HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES, read at start: how the trigger functions build rows */
    readonly stringifyNumbers = false,
  ) {}

  /** the names of the inconsistent objects after the last change (healthz, run_sql) */
  lastInconsistent: string[] = []

  /** Runs `fn` after every earlier serial call has settled (metadata commands one at a time). */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn)
    this.chain = run.catch(() => {})
    return run
  }

  /**
   * Applies a metadata change. `edit` gets a copy and returns the response. Unless `allowInconsistent`,
   * a change that adds inconsistent objects is refused (Hasura's new-inconsistency check).
   */
  async change<T>(
    expectedVersion: number | undefined,
    edit: (draft: StoredState, tx: Queryable) => Promise<T> | T,
    opts: {
      allowInconsistent?: boolean
      strict?: boolean
      inTx?: (tx: Queryable) => Promise<void>
      recreateTriggers?: boolean
      /** the inconsistent-object name of what this command creates or changes */
      object?: string
    } = {},
  ): Promise<{ result: T; inconsistent: InconsistentObject[] }> {
    return this.serial(async () => {
      const out = await this.db.transaction(async (tx) => {
        const { rows } = await tx.query<{ resource_version: number }>(
          'SELECT resource_version FROM hdb_catalog.hdb_metadata WHERE id = 1 FOR UPDATE',
        )
        const current = rows[0]?.resource_version ?? this.state.resourceVersion
        // another engine on the same database changed the metadata: start from what it stored
        if (current !== this.state.resourceVersion) this.state = await readState(tx)
        if (expectedVersion !== undefined && expectedVersion !== current)
          throw new ApiError(
            409,
            'conflict',
            `metadata resource version referenced (${expectedVersion}) did not match current version`,
            '$',
          )
        const before = await checkConsistency(tx, this.state.metadata, this.env)
        const draft: StoredState = structuredClone({ ...this.state, resourceVersion: current })
        const result = await edit(draft, tx)
        if (opts.inTx) await opts.inTx(tx)
        const after = await checkConsistency(tx, draft.metadata, this.env)
        if (opts.strict && after.inconsistent.length > 0)
          throw new ApiError(
            400,
            'unexpected',
            'cannot continue due to inconsistent metadata',
            '$',
            after.inconsistent,
          )
        if (!opts.allowInconsistent) {
          const known = new Set(before.inconsistent.map((o) => o.name))
          const fresh = after.inconsistent.filter((o) => !known.has(o.name))
          // Hasura's buildSchemaCacheFor: the object itself inconsistent is invalid-configuration
          const own = fresh.filter((o) => o.name === opts.object)
          if (own.length > 0)
            throw new ApiError(400, 'invalid-configuration', own.map((o) => o.reason).join(', '), '$', own)
          if (fresh.length > 0)
            throw new ApiError(
              400,
              'unexpected',
              'cannot continue due to new inconsistent metadata',
              '$',
              fresh,
            )
        }
        if (after.consistentTriggers.length > 0) await ensureEventCatalog(tx)
        await reconcileTriggers(tx, after.consistentTriggers, {
          recreate: opts.recreateTriggers === true,
          stringifyNumbers: this.stringifyNumbers,
        })
        // Hasura archives the events of a deleted trigger
        const beforeNames = new Set(allTriggerNames(this.state.metadata))
        const afterNames = new Set(allTriggerNames(draft.metadata))
        const gone = [...beforeNames].filter((n) => !afterNames.has(n))
        if (gone.length > 0 && (await hasEventLog(tx)))
          await tx.query('UPDATE hdb_catalog.event_log SET archived = true WHERE trigger_name = ANY($1)', [
            gone,
          ])
        await this.syncCronEvents(tx, this.state, draft)
        draft.resourceVersion = current + 1
        await saveState(tx, draft)
        return { draft, result, inconsistent: after.inconsistent }
      })
      this.state = out.draft
      this.lastInconsistent = out.inconsistent.map((o) => o.name)
      this.hooks.onMetadataChange()
      return { result: out.result, inconsistent: out.inconsistent }
    })
  }

  /** Cron triggers removed or changed lose their future events (the scheduler makes new ones). */
  private async syncCronEvents(tx: Queryable, before: StoredState, after: StoredState) {
    const key = (c: CronTriggerDef) => JSON.stringify([c.schedule, c.webhook])
    const a = new Map(allCrons(after).map((c) => [c.name, key(c)]))
    const stale = allCrons(before)
      .filter((c) => a.get(c.name) !== key(c))
      .map((c) => c.name)
    if (stale.length > 0)
      await tx.query(
        `DELETE FROM hdb_catalog.hdb_cron_events WHERE trigger_name = ANY($1) AND status = 'scheduled'`,
        [stale],
      )
  }

  /** Re-reads the stored metadata when another engine on the same database changed it. */
  async refresh(): Promise<void> {
    const { rows } = await this.db.query<{ v: number }>(
      'SELECT resource_version AS v FROM hdb_catalog.hdb_metadata WHERE id = 1',
    )
    if (rows[0] && rows[0].v !== this.state.resourceVersion) {
      this.state = await readState(this.db)
      this.hooks.onMetadataChange()
    }
  }

  snapshot(): StoredState {
    return structuredClone(this.state)
  }

  /** Puts the metadata back as it was (a failed bulk). */
  async restore(s: StoredState): Promise<void> {
    if (s.resourceVersion === this.state.resourceVersion) return
    await this.change(
      undefined,
      (d) => {
        d.metadata = structuredClone(s.metadata)
        d.hiddenCrons = structuredClone(s.hiddenCrons)
      },
      { allowInconsistent: true },
    )
  }

  async inconsistentObjects(): Promise<InconsistentObject[]> {
    return (await checkConsistency(this.db, this.state.metadata, this.env)).inconsistent
  }
}
