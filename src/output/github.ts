/** GitHub Actions annotations (`::error file=...::message`), for `--format github`. */

/** GitHub workflow command escaping (actions/toolkit `command.ts`). */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

export function githubAnnotation(
  props: { file: string; line?: number; title: string },
  message: string,
): string {
  const parts = [`file=${escapeProperty(props.file)}`]
  if (props.line !== undefined) parts.push(`line=${props.line}`)
  parts.push(`title=${escapeProperty(props.title)}`)
  return `::error ${parts.join(',')}::${escapeData(message)}`
}
