import type { Queryable } from './db.js'

/** Channel the event log insert notifies, so the processor wakes within milliseconds of a commit. */
export const EVENT_CHANNEL = 'nself_hooks_event'
export const CRON_CHANNEL = 'nself_hooks_cron'

/**
 * The event processor's two statements, as functions so that their planner settings travel with
 * them (bookkeeping.ts, delivery.ts). Without statistics (a fresh event_log, or a burst since the
 * last ANALYZE) the planner guesses a few pending rows: the fetch would sort every pending event
 * and the record would scan the whole log, on each batch. With those plans priced out, both touch
 * only the batch's rows whatever the size of the log.
 *
 * nself_hooks_fetch_events is Hasura's fetchEvents query (src-lib/Hasura/Backends/Postgres/DDL/
 * EventTrigger.hs): it walks event_log_fetch_events in order, stops at the batch size, locks by
 * primary key, and returns the events in fetch order. nself_hooks_record_events writes what
 * Hasura's recordSuccess / recordError write for each attempt (the invocation log row,
 * `tries + 1`, delivered / error / next_retry_at, the lock cleared) for a whole batch at once.
 */
const DELIVERY_SQL = `
CREATE OR REPLACE FUNCTION hdb_catalog.nself_hooks_fetch_events(batch_size int, trigger_names text[])
  RETURNS TABLE (id text, schema_name text, table_name text, trigger_name text, payload text, tries int, created_at text)
  LANGUAGE sql VOLATILE
  SET enable_sort = off SET enable_bitmapscan = off SET jit = off
AS $$
  WITH picked AS (
    SELECT ARRAY(
      SELECT l.id FROM hdb_catalog.event_log l
       WHERE l.delivered = 'f' AND l.error = 'f' AND l.archived = 'f'
         AND (l.locked IS NULL OR l.locked < NOW() - interval '30 minutes')
         AND (l.next_retry_at IS NULL OR l.next_retry_at <= (NOW() AT TIME ZONE 'UTC'))
         AND l.trigger_name = ANY(trigger_names)
       ORDER BY l.locked NULLS FIRST, l.next_retry_at NULLS FIRST, l.created_at
       LIMIT batch_size
       FOR UPDATE SKIP LOCKED) AS ids),
  marked AS (
    UPDATE hdb_catalog.event_log e SET locked = NOW()
      FROM picked WHERE e.id = ANY(picked.ids)
    RETURNING e.id, e.schema_name, e.table_name, e.trigger_name, e.payload::text AS payload, e.tries,
              e.created_at::text AS created_at)
  SELECT m.id, m.schema_name, m.table_name, m.trigger_name, m.payload, m.tries, m.created_at
    FROM marked m, picked ORDER BY array_position(picked.ids, m.id)
$$;

CREATE OR REPLACE FUNCTION hdb_catalog.nself_hooks_record_events(outcomes json)
  RETURNS void
  LANGUAGE sql VOLATILE
  SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off
  SET enable_mergejoin = off SET jit = off
AS $$
  WITH o AS (
    SELECT * FROM json_to_recordset(outcomes)
      AS x(id text, trigger_name text, status int, request json, response json, outcome text,
           secs float8, logged bool)),
  inv AS (
    INSERT INTO hdb_catalog.event_invocation_logs (trigger_name, event_id, status, request, response)
    SELECT o.trigger_name, o.id, o.status, o.request, o.response FROM o WHERE o.logged)
  UPDATE hdb_catalog.event_log e
     SET tries = e.tries + CASE WHEN o.logged THEN 1 ELSE 0 END,
         delivered = (o.outcome = 'ok'),
         error = (o.outcome = 'error'),
         next_retry_at = CASE WHEN o.outcome = 'retry'
           THEN (NOW() AT TIME ZONE 'UTC') + make_interval(secs => o.secs) ELSE NULL END,
         locked = NULL
    FROM o
   WHERE e.id = o.id
$$;
`

/**
 * The hdb_catalog objects Hasura installs (init_pg_source.sql, initialise.sql), plus the stored metadata.
 * Idempotent: run at every start. insert_event_log is Hasura's, with a pg_notify added;
 * the nself_hooks_ functions are the engine's own (above).
 */
export const EVENT_CATALOG_SQL = `
CREATE TABLE IF NOT EXISTS hdb_catalog.event_log (
  id TEXT DEFAULT hdb_catalog.gen_hasura_uuid() PRIMARY KEY,
  schema_name TEXT NOT NULL,
  table_name TEXT NOT NULL,
  trigger_name TEXT NOT NULL,
  payload JSONB NOT NULL,
  delivered BOOLEAN NOT NULL DEFAULT FALSE,
  error BOOLEAN NOT NULL DEFAULT FALSE,
  tries INTEGER NOT NULL DEFAULT 0,
  created_at TIMESTAMP DEFAULT NOW(),
  locked TIMESTAMPTZ,
  next_retry_at TIMESTAMP,
  archived BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX IF NOT EXISTS event_log_trigger_name_idx ON hdb_catalog.event_log (trigger_name);
CREATE INDEX IF NOT EXISTS event_log_fetch_events
  ON hdb_catalog.event_log (locked NULLS FIRST, next_retry_at NULLS FIRST, created_at)
  WHERE delivered = 'f' AND error = 'f' AND archived = 'f';

CREATE TABLE IF NOT EXISTS hdb_catalog.event_invocation_logs (
  id TEXT DEFAULT hdb_catalog.gen_hasura_uuid() PRIMARY KEY,
  trigger_name TEXT,
  event_id TEXT,
  status INTEGER,
  request JSON,
  response JSON,
  created_at TIMESTAMP DEFAULT NOW()
);
CREATE INDEX IF NOT EXISTS event_invocation_logs_event_id_idx ON hdb_catalog.event_invocation_logs (event_id);

CREATE OR REPLACE FUNCTION
  hdb_catalog.insert_event_log(schema_name text, table_name text, trigger_name text, op text, row_data json)
  RETURNS text AS $$
  DECLARE
    id text;
    payload json;
    session_variables json;
    trace_context json;
  BEGIN
    id := gen_random_uuid();
    -- NULLIF: after a transaction-local set_config the setting reads '' for the rest of the session
    session_variables := NULLIF(current_setting('hasura.user', 't'), '');
    trace_context := NULLIF(current_setting('hasura.tracecontext', 't'), '');
    payload := json_build_object(
      'op', op,
      'data', row_data,
      'session_variables', session_variables,
      'trace_context', trace_context
    );
    INSERT INTO hdb_catalog.event_log
                (id, schema_name, table_name, trigger_name, payload)
    VALUES
    (id, schema_name, table_name, trigger_name, payload);
    PERFORM pg_notify('${EVENT_CHANNEL}', '');
    RETURN id;
  END;
$$ LANGUAGE plpgsql;

${DELIVERY_SQL}
`

export const CATALOG_SQL = `
CREATE SCHEMA IF NOT EXISTS hdb_catalog;

CREATE OR REPLACE FUNCTION hdb_catalog.gen_hasura_uuid() RETURNS uuid AS 'select gen_random_uuid()' LANGUAGE SQL;

CREATE TABLE IF NOT EXISTS hdb_catalog.hdb_metadata (
  id INTEGER PRIMARY KEY,
  metadata JSON NOT NULL,
  resource_version INTEGER NOT NULL DEFAULT 1 UNIQUE,
  nself_hidden_crons JSON NOT NULL DEFAULT '[]'
);

CREATE TABLE IF NOT EXISTS hdb_catalog.hdb_source_catalog_version (
  version TEXT NOT NULL,
  upgraded_on TIMESTAMPTZ NOT NULL
);

${EVENT_CATALOG_SQL}
CREATE TABLE IF NOT EXISTS hdb_catalog.hdb_cron_events (
  id TEXT DEFAULT hdb_catalog.gen_hasura_uuid() PRIMARY KEY,
  trigger_name TEXT NOT NULL,
  scheduled_time TIMESTAMPTZ NOT NULL,
  status TEXT NOT NULL DEFAULT 'scheduled',
  tries INTEGER NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ DEFAULT NOW(),
  next_retry_at TIMESTAMPTZ,
  CONSTRAINT valid_status CHECK (status IN ('scheduled','locked','delivered','error','dead'))
);
CREATE UNIQUE INDEX IF NOT EXISTS hdb_cron_events_unique_scheduled
  ON hdb_catalog.hdb_cron_events (trigger_name, scheduled_time) WHERE status = 'scheduled';
CREATE INDEX IF NOT EXISTS hdb_cron_event_status ON hdb_catalog.hdb_cron_events (status);

CREATE TABLE IF NOT EXISTS hdb_catalog.hdb_cron_event_invocation_logs (
  id TEXT DEFAULT hdb_catalog.gen_hasura_uuid() PRIMARY KEY,
  event_id TEXT,
  status INTEGER,
  request JSON,
  response JSON,
  created_at TIMESTAMPTZ DEFAULT NOW()
);
CREATE INDEX IF NOT EXISTS hdb_cron_event_invocation_event_id ON hdb_catalog.hdb_cron_event_invocation_logs (event_id);

CREATE TABLE IF NOT EXISTS hdb_catalog.hdb_scheduled_events (
  id TEXT DEFAULT hdb_catalog.gen_hasura_uuid() PRIMARY KEY,
  webhook_conf JSON NOT NULL,
  scheduled_time TIMESTAMPTZ NOT NULL,
  retry_conf JSON,
  payload JSON,
  header_conf JSON,
  status TEXT NOT NULL DEFAULT 'scheduled',
  tries INTEGER NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ DEFAULT NOW(),
  next_retry_at TIMESTAMPTZ,
  comment TEXT,
  request_transform JSON,
  response_transform JSON,
  CONSTRAINT valid_status CHECK (status IN ('scheduled','locked','delivered','error','dead'))
);
CREATE INDEX IF NOT EXISTS hdb_scheduled_event_status ON hdb_catalog.hdb_scheduled_events (status);

CREATE TABLE IF NOT EXISTS hdb_catalog.hdb_scheduled_event_invocation_logs (
  id TEXT DEFAULT hdb_catalog.gen_hasura_uuid() PRIMARY KEY,
  event_id TEXT,
  status INTEGER,
  request JSON,
  response JSON,
  created_at TIMESTAMPTZ DEFAULT NOW()
);
`

export async function installCatalog(db: Queryable): Promise<void> {
  await db.exec(CATALOG_SQL)
}

/** The event trigger part of the catalog, re-created when a trigger appears after clear_metadata. */
export async function ensureEventCatalog(db: Queryable): Promise<void> {
  const { rows } = await db.query(`SELECT to_regclass('hdb_catalog.event_log') IS NOT NULL AS ok`)
  if (rows[0]?.ok !== true) await db.exec(EVENT_CATALOG_SQL)
}

/** Whether the event trigger catalog exists (it goes with the last trigger). */
export async function hasEventLog(tx: Queryable): Promise<boolean> {
  const { rows } = await tx.query(`SELECT to_regclass('hdb_catalog.event_log') IS NOT NULL AS ok`)
  return rows[0]?.ok === true
}

/** Hasura drops the source's event trigger catalog with the last trigger (clear_metadata). */
export async function dropEventCatalog(tx: Queryable): Promise<void> {
  const { rows } = await tx.query<{ name: string }>(
    `SELECT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'hdb_catalog' AND p.proname LIKE 'notify\\_hasura\\_%'`,
  )
  let sql = ''
  for (const r of rows)
    sql += `DROP FUNCTION IF EXISTS hdb_catalog."${r.name.replace(/"/g, '""')}"() CASCADE;\n`
  sql += `DROP TABLE IF EXISTS hdb_catalog.event_invocation_logs;
DROP TABLE IF EXISTS hdb_catalog.event_log;
DROP FUNCTION IF EXISTS hdb_catalog.insert_event_log(text, text, text, text, json);
DROP FUNCTION IF EXISTS hdb_catalog.nself_hooks_fetch_events(int, text[]);
DROP FUNCTION IF EXISTS hdb_catalog.nself_hooks_record_events(json);
`
  await tx.exec(sql)
}
