import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve, sep } from 'node:path'
import { expect, test } from 'vitest'

const ENGINE = resolve(import.meta.dirname, '../../src/engine')

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

test('src/engine imports nothing from the rest of nself-hooks, and no file there is over 400 lines', () => {
  const outside: string[] = []
  const long: string[] = []
  for (const file of sources(ENGINE)) {
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/from\s+'([^']+)'|import\(\s*'([^']+)'/g)) {
      const spec = (m[1] ?? m[2])!
      if (!spec.startsWith('.')) continue
      if (!resolve(dirname(file), spec).startsWith(ENGINE + sep)) outside.push(`${file}: ${spec}`)
    }
    if (text.split('\n').length > 400) long.push(file)
  }
  expect(outside).toEqual([])
  expect(long).toEqual([])
})
