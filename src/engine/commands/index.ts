import type { Core } from '../core.js'
import { ApiError } from '../errors.js'
import type { JsonObject } from '../metadata/model.js'
import type { TraceContext } from '../trace.js'
import type { Command, CommandCtx } from './context.js'
import { createCron, deleteCron, getCronTriggers } from './cron-triggers.js'
import { eventById, eventLogs, invocationLogs } from './event-logs.js'
import { createEventTrigger, deleteEventTrigger, invoke, redeliver } from './event-triggers.js'
import {
  clearMetadata,
  dropInconsistentMetadata,
  exportMetadata,
  getInconsistentMetadata,
  reloadMetadata,
  replaceMetadata,
} from './metadata.js'
import { runSql } from './run-sql.js'
import {
  createScheduledEvent,
  deleteScheduledEvent,
  getScheduledEvents,
  scheduledInvocations,
} from './scheduled-events.js'
import { trackTable, untrackTable } from './tables.js'

/** Every command the engine answers, by the name a request gives (Hasura's and the legacy ones). */
const COMMANDS: Record<string, Command> = {
  export_metadata: exportMetadata,
  replace_metadata: replaceMetadata,
  reload_metadata: reloadMetadata,
  clear_metadata: clearMetadata,
  get_inconsistent_metadata: getInconsistentMetadata,
  drop_inconsistent_metadata: dropInconsistentMetadata,
  pg_track_table: trackTable,
  track_table: trackTable,
  pg_untrack_table: untrackTable,
  untrack_table: untrackTable,
  pg_create_event_trigger: createEventTrigger,
  create_event_trigger: createEventTrigger,
  pg_delete_event_trigger: deleteEventTrigger,
  delete_event_trigger: deleteEventTrigger,
  pg_redeliver_event: redeliver,
  redeliver_event: redeliver,
  pg_invoke_event_trigger: invoke,
  invoke_event_trigger: invoke,
  pg_get_event_logs: eventLogs,
  pg_get_event_invocation_logs: invocationLogs,
  pg_get_event_by_id: eventById,
  create_cron_trigger: createCron,
  delete_cron_trigger: deleteCron,
  get_cron_triggers: getCronTriggers,
  create_scheduled_event: createScheduledEvent,
  get_scheduled_events: getScheduledEvents,
  delete_scheduled_event: deleteScheduledEvent,
  get_event_invocations: scheduledInvocations,
  get_scheduled_event_invocations: scheduledInvocations,
  run_sql: runSql,
  pg_run_sql: runSql,
}

/** Runs one command of a request body `{type, args, version?, resource_version?}`. */
export function runCommand(
  core: Core,
  type: string,
  args: unknown,
  body: JsonObject,
  session: Record<string, string>,
  traceContext?: TraceContext,
): Promise<unknown> {
  const command = Object.hasOwn(COMMANDS, type) ? COMMANDS[type] : undefined
  if (!command) throw new ApiError(400, 'parse-failed', `unknown metadata command "${type}"`, '$')
  const cmd: CommandCtx = {
    version: body.version === 2 ? 2 : 1,
    resourceVersion: typeof body.resource_version === 'number' ? body.resource_version : undefined,
    session,
    ...(traceContext ? { traceContext } : {}),
  }
  return command(core, (args ?? {}) as JsonObject, cmd)
}
