import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
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

describe.each(['express-ts', 'nest-ts', 'hono-ts'])('hostile config values in the %s service', (template) => {
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
    const entry =
      { 'nest-ts': 'src/health.controller.ts', 'hono-ts': 'src/app.ts' }[template] ?? 'src/index.ts'
    expect(strings.get(entry)).toContain(service)
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string }
    expect(pkg.name).toBe(service)
    // the table and schedule only reach comments: they are there, on one line, and close nothing
    const text = readFileSync(join(dir, 'src/webhooks/_generated/payloads.ts'), 'utf8')
    expect(text).toContain('(*\\/5 * * * *)')
    expect(text).toContain(`on ${table.schema}.${table.name.replace('*/', '*\\/')}`)
    // the per-handler tests post bodies that carry the cron names exactly
    for (const [i, name] of HOSTILE.entries()) {
      const test =
        template === 'nest-ts'
          ? `src/webhooks/handlers/cron/c${i}.handler.test.ts`
          : `src/webhooks/handlers/cron/c${i}.test.ts`
      expect(strings.get(test), JSON.stringify(name)).toContain(name)
    }
    await checkReadme(dir)
  }, 60_000)
})

/**
 * The README shows the service name as written (Markdown escapes undone give it back; a line break
 * shows as \n), and its `nself-hooks send` lines are shell words that are the cron names exactly.
 */
async function checkReadme(dir: string) {
  const readme = readFileSync(join(dir, 'README.md'), 'utf8')
  const heading = readme.split('\n')[0]!
  expect(heading.slice(0, 2)).toBe('# ')
  expect(heading.slice(2).replace(/\\([!-/:-@[-`{-~])/g, '$1')).toBe(service.replace('\n', '\\n'))
  const sends = readme.split('\n').filter((l) => l.startsWith('npx nself-hooks send '))
  // the trigger first, then one line per cron
  expect(sends).toHaveLength(1 + HOSTILE.length)
  const script = sends.map((l) => l.replace('npx nself-hooks send ', "printf '%s\\0' ")).join('\n')
  const { stdout } = await execa('sh', ['-c', script])
  const words = stdout.split('\0').slice(3)
  expect(stdout.split('\0').slice(0, 3)).toEqual(['hostile_rows', '--to', 'http://localhost:3100/hooks/rows'])
  for (const [i, name] of HOSTILE.entries()) {
    // control characters cannot be typed on a command line: they show as escapes instead
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
    if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff]/.test(name)) continue
    expect(words[i * 3], JSON.stringify(name)).toBe(name)
    expect(words[i * 3 + 1]).toBe('--to')
    expect(words[i * 3 + 2]).toBe(`http://localhost:3100/hooks/cron/c${i}`)
  }
}

describe.each(['fastapi', 'flask'])('hostile config values in the %s service', (template) => {
  it('stay data: every file compiles, has the plain project’s syntax tree, and holds the values exactly', async () => {
    const dir = await scaffoldHostile(template, HOSTILE_VALUES)
    const plainDir = await scaffoldHostile(template, PLAIN_VALUES)
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
    for (const [i, name] of HOSTILE.entries()) {
      expect(got[`webhooks/handlers/cron/test_c${i}.py`]!.strings, JSON.stringify(name)).toContain(name)
    }
    await checkReadme(dir)
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
    // Markdown: punctuation escaped in text; code spans fenced longer than any backtick run inside
    expect(renderText('{{mdText name}}', data)).toBe(`a\\'b\\"\\*\\/\\\\n`)
    expect(renderText('{{mdCode name}}', { name: new UserText('a``b`') })).toBe('``` a``b` ```')
    expect(renderText('{{mdCode name}}', { name: new UserText('WEBHOOK_SECRET') })).toBe('`WEBHOOK_SECRET`')
    // shell words: plain when safe, else single-quoted with embedded quotes closed and reopened
    expect(renderText('{{shell name}}', { name: new UserText('user_created') })).toBe('user_created')
    expect(renderText('{{shell name}}', { name: new UserText("it's $(x)") })).toBe(`'it'\\''s $(x)'`)
  })
})
