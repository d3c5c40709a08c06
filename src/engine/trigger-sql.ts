import { createHash } from 'node:crypto'
import type { Columns, EventTriggerDef, QualifiedTable } from './metadata/model.js'

export type Op = 'INSERT' | 'UPDATE' | 'DELETE'
export const OPS: Op[] = ['INSERT', 'UPDATE', 'DELETE']

export const ident = (s: string) => `"${s.replace(/"/g, '""')}"`
export const literal = (s: string) => `'${s.replace(/'/g, "''")}'`
export const qualified = (t: QualifiedTable) => `${ident(t.schema)}.${ident(t.name)}`

/** Hasura's name for the function and the trigger of one operation. */
export const pgTriggerName = (trigger: string, op: Op) => `notify_hasura_${trigger}_${op}`

function opSpec(def: EventTriggerDef, op: Op) {
  return op === 'INSERT'
    ? def.definition.insert
    : op === 'UPDATE'
      ? def.definition.update
      : def.definition.delete
}

/** A table column and the name of its Postgres type (`pg_type.typname`: `int8`, `_int8`, `geometry`). */
export interface TableColumn {
  name: string
  type: string
}

/**
 * How one column goes into an event's row, as Hasura builds it: `toJSONableExp`
 * (`src-lib/Hasura/Backends/Postgres/Translate/Column.hs`), applied per column by
 * `mkTriggerFunctionQ` (`src-lib/Hasura/Backends/Postgres/DDL/EventTrigger.hs`). PostGIS geometry
 * and geography become `ST_AsGeoJSON(col, 15, 4)::json` (`isGeoType`); int8, numeric, float8 and
 * money become text under HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES (`isBigNum`, `stringifyNum`);
 * arrays and every other type stay as they are (`isScalarColumnWhere`).
 * See docs/hasura-compatibility.md, "Payload columns".
 */
const GEO = new Set(['geometry', 'geography'])
const BIG_NUM = new Set(['int8', 'numeric', 'float8', 'money'])

export interface RowOptions {
  /** the table's columns in order; without them every column is taken as it is */
  columns?: TableColumn[] | undefined
  /** HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES */
  stringifyNumbers?: boolean | undefined
}

function converted(type: string | undefined, o: RowOptions): boolean {
  return type !== undefined && (GEO.has(type) || (o.stringifyNumbers === true && BIG_NUM.has(type)))
}

/** `NEW."c"`, `NEW."c"::text AS "c"` or `ST_AsGeoJSON(NEW."c", 15, 4)::json AS "c"`. */
function columnExpression(v: 'OLD' | 'NEW', name: string, type: string | undefined, o: RowOptions): string {
  const col = `${v}.${ident(name)}`
  if (type === undefined) return col
  if (o.stringifyNumbers === true && BIG_NUM.has(type)) return `${col}::text AS ${ident(name)}`
  // at most 15 decimal digits; option 4 writes the CRS into the object
  if (GEO.has(type)) return `ST_AsGeoJSON(${col}, 15, 4)::json AS ${ident(name)}`
  return col
}

/**
 * The columns as Hasura selects them, or undefined when none needs converting: then `row_to_json`
 * of the row (or of the plain columns) gives the same JSON.
 */
function convertedSelect(v: 'OLD' | 'NEW', cols: Columns | undefined, o: RowOptions): string | undefined {
  const types = new Map((o.columns ?? []).map((c) => [c.name, c.type]))
  const names = cols === undefined || cols === '*' ? (o.columns ?? []).map((c) => c.name) : cols
  if (!names.some((n) => converted(types.get(n), o))) return undefined
  return `(select e from (select ${names.map((n) => columnExpression(v, n, types.get(n), o)).join(', ')}) as e)`
}

/** row_to_json of the payload columns (all of them for '*'), as Hasura's trigger template builds it. */
function rowJson(v: 'OLD' | 'NEW', payload: Columns | undefined, o: RowOptions): string {
  const select = convertedSelect(v, payload, o)
  if (select) return `row_to_json(${select})`
  if (payload === undefined || payload === '*') return `row_to_json(${v})`
  return `row_to_json((select r from (select ${payload.map((c) => `${v}.${ident(c)}`).join(', ')}) as r))`
}

/** The listened columns an UPDATE compares, built like the payload (Hasura's `renderRow`). */
function listenRow(v: 'OLD' | 'NEW', columns: Columns, o: RowOptions): string {
  const select = convertedSelect(v, columns, o)
  if (select) return `row(${select})`
  if (columns === '*') return `row(${v}.*)`
  return `row(${columns.map((c) => `${v}.${ident(c)}`).join(', ')})`
}

export interface TriggerSql {
  /** function name without schema */
  name: string
  op: Op
  hash: string
  /** the function, its trigger and its comment; `hash` is of this without the comment */
  sql: string
  /** drops a trigger of this name on the table: needed only when one exists (pg_trigger) */
  dropTrigger: string
}

/**
 * The function and `AFTER <op> ... FOR EACH ROW` trigger for each operation of an event trigger.
 * Mirrors Hasura's trigger.sql.shakespeare: UPDATE compares only the listened columns, schema and
 * table names are literals, the payload holds the chosen columns, each built as Hasura builds it.
 */
export function triggerSql(def: EventTriggerDef, table: QualifiedTable, o: RowOptions = {}): TriggerSql[] {
  const out: TriggerSql[] = []
  for (const op of OPS) {
    const spec = opSpec(def, op)
    if (!spec) continue
    const name = pgTriggerName(def.name, op)
    const fn = `hdb_catalog.${ident(name)}`
    const oldExp = op === 'INSERT' ? 'NULL' : rowJson('OLD', spec.payload, o)
    const newExp = op === 'DELETE' ? 'NULL' : rowJson('NEW', spec.payload, o)
    const body = `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  DECLARE
    _old record;
    _new record;
    _data json;
  BEGIN
    IF TG_OP = 'UPDATE' THEN
      _old := ${listenRow('OLD', spec.columns, o)};
      _new := ${listenRow('NEW', spec.columns, o)};
    ELSE
    /* initialize _old and _new with dummy values for INSERT and DELETE events */
      _old := row((select 1));
      _new := row((select 1));
    END IF;
    _data := json_build_object(
      'old', ${oldExp},
      'new', ${newExp}
    );
    BEGIN
      IF (TG_OP <> 'UPDATE') OR (_old <> _new) THEN
        PERFORM hdb_catalog.insert_event_log(CAST(${literal(table.schema)} AS text), CAST(${literal(table.name)} AS text), CAST(${literal(def.name)} AS text), TG_OP, _data);
      END IF;
      EXCEPTION WHEN undefined_function THEN
        IF (TG_OP <> 'UPDATE') OR (_old *<> _new) THEN
          PERFORM hdb_catalog.insert_event_log(CAST(${literal(table.schema)} AS text), CAST(${literal(table.name)} AS text), CAST(${literal(def.name)} AS text), TG_OP, _data);
        END IF;
    END;
    RETURN NULL;
  END;
$$;
CREATE TRIGGER ${ident(name)} AFTER ${op} ON ${qualified(table)} FOR EACH ROW EXECUTE PROCEDURE ${fn}();
${def.trigger_on_replication ? `ALTER TABLE ${qualified(table)} ENABLE ALWAYS TRIGGER ${ident(name)};\n` : ''}`
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 16)
    out.push({
      name,
      op,
      hash,
      sql: `${body}COMMENT ON FUNCTION ${fn}() IS ${literal(`nself-hooks:${hash}`)};\n`,
      dropTrigger: `DROP TRIGGER IF EXISTS ${ident(name)} ON ${qualified(table)};\n`,
    })
  }
  return out
}

export const dropFunctionSql = (name: string) =>
  `DROP FUNCTION IF EXISTS hdb_catalog.${ident(name)}() CASCADE;\n`
