import { Document, isScalar, Scalar, visit } from 'yaml'

const OPTIONS = { indent: 2, indentSeq: true, lineWidth: 0, singleQuote: true } as const

/**
 * YAML as `hasura metadata export` writes it: 2-space indent, sequences indented under their
 * key, single quotes where quoting is needed ('*', '{{ENV}}/path'), no line folding, and
 * `"!include file"` in double quotes, as the CLI writes its include strings.
 */
export function toHasuraYaml(value: unknown): string {
  const doc = new Document(value, { aliasDuplicateObjects: false })
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === 'string' && node.value.startsWith('!include ')) {
        node.type = Scalar.QUOTE_DOUBLE
      }
    },
  })
  return doc.toString(OPTIONS)
}

/** One sequence item (`- name: ...`) rendered at the given column of its dash. */
export function renderSeqItem(value: unknown, dashColumn: number): string {
  const pad = ' '.repeat(dashColumn)
  return toHasuraYaml([value])
    .split('\n')
    .map((line) => (line === '' ? line : pad + line))
    .join('\n')
}
