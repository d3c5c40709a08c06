import { stringify } from 'yaml'

/**
 * YAML as `hasura metadata export` writes it: 2-space indent, sequences indented under their
 * key, single quotes where quoting is needed ('*', '{{ENV}}/path'), no line folding.
 */
export function toHasuraYaml(value: unknown): string {
  return stringify(value, {
    indent: 2,
    indentSeq: true,
    lineWidth: 0,
    singleQuote: true,
    aliasDuplicateObjects: false,
  })
}

/** One sequence item (`- name: ...`) rendered at the given column of its dash. */
export function renderSeqItem(value: unknown, dashColumn: number): string {
  const pad = ' '.repeat(dashColumn)
  return toHasuraYaml([value])
    .split('\n')
    .map((line) => (line === '' ? line : pad + line))
    .join('\n')
}
