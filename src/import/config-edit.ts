import {
  IndentationText,
  Node,
  type ObjectLiteralExpression,
  Project,
  QuoteKind,
  type SourceFile,
  SyntaxKind,
  ts,
} from 'ts-morph'
import { UserError } from '../errors.js'

/**
 * Adding entries to webhooks.config.ts through the TypeScript syntax tree (ts-morph): new
 * properties are inserted into the `defineConfig({...})` object and every other byte of the file,
 * comments and formatting included, stays as it was. Strings and keys go through TypeScript's own
 * printer, so quotes, backslashes, newlines, `*\/` and any unicode come back exactly on load.
 */

export const FRESH_CONFIG = `import { defineConfig } from 'nself-hooks'\n\nexport default defineConfig({})\n`

export interface ConfigAdditions {
  /** top-level keys to set when the config has none (hasura, service): fresh configs only */
  top?: [string, unknown][]
  triggers?: [string, unknown][]
  crons?: [string, unknown][]
}

interface Style {
  indent: string
  single: boolean
  printer: ts.Printer
  sf: ts.SourceFile
}

const WIDTH = 100

function detectStyle(sf: SourceFile): Style {
  const text = sf.getFullText()
  const m = /\n([ \t]+)\S/.exec(text)
  const indent = m?.[1]?.startsWith('\t') ? '\t' : m?.[1] ? ' '.repeat(Math.min(m[1].length, 8)) : '  '
  let single = 0
  let double = 0
  for (const s of sf.getDescendantsOfKind(SyntaxKind.StringLiteral)) {
    if (s.getText().startsWith('"')) double++
    else single++
  }
  return {
    indent,
    single: single >= double,
    // neverAsciiEscape (a printer option TypeScript keeps internal): unicode is printed as is, not as \u escapes
    printer: ts.createPrinter({ neverAsciiEscape: true, removeComments: true } as ts.PrinterOptions),
    sf: sf.compilerNode,
  }
}

function stringLiteral(s: string, style: Style): string {
  return style.printer.printNode(
    ts.EmitHint.Expression,
    ts.factory.createStringLiteral(s, style.single),
    style.sf,
  )
}

function keyText(k: string, style: Style): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : stringLiteral(k, style)
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * A JSON-like value as TypeScript source: on one line when it fits, else one entry per line.
 * `indent` is the column of the line the value starts on, `start` the column the value starts at.
 */
function valueText(v: unknown, style: Style, indent = 0, start = indent): string {
  const inline = inlineText(v, style)
  if (start + inline.length + 1 <= WIDTH || !(isPlain(v) || Array.isArray(v))) return inline
  const pad = style.indent
  const inner = indent + pad.length
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]'
    const items = v.map((x) => `${pad}${valueText(x, style, inner)},`)
    return `[\n${items.join('\n')}\n]`
  }
  const entries = Object.entries(v).filter(([, x]) => x !== undefined)
  if (entries.length === 0) return '{}'
  const lines = entries.map(([k, x]) => {
    const key = keyText(k, style)
    return `${pad}${key}: ${valueText(x, style, inner, inner + key.length + 2)},`
  })
  return `{\n${lines.join('\n')}\n}`
}

function inlineText(v: unknown, style: Style): string {
  if (v === null) return 'null'
  if (typeof v === 'string') return stringLiteral(v, style)
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new UserError(`the number ${v} cannot be written to the config`)
    return Object.is(v, -0) ? '0' : String(v)
  }
  if (typeof v === 'boolean') return String(v)
  if (Array.isArray(v)) return v.length === 0 ? '[]' : `[${v.map((x) => inlineText(x, style)).join(', ')}]`
  if (isPlain(v)) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined)
    if (entries.length === 0) return '{}'
    return `{ ${entries.map(([k, x]) => `${keyText(k, style)}: ${inlineText(x, style)}`).join(', ')} }`
  }
  throw new UserError(`a value of type ${typeof v} cannot be written to the config`)
}

function unwrap(node: Node | undefined): Node | undefined {
  let n = node
  for (let i = 0; i < 10 && n; i++) {
    if (Node.isParenthesizedExpression(n) || Node.isAsExpression(n) || Node.isSatisfiesExpression(n)) {
      n = n.getExpression()
    } else if (Node.isCallExpression(n) && /(^|\.)defineConfig$/.test(n.getExpression().getText())) {
      n = n.getArguments()[0]
    } else if (Node.isIdentifier(n)) {
      const decl = n.getDefinitionNodes().find((d) => Node.isVariableDeclaration(d))
      n = decl && Node.isVariableDeclaration(decl) ? decl.getInitializer() : undefined
    } else return n
  }
  return n
}

function configObject(sf: SourceFile, file: string): ObjectLiteralExpression {
  const exported = sf.getExportAssignment((e) => !e.isExportEquals())
  const obj = unwrap(exported?.getExpression())
  if (!obj || !Node.isObjectLiteralExpression(obj)) {
    throw new UserError(
      `${file}: import cannot find the object of \`export default defineConfig({...})\` to add to`,
      {
        hint: 'write the config as `export default defineConfig({ ... })` with an object literal, or add the entries by hand; nothing was written',
      },
    )
  }
  return obj
}

function propertyObject(parent: ObjectLiteralExpression, key: string, file: string): ObjectLiteralExpression {
  const prop = parent
    .getProperties()
    .find(
      (p) =>
        (Node.isPropertyAssignment(p) || Node.isShorthandPropertyAssignment(p)) &&
        propName(p.getNameNode()) === key,
    )
  if (!prop || !(Node.isPropertyAssignment(prop) || Node.isShorthandPropertyAssignment(prop))) {
    throw new UserError(`${file}: import could not find \`${key}\` after adding it`)
  }
  const value = Node.isPropertyAssignment(prop) ? unwrap(prop.getInitializer()) : unwrap(prop.getNameNode())
  if (!value || !Node.isObjectLiteralExpression(value)) {
    throw new UserError(`${file}: \`${key}\` is not an object literal, so import cannot add entries to it`, {
      hint: `write ${key}: { ... } in the config (or add the entries by hand); nothing was written`,
    })
  }
  return value
}

function propName(n: Node): string | undefined {
  if (Node.isIdentifier(n)) return n.getText()
  if (Node.isStringLiteral(n) || Node.isNoSubstitutionTemplateLiteral(n)) return n.getLiteralValue()
  return undefined
}

/** Existing property names of an object literal (quoted or not). */
function names(obj: ObjectLiteralExpression): Set<string> {
  const out = new Set<string>()
  for (const p of obj.getProperties()) {
    if (Node.isPropertyAssignment(p) || Node.isShorthandPropertyAssignment(p)) {
      const n = propName(p.getNameNode())
      if (n !== undefined) out.add(n)
    }
  }
  return out
}

/** Adds the entries; true when the object ends with a trailing comma by the file's habit and now lacks it. */
function addProperties(obj: ObjectLiteralExpression, entries: [string, unknown][], style: Style): boolean {
  if (entries.length === 0) return false
  const last = obj.getProperties().at(-1)
  // keep the file's habit: a trailing comma after the last entry of a multi-line object
  const trailing = last
    ? obj
        .getText()
        .slice(last.getEnd() - obj.getStart())
        .trimStart()
        .startsWith(',')
    : true
  const col = obj.getIndentationLevel() + 1
  const width = style.indent === '\t' ? 4 : style.indent.length
  const added = obj.addPropertyAssignments(
    entries.map(([k, v]) => {
      const key = keyText(k, style)
      return {
        name: key,
        initializer: valueText(v, style, col * width, col * width + key.length + 2),
      }
    }),
  )
  const multiline = obj.getText().includes('\n')
  // one formatting pass over the added range only: the rest of the file keeps its bytes
  const first = added[0]
  const lastAdded = added.at(-1)
  if (first && lastAdded) {
    const sf = obj.getSourceFile()
    const edits = obj
      .getProject()
      .getLanguageService()
      .getFormattingEditsForRange(sf.getFilePath(), [first.getStart(), lastAdded.getEnd()], {
        indentSize: width,
        tabSize: width,
        convertTabsToSpaces: style.indent !== '\t',
        semicolons: ts.SemicolonPreference.Remove,
      })
    if (edits.length > 0) sf.applyTextChanges(edits)
  }
  return trailing && multiline
}

/** Puts the trailing comma after the object's last entry (the insertion forgets every node). */
function addTrailingComma(obj: ObjectLiteralExpression): void {
  const end = obj.getProperties().at(-1)
  if (!end) return
  const after = obj.getText().slice(end.getEnd() - obj.getStart())
  if (!after.trimStart().startsWith(',')) obj.getSourceFile().insertText(end.getEnd(), ',')
}

/** The config text with the additions in place; names already there are left alone. */
export function addToConfig(text: string, file: string, additions: ConfigAdditions): string {
  const project = new Project({
    useInMemoryFileSystem: true,
    skipFileDependencyResolution: true,
    compilerOptions: { allowJs: true },
  })
  const sf = project.createSourceFile('/webhooks.config.ts', text)
  const style = detectStyle(sf)
  project.manipulationSettings.set({
    indentationText:
      style.indent === '\t'
        ? IndentationText.Tab
        : style.indent.length === 4
          ? IndentationText.FourSpaces
          : style.indent.length === 8
            ? IndentationText.EightSpaces
            : IndentationText.TwoSpaces,
    quoteKind: style.single ? QuoteKind.Single : QuoteKind.Double,
  })
  if (project.getProgram().getSyntacticDiagnostics(sf).length > 0) {
    throw new UserError(`${file} has a syntax error; import edits only a config that parses`, {
      hint: 'fix the file (nself-hooks generate shows where), then run import again; nothing was written',
    })
  }
  const root = configObject(sf, file)
  const present = names(root)
  const commas: ('' | 'triggers' | 'crons')[] = []
  if (
    addProperties(
      root,
      (additions.top ?? []).filter(([k]) => !present.has(k)),
      style,
    )
  )
    commas.push('')
  for (const key of ['triggers', 'crons'] as const) {
    const list = additions[key] ?? []
    if (list.length === 0) continue
    const parent = configObject(sf, file)
    if (!names(parent).has(key) && addProperties(parent, [[key, {}]], style)) commas.push('')
    const target = propertyObject(configObject(sf, file), key, file)
    const have = names(target)
    if (
      addProperties(
        target,
        list.filter(([k]) => !have.has(k)),
        style,
      )
    )
      commas.push(key)
  }
  for (const where of new Set(commas)) {
    addTrailingComma(
      where === '' ? configObject(sf, file) : propertyObject(configObject(sf, file), where, file),
    )
  }
  return sf.getFullText()
}
