import { existsSync, readFileSync } from 'node:fs'
import { createRequire, isBuiltin } from 'node:module'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { Script } from 'node:vm'
import type { Jiti, TransformOptions, TransformResult } from 'jiti'
import type { Options as SucraseOptions, transform as sucraseTransform } from 'sucrase'
import type { Context, GlobalOptions } from '../context.js'
import { UserError } from '../errors.js'
import { packageRoot } from '../package-root.js'
import * as library from './define.js'
import { plainModule } from './plain-module.js'
import { cachedTransform, isCached } from './transform-cache.js'

const require = createRequire(import.meta.url)
/**
 * jiti through require: its CommonJS build loads in a third of the time its ES module wrapper
 * takes (which has Node scan the bundle for its exports on every run).
 */
const createJiti = (...args: Parameters<typeof import('jiti').createJiti>) =>
  (require('jiti') as typeof import('jiti')).createJiti(...args)
let sucraseFn: typeof sucraseTransform | undefined
/**
 * sucrase, loaded only when a file is not in the transform cache. `importConfig` loads it ahead,
 * as a chunk of the CLI's bundle, when the config file itself is not cached (the first run after
 * each edit); a file the config imports loads it here, from node_modules, the first time.
 */
function sucrase(source: string, options: SucraseOptions) {
  sucraseFn ??= (require('sucrase') as typeof import('sucrase')).transform
  return sucraseFn(source, options)
}

/** sucrase is CommonJS: Node's import names its exports, a bundler's puts them on `default` */
async function importSucrase(): Promise<typeof sucraseTransform> {
  const mod = (await import('sucrase')) as typeof import('sucrase') & { default?: typeof import('sucrase') }
  return mod.transform ?? mod.default!.transform
}

function sucraseOptions(filename: string | undefined, ts: boolean): SucraseOptions {
  return {
    transforms: ts ? ['typescript', 'imports'] : ['imports'],
    ...(filename ? { filePath: filename } : {}),
    keepUnusedImports: !ts,
    production: true,
  }
}

const isTs = (file: string) => /\.[cm]?tsx?$/.test(file)
const cacheOptions = (options: SucraseOptions) => `sucrase ${sucraseVersion()} ${JSON.stringify(options)}`

export const CONFIG_NAMES = [
  'webhooks.config.ts',
  'webhooks.config.mts',
  'webhooks.config.js',
  'webhooks.config.mjs',
]

/** webhooks.config.ts from `start` upward; undefined when there is none. */
export function findConfigFile(start: string): string | undefined {
  let dir = resolve(start)
  for (;;) {
    for (const name of CONFIG_NAMES) {
      const file = join(dir, name)
      if (existsSync(file)) return file
    }
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/** The package's own entry, so `import { defineConfig } from 'nself-hooks'` works in any project. */
function selfEntry(): string {
  const root = packageRoot()
  // from src/ (tests) the source entry, so a config never loads a stale build
  const candidates = import.meta.url.endsWith('.ts')
    ? [join(root, 'src', 'index.ts'), join(root, 'dist', 'index.js')]
    : [join(root, 'dist', 'index.js'), join(root, 'src', 'index.ts')]
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!
}

/**
 * TypeScript and ES module syntax to what jiti evaluates, with sucrase: it keeps every line where it
 * was (so a runtime error's line is the user's line) and is several times faster than jiti's own
 * Babel transform, which stays for what sucrase cannot turn into CommonJS (top-level await).
 */
function fastTransform(babel: () => Jiti): (opts: TransformOptions) => TransformResult {
  return (opts) => {
    if (opts.async && /\bawait\b/.test(opts.source)) return { code: babel().transform(opts) }
    const options = sucraseOptions(opts.filename, opts.ts || isTs(opts.filename ?? ''))
    try {
      const code = cachedTransform(
        opts.filename ?? '',
        opts.source,
        cacheOptions(options),
        () => plainModule(opts.source) ?? sucrase(opts.source, options).code,
      )
      return { code }
    } catch (err) {
      const e = err as Error & { loc?: { line: number; column: number } }
      if (!e.loc) throw err
      // the same two lines jiti's Babel error has: what, then file:line:column
      const what = e.message.replace(/^Error transforming [^:]*: /, '').replace(/ \(\d+:\d+\)$/, '')
      throw new Error(`ParseError: ${what}\n${opts.filename}:${e.loc.line}:${e.loc.column}`)
    }
  }
}

function sucraseVersion(): string {
  return (JSON.parse(readFileSync(require.resolve('sucrase/package.json'), 'utf8')) as { version: string })
    .version
}

/**
 * sucrase passes some invalid syntax through (`{ a: 1,, }`) and V8's error for it, raised when jiti
 * runs the module, names no place. Compiling the transformed file (without running it) does, on
 * the user's line since sucrase keeps lines. Only on that error path: it costs a second compile.
 */
function locateSyntaxError(file: string): { message: string; place: string } | undefined {
  let code: string
  try {
    code = sucrase(readFileSync(file, 'utf8'), sucraseOptions(file, isTs(file))).code
    commonJsScript(code, file)
  } catch (err) {
    const e = err as Error
    if (e?.name !== 'SyntaxError') return undefined
    // V8 puts `file:line`, the line and a caret under the column before the message
    const [head = '', , caret = ''] = (e.stack ?? '').split('\n')
    const line = /:(\d+)$/.exec(head)?.[1]
    if (line === undefined) return undefined
    return { message: e.message, place: `${file}:${line}:${Math.max(caret.indexOf('^'), 0)}` }
  }
  return undefined
}

export async function importConfig(file: string): Promise<unknown> {
  let source: string | undefined
  try {
    source = readFileSync(file, 'utf8')
  } catch {}
  if (source !== undefined && sucraseFn === undefined) {
    // a config of plain JavaScript needs no sucrase (plain-module.ts)
    if (!isCached(file, source, cacheOptions(sucraseOptions(file, isTs(file)))) && !plainModule(source))
      sucraseFn = await importSucrase()
  }
  // interopDefault off: the module's own exports, so a missing `export default` is seen as missing
  // (jiti's interop would hand back the namespace itself, read as an empty config)
  const options = {
    alias: { 'nself-hooks': selfEntry() },
    moduleCache: false,
    fsCache: false,
    interopDefault: false,
  }
  let babel: Jiti | undefined
  const transform = fastTransform(() => {
    babel ??= createJiti(import.meta.url, options)
    return babel
  })
  let mod: unknown
  try {
    const alone = source !== undefined ? runAlone(file, source, transform) : undefined
    mod = alone ? alone.exports : await createJiti(import.meta.url, { ...options, transform }).import(file)
  } catch (err) {
    const e = err as Error
    const [what, where] = String(e?.message ?? err)
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
    // jiti puts the file:line:column of a syntax error on the message's second line
    let place = where && /:\d+:\d+$/.test(where) ? where : placeInFile(err, file)
    let said = what
    if (!place && e?.name === 'SyntaxError') {
      // sucrase passed it through and the engine's own message has no place: find it in the file
      const found = locateSyntaxError(file)
      if (found) [said, place] = [`SyntaxError: ${found.message}`, found.place]
    }
    const at = place ? ` (at ${place.replace(/^\(/, '').replace(/^file:\/\//, '')})` : ''
    throw new UserError(`could not load ${file}: ${said ?? 'unknown error'}${at}`, {
      hint: 'fix that error; the file must `export default defineConfig({...})`',
      cause: err,
    })
  }
  return plainConfig(defaultExport(mod, file), file)
}

/** The library as a config sees it through jiti: a transformed ES module (non-enumerable `__esModule`). */
const LIBRARY = Object.defineProperty({ ...library }, '__esModule', { value: true })

/**
 * A config that requires nothing but `nself-hooks` and Node's own modules (most configs), run as
 * Node runs a CommonJS module: its transformed code in a function, with a `require` that hands
 * out the library itself. Loading jiti costs more than the rest of such a load; a config with
 * anything else (its own files, packages, top-level await, import.meta) goes through jiti, and
 * this returns undefined. Errors are the ones jiti's run gives: the code is compiled under the
 * file's name with the same one-line wrapper, so a stack names the user's line.
 */
function runAlone(
  file: string,
  source: string,
  transform: (opts: TransformOptions) => TransformResult,
): { exports: unknown } | undefined {
  if (/\bawait\b|\bimport\s*\(|\bimport\.meta\b/.test(source)) return undefined
  const { code } = transform({ source, filename: file, ts: isTs(file), async: true })
  const required = [...code.matchAll(/\brequire\(\s*(['"])([^'"]*)\1\s*\)/g)].map((m) => m[2]!)
  // a require that is not a call with a plain string (require.resolve, a variable): jiti's
  if ([...code.matchAll(/\brequire\b/g)].length !== required.length) return undefined
  if (!required.every((id) => id === 'nself-hooks' || isBuiltin(id))) return undefined
  const own = (id: string) => (id === 'nself-hooks' ? LIBRARY : require(id))
  const module = { exports: {} as unknown }
  const run = commonJsScript(code, file).runInThisContext() as (...args: unknown[]) => void
  run.call(module.exports, module.exports, own, module, file, dirname(file))
  return module
}

/**
 * CommonJS code compiled as Node and jiti wrap a module: on one line, so the code keeps its line
 * numbers, under the file's name, so errors name the file.
 */
function commonJsScript(code: string, file: string): Script {
  return new Script(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, {
    filename: file,
  })
}

/** A runtime error's place in the config file itself, from its stack (file:line:column). */
function placeInFile(err: unknown, file: string): string | undefined {
  const stack = String((err as Error | undefined)?.stack ?? '')
  const frame = stack.split('\n').find((l) => l.includes(file) && /:\d+:\d+\)?\s*$/.test(l))
  const place = /(\S+:\d+:\d+)\)?\s*$/
    .exec(frame ?? '')?.[1]
    ?.replace(/^\(/, '')
    .replace(/^file:\/\//, '')
  // the loader wraps the transpiled module into the first line: columns there are not the file's
  return place?.replace(/:1:\d+$/, ':1')
}

const EXPORT_HINT = 'end the file with `export default defineConfig({ ... })`'

/**
 * The default export. An ES module (or TypeScript) must have one; a CommonJS file's
 * `module.exports` is its default, as Node's own import of CommonJS treats it.
 */
function defaultExport(mod: unknown, file: string): unknown {
  if (mod === null || (typeof mod !== 'object' && typeof mod !== 'function')) return mod
  const m = mod as Record<string | symbol, unknown>
  let named: string[]
  try {
    if ('default' in m) return m.default
    named = Object.keys(m).filter((k) => k !== '__esModule')
    const esm = m.__esModule === true || m[Symbol.toStringTag] === 'Module'
    // CommonJS that assigned module.exports (or exports.x): that object is the config
    if (!esm && named.length > 0) return m
  } catch (err) {
    throw readFailure(err, file, 'the default export')
  }
  const config = named.find((n) => /config/i.test(n)) ?? named[0]
  throw new UserError(
    named.length > 0
      ? `${file} has no default export (only named: ${named.slice(0, 5).join(', ')}${named.length > 5 ? ', ...' : ''}); nothing was read from it`
      : `${file} has no default export (a config object that is never exported is not read); nothing was read from it`,
    {
      hint:
        config !== undefined
          ? `export it as the default: \`export default ${config}\` (or \`export default defineConfig({ ... })\`)`
          : EXPORT_HINT,
    },
  )
}

/** What a value is, for a message: `null`, `a number (42)`, `an array`, `a Map`. */
function kindOf(v: unknown): string {
  if (v === null) return 'null'
  if (v === undefined) return 'undefined'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'function') return 'a function'
  if (typeof v !== 'object') {
    const shown = JSON.stringify(v) ?? String(v)
    return `a ${typeof v} (${shown.length > 40 ? `${shown.slice(0, 40)}...` : shown})`
  }
  const name = (Object.getPrototypeOf(v) as { constructor?: { name?: unknown } } | null)?.constructor?.name
  return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object with a custom prototype'
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/** Deeper than this is no config: said as the user's problem, not a stack overflow. */
const MAX_DEPTH = 200

/**
 * The default export as plain data, read once: every getter runs here, so one that throws is
 * reported with its path as the user's error, and the rest of the run sees fixed values.
 */
function plainConfig(value: unknown, file: string): unknown {
  let root: boolean
  try {
    root = isPlainObject(value)
  } catch (err) {
    throw readFailure(err, file, 'the default export')
  }
  if (!root) {
    const kind = kindOf(value)
    const thenable = typeof (value as { then?: unknown } | null)?.then === 'function'
    throw new UserError(
      `the default export of ${file} is ${thenable ? 'a Promise' : kind}, not a config object`,
      {
        hint: thenable
          ? 'await it first: `export default defineConfig(await ...)`'
          : typeof value === 'function'
            ? 'export the object itself: `export default defineConfig({ ... })` (call the function in the file if it builds the config)'
            : 'export the config object: `export default defineConfig({ hasura: {...}, triggers: {...} })`',
      },
    )
  }
  const seen = new Set<object>()
  const copy = (v: unknown, path: string, depth: number): unknown => {
    if (v === null || typeof v !== 'object') return v
    let array: boolean
    try {
      array = Array.isArray(v)
      if (!array && !isPlainObject(v)) return v
    } catch (err) {
      throw readFailure(err, file, path === '' ? 'the default export' : path)
    }
    if (seen.has(v)) {
      throw new UserError(`${file}: ${path} refers to itself (a circular reference)`, {
        hint: 'the config must be plain data: replace the reference with a copy of the value it needs',
      })
    }
    if (depth > MAX_DEPTH) {
      throw new UserError(`${file}: ${path} is nested more than ${MAX_DEPTH} levels deep`, {
        hint: 'the config must be plain data of a sensible depth; flatten that value',
      })
    }
    seen.add(v)
    let out: unknown
    if (array) {
      const length = Number(read(v, 'length', path))
      out = Array.from({ length }, (_, i) =>
        copy(read(v, String(i), `${path}[${i}]`), `${path}[${i}]`, depth + 1),
      )
    } else {
      const o: Record<string, unknown> = {}
      for (const key of keysOf(v, path)) {
        const at = path === '' ? key : `${path}.${key}`
        // defineProperty: a key named __proto__ stays data (and is reported by validation as unknown)
        Object.defineProperty(o, key, {
          value: copy(read(v, key, at), at, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        })
      }
      out = o
    }
    seen.delete(v)
    return out
  }
  const read = (o: object, key: string, path: string): unknown => {
    try {
      return (o as Record<string, unknown>)[key]
    } catch (err) {
      throw readFailure(err, file, path)
    }
  }
  const keysOf = (o: object, path: string): string[] => {
    try {
      return Object.keys(o)
    } catch (err) {
      throw readFailure(err, file, path === '' ? 'the default export' : path)
    }
  }
  return copy(value, '', 0)
}

/** A getter or proxy in the config threw while it was read: the user's code, not a bug here. */
function readFailure(err: unknown, file: string, path: string): UserError {
  if (err instanceof UserError) return err
  const message = String((err as Error | undefined)?.message ?? err).split('\n')[0]
  const place = placeInFile(err, file)
  return new UserError(`reading ${path} of ${file} threw: ${message}${place ? ` (at ${place})` : ''}`, {
    hint: 'the config must be plain data: fix that getter (or proxy), or replace it with the value it returns',
    cause: err,
  })
}

export function configPath(ctx: Context, opts: GlobalOptions): string {
  if (opts.config !== undefined) {
    const file = isAbsolute(opts.config) ? opts.config : resolve(ctx.cwd, opts.config)
    if (!existsSync(file)) {
      throw new UserError(`config file ${opts.config} does not exist`, {
        hint: 'check the --config path, or run nself-hooks init to create one',
      })
    }
    return file
  }
  const found = findConfigFile(ctx.cwd)
  if (found === undefined) {
    throw new UserError(`no webhooks.config.ts found from ${ctx.cwd} upward`, {
      hint: 'run nself-hooks init to create one, or pass --config <file>',
    })
  }
  return found
}
