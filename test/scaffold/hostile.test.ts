import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { UserText } from '../../src/scaffold/escape.js'
import { renderText } from '../../src/scaffold/render.js'
import {
  HOSTILE,
  HOSTILE_HEADER,
  HOSTILE_VALUES,
  listFiles,
  PLAIN_VALUES,
  parsePy,
  parseTs,
  scaffoldHostile,
} from './hostile.js'

const headerNames = HOSTILE.map((_, i) => `${HOSTILE_HEADER}${i}`)
const externalNames = HOSTILE.map((n) => `ext ${n}`)
const { service, table } = HOSTILE_VALUES

describe.each(['express-ts', 'nest-ts'])('hostile config values in the %s service', (template) => {
  it('stay data: every file parses, has the plain project’s syntax tree, and holds the values exactly', async () => {
    const dir = await scaffoldHostile(template, HOSTILE_VALUES)
    const plainDir = await scaffoldHostile(template, PLAIN_VALUES)
    const files = listFiles(dir, /\.ts$/)
    expect(files).toEqual(listFiles(plainDir, /\.ts$/))
    expect(files.length).toBeGreaterThan(25)
    const strings = new Map<string, string[]>()
    for (const f of files) {
      const got = parseTs(join(dir, f))
      expect(got.errors, f).toEqual([])
      // a value that ended a comment or string early would change the tree
      expect(got.shape, f).toEqual(parseTs(join(plainDir, f)).shape)
      strings.set(f, got.strings)
    }
    const payloads = strings.get('src/webhooks/_generated/payloads.ts')!
    for (const v of [
      ...HOSTILE, // cron names, column names, enum labels, payload keys
      ...externalNames,
      ...headerNames,
      ...headerNames.map((h) => h.toLowerCase()), // signature headers are matched in lower case
      HOSTILE_HEADER,
    ]) {
      expect(payloads, JSON.stringify(v)).toContain(v)
    }
    for (const [i, name] of HOSTILE.entries()) {
      const handler =
        template === 'nest-ts'
          ? `src/webhooks/handlers/cron/c${i}.handler.ts`
          : `src/webhooks/handlers/cron/c${i}.ts`
      expect(strings.get(handler)).toContain(`${name} fired`)
    }
    const entry = template === 'nest-ts' ? 'src/health.controller.ts' : 'src/index.ts'
    expect(strings.get(entry)).toContain(service)
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string }
    expect(pkg.name).toBe(service)
    // the table and schedule only reach comments: they are there, on one line, and close nothing
    const text = readFileSync(join(dir, 'src/webhooks/_generated/payloads.ts'), 'utf8')
    expect(text).toContain('(*\\/5 * * * *)')
    expect(text).toContain(`on ${table.schema}.${table.name.replace('*/', '*\\/')}`)
  }, 60_000)
})

describe('hostile config values in the fastapi service', () => {
  it('stay data: every file compiles, has the plain project’s syntax tree, and holds the values exactly', async () => {
    const dir = await scaffoldHostile('fastapi', HOSTILE_VALUES)
    const plainDir = await scaffoldHostile('fastapi', PLAIN_VALUES)
    const files = listFiles(dir, /\.py$/)
    expect(files).toEqual(listFiles(plainDir, /\.py$/))
    const got = await parsePy(dir, files)
    const plain = await parsePy(plainDir, files)
    for (const f of files) {
      expect(got[f]!.errors, f).toEqual([])
      expect(got[f]!.shape, f).toEqual(plain[f]!.shape)
    }
    const routes = got['webhooks/_generated/routes.py']!.strings
    for (const v of [...HOSTILE, ...externalNames, ...headerNames, HOSTILE_HEADER]) {
      expect(routes, JSON.stringify(v)).toContain(v)
    }
    for (const v of headerNames) expect(routes).toContain(v.toLowerCase())
    const payloads = got['webhooks/_generated/payloads.py']!.strings
    for (const v of HOSTILE) expect(payloads, JSON.stringify(v)).toContain(v) // aliases, labels, cron names
    for (const [i, name] of HOSTILE.entries()) {
      const handler = got[`webhooks/handlers/cron/c${i}.py`]!
      expect(handler.docstring?.startsWith(`Cron ${name} (*/5 * * * *).\n`), JSON.stringify(name)).toBe(true)
      expect(handler.strings).toContain(`${name} fired`)
    }
    expect(got['webhooks/handlers/rows.py']!.docstring).toContain(`on ${table.schema}.${table.name}:`)
    expect(got['main.py']!.strings).toContain(service)
    expect(got['main.py']!.docstring).toContain(service)
  }, 60_000)
})

describe('templates print config values only through an escaping helper', () => {
  it('fails to render a raw value and renders each helper for its context', () => {
    const data = { name: new UserText(`a'b"*/\n`) }
    expect(() => renderText('const x = "{{name}}"', data)).toThrow(/without an escaping helper/)
    expect(renderText('{{tsString name}}', data)).toBe(`'a\\'b"*/\\n'`)
    expect(renderText('// {{tsComment name}}', data)).toBe(`// a'b"*\\/\\n`)
    expect(renderText('{{pyString name}}', data)).toBe(`"a'b\\"*/\\n"`)
    expect(renderText('"""{{pyDoc name}}"""', data)).toBe(`"""a'b\\"*/\\n"""`)
    expect(renderText('{{json name}}', data)).toBe(JSON.stringify(`a'b"*/\n`))
    expect(() => renderText('{{concat name "x"}}', data)).toThrow(/without an escaping helper/)
  })
})
