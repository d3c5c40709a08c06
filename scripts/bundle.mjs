// The CLI's bundle (docs/architecture.md, "Build"): src/cli.ts and the packages its start-up
// needs, bundled by esbuild into dist/bundle/, one chunk per lazily imported command. Node then
// loads a handful of files instead of some four hundred, which is most of a short command's time.
// The library (dist/index.js and its types) stays tsc's file-by-file output.
//   node scripts/bundle.mjs        (run by `npm run build`, after tsc)
import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/**
 * Left to Node at run time, loaded from node_modules: packages that find files beside their own
 * (PGlite's WebAssembly, jiti's lazily loaded Babel, TypeScript), optional native code (pg), and
 * large ones that only some commands load (ts-morph, handlebars).
 */
const EXTERNAL = ['@electric-sql/pglite', 'pg', 'pg-native', 'ts-morph', 'typescript', 'jiti', 'handlebars']

const outdir = join(root, 'dist', 'bundle')
rmSync(outdir, { recursive: true, force: true })
await build({
  entryPoints: [join(root, 'src', 'cli.ts')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL.flatMap((p) => [p, `${p}/*`]),
  // bundled CommonJS packages call require() for Node's own modules
  banner: {
    js: "import { createRequire as __nhCreateRequire } from 'node:module'; const require = __nhCreateRequire(import.meta.url);",
  },
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
  legalComments: 'none',
  // for stack traces under --verbose (bin/nself-hooks.js); Node reads them only then
  sourcemap: 'linked',
  sourcesContent: false,
})
