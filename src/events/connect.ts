import type { Context } from '../context.js'
import { connectHasura, type HasuraClient } from '../hasura/client.js'
import { EventsApi } from '../hasura/events-api.js'
import { parseExact } from '../output/exact-json.js'
import type { LoadedProject } from '../project.js'

/** The typed event-log calls over helper-2's client (admin secret read only now, never printed). */
export function connect(project: LoadedProject, ctx: Pick<Context, 'verbose' | 'stderr'>): EventsApi {
  const client: HasuraClient = connectHasura(project, ctx)
  return new EventsApi(
    // payloads keep their digits: an int8 beyond 2^53 is shown, replayed and sent as stored
    (type, args) => client.metadataRequest(type, args, { parse: parseExact }),
    project.model.hasura.source,
    async (sql, opts) => {
      const r = await client.runSql(sql, { source: opts.source, readOnly: opts.readOnly })
      return (r.result ?? []).map((row) => row.map((v) => v ?? 'NULL'))
    },
  )
}
