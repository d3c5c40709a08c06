// The dependency rules of docs/architecture.md ("Dependency rules"), checked by `npm run check`.
//
// Layers, lowest first. A module imports only from its own folder and from layers earlier in
// this list; folders that share a layer do not import each other. The shared helpers (output,
// errors, context, file writing, the package's own folder) sit below all of them and import none of them.
// src/engine stands apart: it imports nothing outside itself.
//
// Today's violations are recorded in .dependency-cruiser-known-violations.json and ignored
// (`--ignore-known`); any new one fails the check. Regenerate the baseline only when a
// violation is removed: npm run check:deps:baseline

/** Each entry is one layer: the path patterns of its folders or files (under src/). */
const LAYERS = [
  ['config'],
  ['model'],
  ['metadata', 'scaffold', 'hasura'],
  ['project'],
  ['sync', 'events', 'import'],
  // the console calls the same library functions as the commands (the events stage above all)
  ['console'],
  ['dev'],
  // shell completion: reads the config's names (src/config) for the scripts of `completion`
  ['completion'],
  ['commands'],
  ['cli', 'index'],
]

/** `name` as a folder (src/name/...) or a file (src/name.ts). */
const unit = (name) => `src/${name}(?:/|\\.ts$)`
const anyOf = (names) => `^(?:${names.map(unit).join('|')})`

const SHARED = '^src/(?:output/|errors\\.ts$|context\\.ts$|write-files\\.ts$|package-root\\.ts$)'

const layerRules = LAYERS.flatMap((layer, i) => {
  const higher = LAYERS.slice(i + 1).flat()
  const rules = []
  if (higher.length > 0) {
    rules.push({
      name: `layer-${layer.join('-')}-up`,
      comment: `${layer.join(' / ')} may not import a later layer (${higher.join(', ')})`,
      severity: 'error',
      from: { path: anyOf(layer) },
      to: { path: anyOf(higher) },
    })
  }
  for (const name of layer) {
    const siblings = layer.filter((other) => other !== name)
    if (siblings.length === 0) continue
    rules.push({
      name: `layer-${name}-sibling`,
      comment: `${name} may not import ${siblings.join(' / ')}: they share a layer`,
      severity: 'error',
      from: { path: anyOf([name]) },
      to: { path: anyOf(siblings) },
    })
  }
  return rules
})

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'shared-helpers-stay-at-the-bottom',
      comment: 'output, errors, context, the file writer and package-root import none of the pipeline layers',
      severity: 'error',
      from: { path: SHARED },
      to: { path: anyOf([...LAYERS.flat(), 'engine']) },
    },
    {
      name: 'engine-is-self-contained',
      comment: 'src/engine imports nothing outside src/engine (npm packages and node: built-ins are fine)',
      severity: 'error',
      from: { path: '^src/engine/' },
      to: { path: '^src/', pathNot: '^src/engine/' },
    },
    {
      name: 'engine-only-from-commands',
      comment: 'the engine is started by commands (dev) and tests, not by library layers',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/engine/', '^src/commands/', '^src/cli\\.ts$'] },
      to: { path: '^src/engine/' },
    },
    {
      name: 'no-command-imports-a-command',
      comment: 'commands are thin; shared logic lives in a library stage both can call',
      severity: 'error',
      from: { path: '^src/commands/' },
      to: { path: '^src/commands/' },
    },
    {
      name: 'no-circular',
      comment: 'no import cycles',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that resolves to nothing',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
  },
}
