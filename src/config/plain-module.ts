import { Script } from 'node:vm'

/**
 * What sucrase (TypeScript and ES module syntax to CommonJS, `transforms: ['typescript',
 * 'imports']`) writes for a config that is plain JavaScript apart from its ES module lines, as
 * `init` writes one: `import { defineConfig } from 'nself-hooks'` (or no import) and one
 * `export default`. Such a file becomes sucrase's exact text without loading or running sucrase,
 * which costs more than the rest of loading a large config: a header on the first line, the import
 * as a `require`, `exports. default =`, and the one call of `defineConfig` through the import.
 *
 * Anything else is left to sucrase (undefined): a file V8 does not compile as that JavaScript
 * (TypeScript syntax, a typo), and whatever sucrase writes differently or TypeScript reads
 * otherwise than JavaScript does: `<` (type arguments), template literals, block comments, strings
 * continued over lines, `?.` and `??`, numeric separators, `catch`, functions and classes, `this`,
 * `super`, `new.target`, `arguments`, `await`, a `) :` (a return type in a conditional), more
 * imports or exports, anything after the export, or those words in a comment or string.
 */
export function plainModule(source: string): string | undefined {
  // asked twice for a config: whether to load sucrase ahead, then for its text
  if (last?.source !== source) last = { source, code: directText(source) }
  return last.code
}

let last: { source: string; code: string | undefined } | undefined

function directText(source: string): string | undefined {
  if (REFUSED.test(source) || source.startsWith('#!')) return undefined
  const imports = count(source, /\bimport\b/g)
  const calls = count(source, /\bdefineConfig\b/g)
  if (count(source, /\bexport\b/g) !== 1 || imports > 1) return undefined
  // with no block comment, template or continued string, a line starting so is a statement
  let code = source
  let exported: string
  if (imports === 1) {
    const line = IMPORT_LINE.exec(code)
    if (!line || calls !== 2) return undefined
    // sucrase takes a `;` after the import (on a later line too) as the import's own
    if (/^(?:\s|\/\/[^\n]*)*;/.test(code.slice(line.index + line[0].length))) return undefined
    code = `${code.slice(0, line.index)}var _nselfhooks = require('nself-hooks');${code.slice(line.index + line[0].length)}`
    exported = '_nselfhooks.defineConfig.call(void 0, '
  } else if (calls === 0) exported = ''
  else return undefined
  const exp = (imports === 1 ? /^export default defineConfig\(/m : /^export default (?=[A-Za-z_$({[])/m).exec(
    code,
  )
  if (!exp) return undefined
  const before = `${HEADER}${code.slice(0, exp.index)}`
  const after = `${exported}${code.slice(exp.index + exp[0].length)}`
  // Compiled, not run: V8 refuses TypeScript-only syntax (and strict-mode errors) here. What comes
  // before the export is a complete program of its own, so the export starts a statement at the
  // top level; past its one `;` only comments follow it; and it is one expression, as `export
  // default` takes it (`a, b` would pass as `exports.default = a, b`): a conditional's middle
  // operand has that grammar.
  const expression = after.replace(/;?(?:\s|\/\/[^\n]*)*$/, '')
  try {
    new Script(before)
    new Script(
      `(function (exports, require, module, __filename, __dirname) {${before};0 ? ${expression}\n : 0\n})`,
    )
  } catch {
    return undefined
  }
  return `${before}exports. default = ${after}`
}

const HEADER = '"use strict";Object.defineProperty(exports, "__esModule", {value: true});'
/** the import, alone on its line (a comment may follow) */
const IMPORT_LINE =
  /^import[ \t]*\{[ \t]*defineConfig[ \t]*\}[ \t]*from[ \t]*(['"])nself-hooks\1[ \t]*;?(?=[ \t]*(?:\/\/.*)?$)/m
const REFUSED =
  /[<`]|\/\*|\\\r?\n|\?\.|\?\?|\bnew\s*\.|\)\s*:|\b\d[\d_]*_|\b(?:this|arguments|class|await|yield|catch|async|function|super|_nselfhooks)\b/

function count(s: string, re: RegExp): number {
  return s.match(re)?.length ?? 0
}
