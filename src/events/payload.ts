import { randomUUID } from 'node:crypto'
import type { EventLogRow } from '../hasura/events-api.js'
import type { TableRef } from '../model/types.js'

/** The `event` object Hasura stores in event_log.payload and sends in the body (docs/hasura-compatibility.md "Webhook request"). */
export interface HasuraEvent {
  op: 'INSERT' | 'UPDATE' | 'DELETE' | 'MANUAL'
  data: { old: unknown; new: unknown }
  session_variables: Record<string, string> | null
  trace_context: unknown
}

/** The body of the POST Hasura sends for an event, keys in Hasura's order. */
export interface HasuraEventBody {
  id: string
  created_at: string
  table: TableRef
  trigger: { name: string }
  event: HasuraEvent
  delivery_info: { current_retry: number; max_retries: number }
}

/**
 * The exact body Hasura sent for a stored event: same id, created_at, table, trigger and event.
 * `current_retry` 0 is the first attempt; `max_retries` is the trigger's num_retries.
 */
export function bodyFromEvent(row: EventLogRow, maxRetries: number, currentRetry = 0): HasuraEventBody {
  return {
    id: row.id,
    created_at: bodyTime(row.created_at),
    table: { schema: row.schema_name, name: row.table_name },
    trigger: { name: row.trigger_name },
    event: row.payload as HasuraEvent,
    delivery_info: { current_retry: currentRetry, max_retries: maxRetries },
  }
}

/**
 * The event logs give created_at as UTC with a trailing Z (aeson's UTCTime); the body Hasura sends
 * has it without zone (a LocalTime, `EventPayload` in `src-lib/Hasura/Eventing/EventTrigger.hs`).
 */
function bodyTime(text: string): string {
  return text.replace(/(?:Z|[+-]00(?::?00)?)$/, '')
}

/** Hasura's created_at: a UTC timestamp without zone (it trims the fraction to groups of 3 digits). */
function hasuraNow(now = new Date()): string {
  return now.toISOString().slice(0, 23)
}

export function syntheticBody(input: {
  trigger: string
  table: TableRef
  op: HasuraEvent['op']
  oldRow: unknown
  newRow: unknown
  maxRetries: number
  sessionVariables?: Record<string, string> | null
  now?: Date
}): HasuraEventBody {
  return {
    id: randomUUID(),
    created_at: hasuraNow(input.now),
    table: { schema: input.table.schema, name: input.table.name },
    trigger: { name: input.trigger },
    event: {
      op: input.op,
      data: { old: input.oldRow, new: input.newRow },
      session_variables: input.sessionVariables ?? null,
      trace_context: null,
    },
    delivery_info: { current_retry: 0, max_retries: input.maxRetries },
  }
}

/** `payload` picks the columns sent (docs/hasura-compatibility.md "Event triggers"): rows are reduced to them. */
export function pickColumns(row: unknown, payload: '*' | string[] | undefined): unknown {
  if (row === null || typeof row !== 'object' || payload === undefined || payload === '*') return row
  const src = row as Record<string, unknown>
  return Object.fromEntries(payload.filter((c) => c in src).map((c) => [c, src[c]]))
}
