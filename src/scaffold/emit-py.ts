/** The pydantic text of the generated payloads and the Python lines of the routes, from the view model (shape.ts). */

import { pyComment, pyDoc, pyString } from './escape.js'
import { pascal, pyField, pyModuleName } from './names.js'
import type { CronRoute, ExternalRoute, Route, TriggerRoute } from './shape.js'
import type { Field, FieldType } from './types.js'

/** Class names already taken in one payloads module part, so nested models never redefine each other. */
type Taken = Set<string>

function unique(name: string, taken: Taken): string {
  let out = name
  for (let i = 2; taken.has(out); i++) out = `${name}${i}`
  taken.add(out)
  return out
}

/**
 * FieldType → pydantic annotation text (pydantic 1.10 and 2). Nested objects (cron payloads) become
 * their own models, appended to `extra` before the model that uses them.
 */
function pyType(t: FieldType, hint: string, extra: string[], taken: Taken = new Set()): string {
  switch (t.kind) {
    case 'string':
      return 'str'
    case 'number':
      return t.integer ? 'int' : 'float'
    case 'boolean':
      return 'bool'
    case 'null':
      return 'None'
    case 'json':
    case 'unknown':
      return 'Any'
    case 'geojson':
      return 'GeoJsonGeometry'
    case 'literals':
      return t.values.length ? `Literal[${t.values.map((v) => pyString(v)).join(', ')}]` : 'str'
    case 'array':
      return `List[${pyType(t.of, `${hint}Item`, extra, taken)}]`
    case 'nullable':
      return `Optional[${pyType(t.of, hint, extra, taken)}]`
    case 'object': {
      const name = unique(hint, taken)
      extra.push(pyModel(name, t.fields, undefined, extra, taken))
      return name
    }
  }
}

/** `class Name(BaseModel)` with one annotated attribute per field; aliases where the JSON key is not a Python name. */
function pyModel(
  name: string,
  fields: Field[],
  doc: string | undefined,
  extra: string[] = [],
  taken: Taken = new Set([name]),
): string {
  const lines = [`class ${name}(BaseModel):`]
  if (doc) lines.push(`    """${pyDoc(doc)}"""`, '')
  if (fields.length === 0) lines.push('    pass')
  // two keys may sanitise to the same attribute (`a-b`, `a_b`): later ones get a number
  const attrs = new Set<string>()
  for (const f of fields) {
    const field = pyField(f.name)
    let attr = field.attr
    for (let i = 2; attrs.has(attr); i++) attr = `${field.attr}${i}`
    attrs.add(attr)
    const alias = attr === f.name ? undefined : f.name
    const nested: string[] = []
    const ann = pyType(f.type, `${name}${pascal(f.name)}`, nested, taken)
    extra.push(...nested)
    const optional = f.type.kind === 'nullable' || f.type.kind === 'null'
    const dflt =
      alias !== undefined
        ? ` = Field(${optional ? 'None' : '...'}, alias=${pyString(alias)})`
        : optional
          ? ' = None'
          : ''
    lines.push(`    ${attr}: ${ann}${dflt}${f.comment ? `  # ${pyComment(f.comment)}` : ''}`)
  }
  return lines.join('\n')
}

/** Several models, nested ones first so every name is defined before use. */
function pyModels(name: string, fields: Field[], doc: string | undefined): string {
  const extra: string[] = []
  const main = pyModel(name, fields, doc, extra, new Set([name]))
  return [...extra, main].join('\n\n\n')
}

/** A trigger's row models, one event model per op, and the payload model. */
function pyTriggerTypes(r: TriggerRoute): string {
  const T = r.typeName
  const rows = r.rows.map((row) =>
    row.fields
      ? pyModels(row.name, row.fields, row.doc)
      : `${row.name} = Dict[str, Any]  # ${pyComment(row.doc)}; column types unknown`,
  )
  const events = r.ops.map((o) =>
    [
      `class ${o.eventType}Data(BaseModel):`,
      `    old: ${o.oldRow ?? 'None = None'}`,
      `    new: ${o.newRow ?? 'None = None'}`,
      '',
      '',
      `class ${o.eventType}(BaseModel):`,
      `    """${o.op} on ${pyDoc(r.table)}"""`,
      '',
      `    op: Literal["${o.op}"]`,
      `    data: ${o.eventType}Data`,
      '    session_variables: Optional[Dict[str, str]] = None',
      '    trace_context: Optional[Any] = None',
    ].join('\n'),
  )
  const union =
    r.ops.length === 1 ? r.ops[0]!.eventType : `Union[${r.ops.map((o) => o.eventType).join(', ')}]`
  return [
    ...rows,
    ...events,
    [
      `class ${T}Trigger(BaseModel):`,
      `    name: Literal[${pyString(r.name)}]`,
      '',
      '',
      `class ${T}Payload(HasuraEvent):`,
      `    """The body Hasura posts for trigger ${pyDoc(r.name)}"""`,
      '',
      `    trigger: ${T}Trigger`,
      `    event: ${union}${r.ops.length === 1 ? '' : ' = Field(..., discriminator="op")'}`,
    ].join('\n'),
  ].join('\n\n\n')
}

/** A cron's payload body model(s) and the payload model. */
function pyCronTypes(r: CronRoute): string {
  const T = r.typeName
  const parts: string[] = []
  let payload: string
  if (r.payload.kind === 'object') {
    parts.push(pyModels(`${T}Body`, r.payload.fields, `payload of cron ${r.name}, as configured`))
    payload = `${T}Body`
  } else {
    const extra: string[] = []
    payload = pyType(r.payload, `${T}Body`, extra)
    parts.push(...extra)
  }
  const optional = payload === 'Any' || payload.startsWith('Optional') || payload === 'None'
  const field = `    payload: ${payload}${optional ? ' = None' : ''}`
  parts.push(
    [
      `class ${T}ScheduledPayload(BaseModel):`,
      `    """The body Hasura posts when cron ${pyDoc(r.name)} fires (${pyDoc(r.schedule)})"""`,
      '',
      '    id: str',
      `    name: Literal[${pyString(r.name)}]`,
      '    scheduled_time: str',
      field,
      '    comment: Optional[str] = None',
    ].join('\n'),
    [
      `class ${T}OneOffPayload(BaseModel):`,
      `    """The body of a one-off scheduled event for cron ${pyDoc(r.name)} (a replay): created_at, no name"""`,
      '',
      '    id: str',
      '    created_at: str',
      '    scheduled_time: str',
      field,
      '    comment: Optional[str] = None',
    ].join('\n'),
    `${T}Payload = Union[${T}ScheduledPayload, ${T}OneOffPayload]`,
  )
  return parts.join('\n\n\n')
}

/** routes.py's import of a route's handler module, under an alias of its own. */
function pyHandlerImport(r: Route): string {
  const mods = r.segments.map(pyModuleName)
  const last = mods.pop()!
  return `from ..handlers${mods.length ? `.${mods.join('.')}` : ''} import ${last} as ${r.pyName}_${r.kind}`
}

/** An expression naming the kind of event in an external handler stub. */
const EXTERNAL_KIND: Record<ExternalRoute['provider'], string> = {
  stripe: 'event.get("type")',
  github: 'ctx.headers.get("x-github-event")',
  'standard-webhooks': 'event.get("type")',
  'hmac-sha256': 'type(event).__name__',
}

/** The Python a route's templates print: its import line, its payload models or its event kind expression. */
export function pyRouteCode(r: Route): Record<string, string> {
  const pyImport = pyHandlerImport(r)
  if (r.kind === 'trigger') return { pyImport, pyTypes: pyTriggerTypes(r) }
  if (r.kind === 'cron') return { pyImport, pyTypes: pyCronTypes(r) }
  return { pyImport, pyExternalKind: EXTERNAL_KIND[r.provider] }
}

/** What payloads.py imports from the runtime: the event envelope, and the GeoJSON model when a row uses it. */
export function pyPayloadImports(routeTypes: string[]): string {
  return /\bGeoJsonGeometry\b/.test(routeTypes.join('\n')) ? 'GeoJsonGeometry, HasuraEvent' : 'HasuraEvent'
}
