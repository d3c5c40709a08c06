import { describe, expect, it } from 'vitest'
import { Document, isScalar, parse, Scalar, visit } from 'yaml'
import { plainBlock, toHasuraYaml } from '../../src/metadata/yaml-format.js'

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
