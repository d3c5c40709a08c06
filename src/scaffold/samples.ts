import type { Route, TriggerRoute } from './shape.js'
import type { FieldType } from './types.js'

/**
 * A delivery each route accepts, as plain data: the body the scaffolded handler tests post. Built
 * from the same view model as the payload types, so it matches what the generated schema checks.
 * Trigger and cron bodies follow Hasura's delivery format (docs/hasura-compatibility.md).
 */

/** A value of the type: the first label, an empty list, a nullable's inner value. */
function sampleValue(t: FieldType): unknown {
  switch (t.kind) {
    case 'string':
      return 'text'
    case 'number':
      return 1
    case 'boolean':
      return true
    case 'null':
    case 'unknown':
      return null
    case 'json':
      return {}
    case 'geojson':
      return { type: 'Point', coordinates: [0, 0] }
    case 'literals':
      return t.values[0] ?? null
    case 'array':
      return []
    case 'object':
      return Object.fromEntries(t.fields.map((f) => [f.name, sampleValue(f.type)]))
    case 'nullable':
      return sampleValue(t.of)
  }
}

function sampleRow(route: TriggerRoute, name: string | null): unknown {
  if (name === null) return null
  const row = route.rows.find((r) => r.name === name)
  if (!row?.fields) return { id: 1 }
  return Object.fromEntries(row.fields.map((f) => [f.name, sampleValue(f.type)]))
}

const EVENT_ID = '00000000-0000-4000-8000-000000000001'
const WHEN = '2026-01-01T09:00:00Z'

/** The body of one delivery the route accepts (a trigger's first operation; a cron's configured payload). */
export function sampleBody(route: Route): unknown {
  switch (route.kind) {
    case 'trigger': {
      const op = route.ops[0]!
      return {
        id: EVENT_ID,
        created_at: '2026-01-01T09:00:00.000000',
        table: route.tableRef,
        trigger: { name: route.name },
        event: {
          op: op.op,
          data: { old: sampleRow(route, op.oldRow), new: sampleRow(route, op.newRow) },
          session_variables: { 'x-hasura-role': 'admin' },
          trace_context: null,
        },
        delivery_info: { current_retry: 0, max_retries: 0 },
      }
    }
    case 'cron':
      return {
        id: EVENT_ID,
        name: route.name,
        scheduled_time: WHEN,
        payload: route.payloadValue,
        comment: null,
      }
    case 'external':
      switch (route.provider) {
        case 'stripe':
          return {
            id: 'evt_test_1',
            object: 'event',
            type: 'test.event',
            created: 1_767_258_000,
            livemode: false,
            data: { object: {} },
          }
        case 'standard-webhooks':
          return { type: 'test.event', timestamp: WHEN, data: {} }
        default:
          return { test: true }
      }
  }
}
