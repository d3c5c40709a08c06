/**
 * `npm test`: runs every compiled `*.test.js` below the folder given (dist) with Node's test runner.
 * The files are listed here because `node --test <folder>` and glob patterns mean different things on
 * Node 20 and Node 22+, and a bare `node --test` on newer Node would also pick up the .ts sources.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

const dir = process.argv[2] ?? 'dist'
const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.js') && !f.split(/[\\/]/).includes('node_modules'))
  .sort()
  .map((f) => join(dir, f))
if (files.length === 0) {
  console.error(`no *.test.js files below ${dir}: run the build first`)
  process.exit(1)
}
const r = spawnSync(process.execPath, ['--test', ...files], { stdio: 'inherit' })
process.exit(r.status ?? 1)
