import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { execa } from 'execa'
import ts from 'typescript'
import { expect } from 'vitest'
import { scaffold } from '../../src/commands/scaffold.js'
import { renderColumnsCache } from '../../src/scaffold/columns.js'
import { captureContext } from '../helpers/cli.js'
import { testdir } from '../helpers/project.js'

/**
 * Hostile values in every place a config (or database) string reaches generated code, and the
 * readers that prove they stayed data: each generated file parses, has the same syntax tree shape
 * as the same project with plain values, and its string literals hold the config's values exactly.
 */

export const HOSTILE = [
  `q'uote"double\`back`,
  'back\\slash \\n \\x41 \\N{x} \\u12 end\\',
  'close */ and /* open',
  `tri"""ple ''' """`,
  'new\nline',
  'cr\rreturn\r\n',
  'tmpl ${process.exit(7)} `${x}`',
  'ls\u2028ps\u2029nul\u0000del\u007f',
  'ünïcødé 日本語 🎉',
  `long ${'L'.repeat(295)}`,
  '\ud800lone surrogate',
]
/** The same number of values, harmless, not identifiers either (so keys are quoted the same way). */
const PLAIN = HOSTILE.map((_, i) => `b ${i}`)
/** Header names: only characters HTTP allows in a field name (RFC 9110 tchar), the odd ones included. */
export const HOSTILE_HEADER = "X-Token'!#$%&*+.^_`|~"
const PLAIN_HEADER = 'X-Token-plain'

export interface Values {
  names: string[]
  header: string
  service: string
  table: { schema: string; name: string }
  columnType: string
}

export const HOSTILE_VALUES: Values = {
  names: HOSTILE,
  header: HOSTILE_HEADER,
  service: `svc "name" '*/' \${x} \\ \n 🎉`,
  // no `/`, `\` or control characters: table names also become metadata file names (the names
  // above carry backslashes into the same escapers)
  table: { schema: `s'"ü`, name: `t"""\${x}'\` 日本` },
  columnType: 'weird*/type\n"""',
}
/**
 * Without the lone surrogate: not text Postgres or Hasura can hold, and pydantic refuses it when it
 * builds a model, so the running Python service is tested without it (the generated code still parses).
 */
export const HOSTILE_TEXT: Values = {
  ...HOSTILE_VALUES,
  names: HOSTILE.filter((v) => !/[\ud800-\udfff]/.test(v.normalize())),
}

export const PLAIN_VALUES: Values = {
  names: PLAIN,
  header: PLAIN_HEADER,
  service: 'svc plain',
  table: { schema: 'splain', name: 'tplain' },
  columnType: 'weird_type',
}

/** A project whose crons, externals, trigger table, columns, enum labels and service name carry `v`. */
function hostileProject(template: string, v: Values): string {
  const crons = Object.fromEntries(
    v.names.map((name, i) => [
      name,
      {
        schedule: '*/5 * * * *',
        handler: `cron/c${i}`,
        headers: { [`${v.header}${i}`]: { fromEnv: 'WEBHOOK_SECRET' } },
        payload: { [name]: name, nested: { [name]: i, list: [{ [name]: true }] } },
      },
    ]),
  )
  const external = Object.fromEntries(
    v.names.map((name, i) => [
      `ext ${name}`,
      { provider: 'hmac-sha256', secretEnv: 'HMAC_SECRET', handler: `ext/e${i}`, header: `${v.header}${i}` },
    ]),
  )
  const columns = [
    { name: 'id', type: 'int4', nullable: false },
    ...v.names.map((name) => ({ name, type: 'text', nullable: false })),
    { name: 'mood', type: 'mood', nullable: true, enum: v.names },
    { name: 'odd', type: v.columnType, nullable: false },
  ]
  const config = {
    service: { name: v.service, template, dir: 'svc', routePrefix: '/hooks', port: 3100 },
    triggers: {
      hostile_rows: {
        table: v.table,
        on: { insert: true, update: { columns: ['id'], payload: ['id', ...v.names] }, delete: true },
        handler: 'rows',
        headers: { [v.header]: { fromEnv: 'WEBHOOK_SECRET' } },
      },
    },
    crons,
    external,
  }
  return testdir({
    'webhooks.config.ts': `import { defineConfig } from 'nself-hooks'\nexport default defineConfig(${JSON.stringify(config, null, 2)})\n`,
    'webhooks.columns.json': renderColumnsCache({
      source: 'postgres',
      tables: { [`${v.table.schema}.${v.table.name}`]: columns },
    }),
  })
}

/** Scaffolds the project (all handlers, full skeleton) and returns the service folder. */
export async function scaffoldHostile(template: string, v: Values): Promise<string> {
  const root = hostileProject(template, v)
  const c = captureContext(root)
  const code = await scaffold({ all: true, initService: true }, c.ctx)
  expect(code, c.err).toBe(0)
  return join(root, 'svc')
}

export function listFiles(dir: string, ext: RegExp): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      if (e === 'node_modules' || e === 'dist' || e === '__pycache__') continue
      const p = join(d, e)
      if (statSync(p).isDirectory()) walk(p)
      else if (ext.test(e)) out.push(relative(dir, p))
    }
  }
  walk(dir)
  return out.sort()
}

export interface Parsed {
  errors: string[]
  /** node kinds in walk order: the tree's shape without names or literal values */
  shape: string[]
  /** values of every string literal */
  strings: string[]
  identifiers: string[]
}

export function parseTs(file: string): Parsed {
  const text = readFileSync(file, 'utf8')
  const diagnostics =
    ts.transpileModule(text, {
      fileName: file,
      reportDiagnostics: true,
      compilerOptions: { target: ts.ScriptTarget.ES2022, experimentalDecorators: true },
    }).diagnostics ?? []
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const shape: string[] = []
  const strings: string[] = []
  const identifiers: string[] = []
  const visit = (n: ts.Node) => {
    shape.push(ts.SyntaxKind[n.kind]!)
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) strings.push(n.text)
    if (ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) strings.push(n.text)
    if (ts.isIdentifier(n)) identifiers.push(n.text)
    ts.forEachChild(n, visit)
  }
  visit(sf)
  return {
    errors: diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
    shape,
    strings,
    identifiers,
  }
}

const PY_READER = `
import ast, json, sys
out = {}
for path in sys.argv[1:]:
    src = open(path, encoding="utf-8").read()
    try:
        compile(src, path, "exec")
        tree = ast.parse(src)
    except SyntaxError as e:
        out[path] = {"errors": [repr(e)], "shape": [], "strings": [], "identifiers": [], "docstring": None}
        continue
    nodes = list(ast.walk(tree))
    out[path] = {
        "errors": [],
        "shape": [type(n).__name__ for n in nodes],
        "strings": [n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)],
        "identifiers": [n.id for n in nodes if isinstance(n, ast.Name)],
        "docstring": ast.get_docstring(tree, clean=False),
    }
print(json.dumps(out))
`

/** Compiles and reads every file with Python's own parser (python3 from PATH: only the standard library). */
export async function parsePy(
  dir: string,
  files: string[],
): Promise<Record<string, Parsed & { docstring: string | null }>> {
  const r = await execa('python3', ['-c', PY_READER, ...files], { cwd: dir })
  return JSON.parse(r.stdout)
}
