import { pascal, pyField } from './names.js'
import type { Field, FieldType } from './types.js'

/**
 * FieldType → pydantic annotation text (pydantic 1.10 and 2). Nested objects (cron payloads) become
 * their own models, appended to `extra` before the model that uses them.
 */
export function pyType(t: FieldType, hint: string, extra: string[]): string {
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
    case 'literals':
      return t.values.length ? `Literal[${t.values.map((v) => JSON.stringify(v)).join(', ')}]` : 'str'
    case 'array':
      return `List[${pyType(t.of, `${hint}Item`, extra)}]`
    case 'nullable':
      return `Optional[${pyType(t.of, hint, extra)}]`
    case 'object':
      extra.push(pyModel(hint, t.fields, undefined, extra))
      return hint
  }
}

/** `class Name(BaseModel)` with one annotated attribute per field; aliases where the JSON key is not a Python name. */
export function pyModel(
  name: string,
  fields: Field[],
  doc: string | undefined,
  extra: string[] = [],
): string {
  const lines = [`class ${name}(BaseModel):`]
  if (doc) lines.push(`    """${doc}"""`, '')
  if (fields.length === 0) lines.push('    pass')
  for (const f of fields) {
    const { attr, alias } = pyField(f.name)
    const nested: string[] = []
    const ann = pyType(f.type, `${name}${pascal(f.name)}`, nested)
    extra.push(...nested)
    const optional = f.type.kind === 'nullable' || f.type.kind === 'null'
    const dflt = alias
      ? ` = Field(${optional ? 'None' : '...'}, alias=${JSON.stringify(alias)})`
      : optional
        ? ' = None'
        : ''
    lines.push(`    ${attr}: ${ann}${dflt}${f.comment ? `  # ${f.comment}` : ''}`)
  }
  return lines.join('\n')
}

/** Several models, nested ones first so every name is defined before use. */
export function pyModels(name: string, fields: Field[], doc: string | undefined): string {
  const extra: string[] = []
  const main = pyModel(name, fields, doc, extra)
  return [...extra, main].join('\n\n\n')
}
