#!/usr/bin/env node
// `--verbose` prints stack traces: with the bundle's source maps on they name src/ files and
// lines instead of chunks of dist/bundle/ (docs/architecture.md, "Build"). Node reads the maps
// only when they are on, so a run without --verbose does not pay for them.
if (process.argv.includes('--verbose')) process.setSourceMapsEnabled(true)
const { main } = await import('../dist/bundle/cli.js')

main(process.argv).then((code) => {
  process.exitCode = code
})
