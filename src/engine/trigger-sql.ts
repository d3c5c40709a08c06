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

/** row_to_json of the payload columns (all of them for '*'), as Hasura's trigger template builds it. */
function rowJson(v: 'OLD' | 'NEW', payload: Columns | undefined): string {
  if (payload === undefined || payload === '*') return `row_to_json(${v})`
  return `row_to_json((select r from (select ${payload.map((c) => `${v}.${ident(c)}`).join(', ')}) as r))`
}

function listenRow(v: 'OLD' | 'NEW', columns: Columns): string {
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
 * table names are literals, the payload holds the chosen columns.
 */
export function triggerSql(def: EventTriggerDef, table: QualifiedTable): TriggerSql[] {
  const out: TriggerSql[] = []
  for (const op of OPS) {
    const spec = opSpec(def, op)
    if (!spec) continue
    const name = pgTriggerName(def.name, op)
    const fn = `hdb_catalog.${ident(name)}`
    const oldExp = op === 'INSERT' ? 'NULL' : rowJson('OLD', spec.payload)
    const newExp = op === 'DELETE' ? 'NULL' : rowJson('NEW', spec.payload)
    const body = `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  DECLARE
    _old record;
    _new record;
    _data json;
  BEGIN
    IF TG_OP = 'UPDATE' THEN
      _old := ${listenRow('OLD', spec.columns)};
      _new := ${listenRow('NEW', spec.columns)};
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
