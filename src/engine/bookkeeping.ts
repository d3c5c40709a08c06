import type { Db } from './db.js'
import { stringify } from './raw-json.js'

/** What one attempt of an event leaves in hdb_catalog: its invocation log row and the event's state. */
export interface Outcome {
  id: string
  trigger: string
  status: number | null
  /** the invocation log's request and response (JSON values) */
  request: unknown
  response: unknown
  outcome: 'ok' | 'retry' | 'error'
  /** seconds until the next attempt, for 'retry' */
  secs: number
  /** false: no invocation log row and tries unchanged (a request transform that cannot render) */
  logged: boolean
}

/**
 * Hasura writes each attempt in its own transaction: the invocation log row, `tries + 1`, then
 * delivered / error / next_retry_at with the lock cleared (`recordSuccess`, `recordError`,
 * `insertInvocation` in src-lib/Hasura/Backends/Postgres/DDL/EventTrigger.hs). The engine writes
 * the same rows for a batch of attempts in one statement (hdb_catalog.nself_hooks_record_events,
 * catalog.ts); the outcomes travel as one JSON array.
 */
const RECORD_SQL = 'SELECT hdb_catalog.nself_hooks_record_events($1)'

interface Pending {
  row: Record<string, unknown>
  resolve: () => void
  reject: (err: Error) => void
}

/**
 * Collects attempt outcomes and writes them in batches: a write starts when `batch` outcomes wait
 * or `windowMs` after the first one, one write at a time (what arrives during a write goes into the
 * next). Each outcome's promise settles when its write commits. Until then the event stays locked,
 * so a crash in between means one more delivery (at least once, as Hasura after a crash between a
 * response and its `recordSuccess`), never a lost outcome that was reported written.
 */
export class Bookkeeping {
  private pending: Pending[] = []
  private timer: NodeJS.Timeout | undefined
  private writing: Promise<void> | undefined

  constructor(
    private db: Db,
    private batch: number,
    private windowMs: number,
  ) {}

  private closed = false

  record(o: Outcome): Promise<void> {
    // after stop: the event was unlocked for the next start, an outcome now would contradict it
    if (this.closed) return Promise.reject(new Error('the engine stopped before this outcome was written'))
    return new Promise((resolve, reject) => {
      this.pending.push({
        row: {
          id: o.id,
          trigger_name: o.trigger,
          status: o.status,
          request: o.logged ? o.request : null,
          response: o.logged ? o.response : null,
          outcome: o.outcome,
          secs: o.secs,
          logged: o.logged,
        },
        resolve,
        reject,
      })
      this.schedule()
    })
  }

  /** Writes everything recorded so far and takes no more (stop). */
  async close(): Promise<void> {
    this.closed = true
    while (this.writing || this.pending.length > 0) {
      if (this.writing) await this.writing
      else this.start()
    }
  }

  private schedule() {
    if (this.writing || this.pending.length === 0) return
    if (this.pending.length >= this.batch) this.start()
    else this.timer ??= setTimeout(() => this.start(), this.windowMs)
  }

  private start() {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    if (this.writing) return
    const batch = this.pending.splice(0)
    if (batch.length === 0) return
    this.writing = this.write(batch).finally(() => {
      this.writing = undefined
      this.schedule()
    })
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      await this.db.query(RECORD_SQL, [stringify(batch.map((b) => b.row))])
      for (const b of batch) b.resolve()
    } catch (err) {
      for (const b of batch) b.reject(err as Error)
    }
  }
}
