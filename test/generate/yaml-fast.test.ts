import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Document, isScalar, parse, parseDocument, Scalar, visit } from 'yaml'
import { plainBlock, readPlainBlock, toHasuraYaml } from '../../src/metadata/yaml-format.js'
import { HAS_SHARED, NO_SHARED_REASON, SHARED } from '../helpers/project.js'

/** The yaml library with the options Hasura's export uses: what the direct writer must equal. */
function libraryYaml(value: unknown): string {
  const doc = new Document(value, { aliasDuplicateObjects: false })
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === 'string' && node.value.startsWith('!include '))
        node.type = Scalar.QUOTE_DOUBLE
    },
  })
  return doc.toString({ indent: 2, indentSeq: true, lineWidth: 0, singleQuote: true })
}

/** A small deterministic generator, so a failure names a reproducible case. */
function rng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

const HOSTILE = [
  'yes',
  'no',
  'on',
  'off',
  'y',
  'n',
  '~',
  'null',
  'Null',
  'NULL',
  'nUll',
  'true',
  'True',
  'TRUE',
  'tRUE',
  'false',
  'FALSE',
  '.inf',
  '-.inf',
  '.nan',
  '.NaN',
  '0',
  '-1',
  '+1',
  '1e5',
  'e5',
  '0x1F',
  '0o17',
  '1_000',
  '1.5',
  '12:30',
  '2024-01-01',
  'a:',
  'a: b',
  'a:b',
  'a #b',
  'a#b',
  '#a',
  '- a',
  '-a',
  'a-',
  '? a',
  '?a',
  'a?',
  ':a',
  '!tag',
  '!include x.yaml',
  '&anchor',
  '*',
  '*alias',
  '|',
  '>',
  '%x',
  '@a',
  '`a',
  "'a'",
  '"a"',
  "it's",
  'a"b',
  'a\\b',
  '{a}',
  '[a]',
  'a,b',
  '{{ENV}}/path',
  'a b',
  ' a',
  'a ',
  '\ta',
  'a\nb',
  'a\r\nb',
  '',
  '\u0000',
  '\u00e9t\u00e9',
  '\u2028',
  'http://hooks.local/t/1?x=1&y=%20',
  'https://a.b:8080/p',
  'x~',
  '__proto__',
  'constructor',
  '_a',
  '/x',
  'a/b',
  'A=b',
  'x+y',
  'x%y',
  'a.b.c',
  'a--b',
  'a::b',
  '/:',
  'http://',
  'x:y:z',
  'tab\there',
  'Infinity',
  'NaN',
  'undefined',
  '<<',
  '=',
  '*/5 * * * *',
  '0 * * * *',
  '0 1,2 * * 1-5',
  '5 4 * * sun',
  '* * * * *',
  '1 2',
  '1 2 ',
  '1  2',
  '1e5 x',
  '*/x',
  '*a',
  '**',
  '0 #1',
  '1 - 2',
  '1 -2',
  '1: 2',
  '- 1',
  '1 -',
  'a, b',
  '1,2',
  '1-5',
  '*,1',
  '0 0 1 1 *',
  'true x',
  'null null',
  '.5 x',
  '0x1 2',
  '1 2,',
  ', 1',
  '!include a.yaml',
  '!include public_users.yaml',
  '!include ../x.yaml',
  '!include  a.yaml',
  '!include a b.yaml',
  '!include a"b.yaml',
  '!include a\\b.yaml',
  '!include',
  '!include ',
  '!includex.yaml',
  '"!include a.yaml"',
]

const words =
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:?&=%+~- #\'"!*{}[],|>@`\\\n\t'

const PLAIN_WORDS = [
  '*/10 * * * *',
  '0 12 * * 1-5',
  'orders',
  'status',
  'id',
  'X-Key',
  'a.b',
  'http://hooks.local/x',
  '*',
  'T_1',
  '/p',
]

function hostileString(r: () => number): string {
  if (r() < 0.5) return PLAIN_WORDS[Math.floor(r() * PLAIN_WORDS.length)]!
  if (r() < 0.6) return HOSTILE[Math.floor(r() * HOSTILE.length)]!
  const n = 1 + Math.floor(r() * 12)
  let s = ''
  for (let i = 0; i < n; i++) s += words[Math.floor(r() * words.length)]
  return s
}

function value(r: () => number, depth: number): unknown {
  const k = r()
  if (depth > 3 || k < 0.35) {
    const t = r()
    if (t < 0.6) return hostileString(r)
    if (t < 0.7) return Math.floor(r() * 2000) - 1000
    if (t < 0.72) return r() * 10
    if (t < 0.73) return -0
    if (t < 0.88) return r() < 0.5
    return null
  }
  if (k < 0.65) return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1))
  const o: Record<string, unknown> = {}
  for (let i = Math.floor(r() * 4); i > 0; i--)
    Object.defineProperty(o, hostileString(r), {
      value: value(r, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  return o
}

/** An event trigger as `generate` writes it, with names and URLs drawn from `name`. */
function trigger(name: string, i: number) {
  return {
    name,
    definition: {
      ...(i % 3 === 2 ? { delete: { columns: '*' } } : {}),
      enable_manual: i % 2 === 0,
      ...(i % 3 === 0 ? { insert: { columns: '*' } } : {}),
      ...(i % 3 === 1 ? { update: { columns: ['status', name], payload: [name, 'id'] } } : {}),
    },
    retry_conf: { interval_sec: 10 + i, num_retries: i % 5, timeout_sec: 60 },
    ...(i % 4 === 0 ? { webhook_from_env: `${name}_URL` } : { webhook: `http://hooks.local/t/${name}` }),
    ...(i % 2 === 0
      ? {
          headers: [
            { name: 'X-Name', value: name },
            { name: 'X-Key', value_from_env: 'K' },
          ],
        }
      : {}),
  }
}

describe('the direct YAML writer', () => {
  it('writes trigger, table and cron files byte for byte as the yaml library does', () => {
    const names = ['trigger_1', 'orders_insert', 'a.b', 'x-y', 'Z9', '_under', 'http://x/y?z=1']
    const table = {
      table: { name: 'orders', schema: 'public' },
      event_triggers: names.map((n, i) => trigger(n, i)),
    }
    const crons = names.map((n, i) => ({
      name: n,
      webhook: `https://hooks.local/c/${n}`,
      schedule: '*/5 * * * *',
      include_in_metadata: true,
      payload: { n: i, tag: n, nested: { list: [1, 2, n], empty: {}, none: [] } },
      retry_conf: {
        num_retries: 1,
        retry_interval_seconds: 10,
        timeout_seconds: 60,
        tolerance_seconds: 21600,
      },
    }))
    // the plain ones are written directly, not by the library
    expect(plainBlock(table)).toBe(libraryYaml(table))
    expect(plainBlock([trigger('t', 1)])).toBe(libraryYaml([trigger('t', 1)]))
    expect(plainBlock(crons)).toBe(libraryYaml(crons))
    expect(libraryYaml(crons)).toContain("schedule: '*/5 * * * *'\n")
    // a comment that needs quotes: the whole list goes through the library, with the same result
    const commented = crons.map((c) => ({ ...c, comment: "it's: #1" }))
    expect(plainBlock(commented)).toBeUndefined()
    expect(toHasuraYaml(commented)).toBe(libraryYaml(commented))
  })

  it('equals the library for 3,000 generated values with hostile names, or leaves them to it', () => {
    const r = rng(20261201)
    let direct = 0
    for (let i = 0; i < 3000; i++) {
      const v = i % 3 === 0 ? trigger(hostileString(r), i) : value(r, 0)
      const fast = plainBlock(v)
      if (fast !== undefined) {
        direct++
        expect(fast, JSON.stringify(v)).toBe(libraryYaml(v))
        expect(parse(fast)).toEqual(JSON.parse(JSON.stringify(v)))
      }
      expect(toHasuraYaml(v), JSON.stringify(v)).toBe(libraryYaml(v))
    }
    // the comparison above is not vacuous: a good share took the direct path
    expect(direct).toBeGreaterThan(300)
  })

  it('leaves every hostile string that needs quoting or is not a string to YAML to the library', () => {
    for (const s of HOSTILE) {
      for (const v of [[s], { [s]: 1 }, { k: s }, [{ name: s, n: 1 }]]) {
        expect(toHasuraYaml(v), JSON.stringify(v)).toBe(libraryYaml(v))
        expect(parse(toHasuraYaml(v))).toEqual(v)
      }
    }
  })
})

/** The library's reading of a file, as the tool reads one (`!include` tags as values), or an error. */
function libraryRead(text: string): { value: unknown } | { error: string } {
  const doc = parseDocument(text, {
    customTags: [{ tag: '!include', resolve: (s: string) => ({ include: s }) }],
  })
  if (doc.errors.length > 0) return { error: doc.errors[0]!.message }
  try {
    return { value: doc.toJS() }
  } catch (err) {
    return { error: String(err) }
  }
}

/** Small edits of a text, each of which may or may not still be a document the writer writes. */
function mutations(text: string, r: () => number): string[] {
  const chars = ["'", '"', '#', ' ', ':', '-', '\t', '&', '*', '!', '\n', '0', 'a', '[', '{', '|', '\r', '~']
  const lines = text.split('\n')
  const at = () => Math.floor(r() * text.length)
  const line = () => Math.floor(r() * Math.max(lines.length - 1, 1))
  const out: string[] = []
  for (let k = 0; k < 6; k++) {
    const i = at()
    const c = chars[Math.floor(r() * chars.length)]!
    out.push(text.slice(0, i) + c + text.slice(i + 1))
    out.push(text.slice(0, i) + c + text.slice(i))
    out.push(text.slice(0, i) + text.slice(i + 1))
    const j = line()
    out.push([...lines.slice(0, j + 1), lines[j]!, ...lines.slice(j + 1)].join('\n'))
    out.push([...lines.slice(0, j), ` ${lines[j]}`, ...lines.slice(j + 1)].join('\n'))
    out.push([...lines.slice(0, j), lines[j]!.replace(/^ /, ''), ...lines.slice(j + 1)].join('\n'))
    out.push([...lines.slice(0, j), `${lines[j]} # note`, ...lines.slice(j + 1)].join('\n'))
  }
  out.push(text.replace(/\n/g, '\r\n'), text.slice(0, -1), `${text}\n`, `---\n${text}`, `${text}...\n`)
  return out
}

describe('reading back what the direct writer wrote', () => {
  it('reads every document the writer writes as the library reads it', () => {
    const r = rng(20261202)
    let read = 0
    for (let i = 0; i < 3000; i++) {
      const v = i % 3 === 0 ? trigger(hostileString(r), i) : value(r, 0)
      const text = plainBlock(v)
      if (text === undefined) continue
      const fast = readPlainBlock(text)
      expect(fast, text).toEqual(JSON.parse(JSON.stringify(v)))
      expect({ value: fast }, text).toEqual(libraryRead(text))
      read++
    }
    expect(read).toBeGreaterThan(300)
    // the empty lists and maps the tool writes
    expect(readPlainBlock('[]\n')).toEqual([])
    expect(readPlainBlock('{}\n')).toEqual({})
  })

  it('reads an edited document as the library does, or leaves it to the library', () => {
    const r = rng(7)
    let tried = 0
    let readFast = 0
    for (let i = 0; i < 600; i++) {
      const v = i % 2 === 0 ? trigger(hostileString(r), i) : value(r, 0)
      const text = plainBlock(v)
      if (text === undefined) continue
      for (const m of mutations(text, r)) {
        tried++
        const fast = readPlainBlock(m)
        if (fast === undefined) continue
        readFast++
        // read directly only when the library reads the very same value
        expect({ value: fast }, JSON.stringify(m)).toEqual(libraryRead(m))
      }
    }
    expect(tried).toBeGreaterThan(5000)
    // some edits leave a document the writer writes (a changed digit or letter): those are read directly
    expect(readFast).toBeGreaterThan(100)
  })

  it('leaves hand-written spellings the writer never uses to the library', () => {
    const hand = [
      'table:\n  name: t\n  schema: public\nevent_triggers: []\n',
      'table: {name: t, schema: public}\n',
      'table:\n  name: "t"\n  schema: public\n',
      'table:\n  name: t # a comment\n  schema: public\n',
      'table:\n  name: t\n  name: u\n',
      'table:\n    name: t\n    schema: public\n',
      'a: &x 1\nb: *x\n',
      '- !include a.yaml\n',
      "- '!include a.yaml'\n",
      'a:\n- 1\n- 2\n',
      'a: 007\n',
      'a: 1.0\n',
      'a: ~\n',
      'a: yes\n',
      '__proto__: 1\n',
      'a:\n  __proto__:\n    b: 1\n',
      'a: b\n',
      'a: b',
      'a: b\r\n',
    ]
    const fast = hand.filter((t) => readPlainBlock(t) !== undefined)
    expect(fast).toEqual(['table:\n  name: t\n  schema: public\nevent_triggers: []\n', 'a: yes\n', 'a: b\n'])
    for (const t of fast) expect({ value: readPlainBlock(t) }).toEqual(libraryRead(t))
  })
})

describe.skipIf(!HAS_SHARED)(
  `reading real projects' metadata files ${HAS_SHARED ? '' : NO_SHARED_REASON}`,
  () => {
    it('reads each file as the library does, or leaves it to the library', () => {
      const files: string[] = []
      const walk = (d: string) => {
        for (const n of readdirSync(d)) {
          const p = join(d, n)
          if (statSync(p).isDirectory()) walk(p)
          else if (/\.ya?ml$/.test(n)) files.push(p)
        }
      }
      walk(join(SHARED, 'hasura', 'realworld'))
      expect(files.length).toBeGreaterThan(500)
      let readFast = 0
      for (const file of files) {
        const text = readFileSync(file, 'utf8')
        const fast = readPlainBlock(text)
        if (fast === undefined) continue
        readFast++
        expect({ value: fast }, file).toEqual(libraryRead(text))
      }
      // files the Hasura CLI exported in the writer's style are read directly
      expect(readFast).toBeGreaterThan(20)
    })
  },
)
