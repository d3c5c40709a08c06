import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { urlCredentials } from '../../src/config/url-credentials.js'
import { validateConfig } from '../../src/config/validate.js'
import type { Issue } from '../../src/errors.js'
import { runCli } from '../helpers/cli.js'
import { testdir } from '../helpers/project.js'

/** What reaches the wire: header names and values HTTP forbids, credentials in webhook URLs. */

const base = {
  service: { name: 'webhooks', template: 'express-ts', port: 3001 },
  triggers: { ok_trigger: { table: 'users', on: { insert: true }, handler: 'ok' } },
}
const trigger = (extra: Record<string, unknown>) => ({
  ...base,
  triggers: { ...base.triggers, orders: { table: 'orders', on: { insert: true }, handler: 'o', ...extra } },
})
const cron = (extra: Record<string, unknown>) => ({
  ...base,
  crons: { nightly: { schedule: '0 3 * * *', handler: 'n', ...extra } },
})

function errors(input: unknown): Issue[] {
  return validateConfig(input).issues.filter((i) => i.severity === 'error')
}
function only(input: unknown, path: string): Issue {
  const all = errors(input)
  const at = all.filter((i) => i.path === path)
  expect(at, JSON.stringify(all, null, 2)).toHaveLength(1)
  return at[0]!
}
/** No raw control character (ESC, CR, LF, NUL, DEL) anywhere in what would be printed. */
function printable(i: Issue): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
  for (const text of [i.path, i.message, i.hint ?? '']) expect(text).not.toMatch(/[\u0000-\u001f\u007f]/)
}

describe('header values HTTP forbids are refused with the path, the value made visible', () => {
  const hostile: [string, string, RegExp, RegExp][] = [
    ['CR LF (header injection)', 'a\r\nX-Injected: 1', /\(CR, LF\)/, /"a\\x0d\\x0aX-Injected: 1"/],
    ['a bare LF', 'line1\nline2', /\(LF\)/, /"line1\\x0aline2"/],
    ['NUL', 'v\u0000', /\(NUL\)/, /"v\\x00"/],
    ['ESC (a terminal sequence)', '\u001b[2Jcleared', /\(\\x1b\)/, /"\\x1b\[2Jcleared"/],
    ['DEL', 'x\u007f', /\(\\x7f\)/, /"x\\x7f"/],
  ]
  for (const [what, value, kind, shown] of hostile) {
    it(`triggers: ${what}`, () => {
      const i = only(trigger({ headers: { 'X-Tenant': value } }), 'triggers.orders.headers.X-Tenant')
      expect(i.message).toMatch(kind)
      expect(i.message).toMatch(shown)
      expect(i.hint).toMatch(/tab is the only control character/)
      printable(i)
    })
  }

  it('crons and defaults too, in the same run', () => {
    const all = errors({
      ...cron({ headers: { 'X-A': 'a\nb' } }),
      defaults: { headers: { 'X-B': 'c\rd' } },
    })
    expect(all.map((i) => i.path).sort()).toEqual(['crons.nightly.headers.X-A', 'defaults.headers.X-B'])
    expect(all.find((i) => i.path === 'defaults.headers.X-B')!.message).toContain('"c\\x0dd"')
  })

  it('a line break says what it does to the request', () => {
    expect(only(trigger({ headers: { 'X-T': 'a\nb' } }), 'triggers.orders.headers.X-T').message).toMatch(
      /a line break would end the header and start another/,
    )
  })

  it('a secret-looking header is not echoed, only where the bad character is', () => {
    const all = errors(trigger({ headers: { Authorization: 'Bearer s3cr3t-v4lue\r\n' } }))
    // two problems: a literal secret, and the line break
    expect(all.map((i) => i.path)).toEqual([
      'triggers.orders.headers.Authorization',
      'triggers.orders.headers.Authorization',
    ])
    for (const issue of all) expect(JSON.stringify(issue)).not.toContain('s3cr3t-v4lue')
    expect(all.map((i) => i.message).join('\n')).toContain('(CR, LF) at character 20')
  })

  it('tab, non-ASCII text and {{ENV}} templates are fine', () => {
    expect(
      errors(trigger({ headers: { 'X-Note': 'a\tb', 'X-City': 'Zürich', 'X-Env': '{{TENANT}}' } })),
    ).toEqual([])
  })

  it('refused even when the trigger has another problem (the whole entry does not parse)', () => {
    const all = errors(trigger({ headers: { 'X-T': 'a\nb' }, retyr: {} }))
    expect(all.map((i) => i.path)).toEqual(
      expect.arrayContaining(['triggers.orders.retyr', 'triggers.orders.headers.X-T']),
    )
  })
})

describe('header names must be HTTP tokens', () => {
  const names: [string, RegExp][] = [
    ['X-Bad\r\nInjected', /it has CR, LF/],
    ['X Bad', /it has " "/],
    ['X-Bad:', /it has ":"/],
    ['X-Tëst', /it has "ë"/],
    ['X-\u001b[31mRed', /it has \\x1b, "\["/],
  ]
  for (const [name, problem] of names) {
    it(JSON.stringify(name), () => {
      for (const [input, prefix] of [
        [trigger({ headers: { [name]: 'v' } }), 'triggers.orders.headers'],
        [trigger({ headers: { [name]: { fromEnv: 'TENANT' } } }), 'triggers.orders.headers'],
        [cron({ headers: { [name]: 'v' } }), 'crons.nightly.headers'],
        [{ ...base, defaults: { headers: { [name]: { fromEnv: 'TENANT' } } } }, 'defaults.headers'],
      ] as const) {
        const all = errors(input).filter((i) => i.path.startsWith(prefix))
        expect(all, JSON.stringify(errors(input))).toHaveLength(1)
        const i = all[0]!
        expect(i.message).toContain('is not an HTTP header name')
        expect(i.message).toMatch(problem)
        expect(i.hint).toMatch(/use letters, digits and -/)
        printable(i)
      }
    })
  }

  it('every token character RFC 7230 allows is accepted', () => {
    expect(errors(trigger({ headers: { "X-!#$%&'*+.^_`|~09az": 'v' } }))).toEqual([])
  })

  it('a fromEnv name with a line break is refused at its header, shown visibly', () => {
    const i = only(
      trigger({ headers: { 'X-T': { fromEnv: 'A\nB' } } }),
      'triggers.orders.headers.X-T.fromEnv',
    )
    expect(i.message).toBe('"A\\x0aB" must be an environment variable name (letters, digits, underscore)')
    printable(i)
  })
})

describe('credentials in a literal webhook URL', () => {
  it('a trigger webhook with user:password is refused; the password is never printed', () => {
    const i = only(
      trigger({ handler: undefined, webhook: 'https://shop:hunter2-pw@orders.example.com/hook?x=1' }),
      'triggers.orders.webhook',
    )
    expect(i.message).toContain('https://shop:***@orders.example.com/hook?x=1')
    expect(i.message).toContain('committed to the metadata files and printed in sync plans')
    expect(i.hint).toContain(`webhook: '{{ORDERS_URL}}'`)
    expect(i.hint).toContain(`webhookFromEnv: 'ORDERS_URL'`)
    expect(JSON.stringify(i)).not.toContain('hunter2')
  })

  it('a cron webhook too (crons have no webhookFromEnv), and a lone token as user name', () => {
    const i = only(
      cron({ handler: undefined, webhook: 'https://ghp_T0KEN@hooks.example.com/nightly' }),
      'crons.nightly.webhook',
    )
    expect(i.message).toContain('https://***@hooks.example.com/nightly')
    expect(i.hint).toContain(`webhook: '{{NIGHTLY_URL}}'`)
    expect(i.hint).not.toContain('webhookFromEnv')
    expect(JSON.stringify(i)).not.toContain('T0KEN')
  })

  it('after a template base, and with an @ later in the path or a backslash', () => {
    for (const [webhook, secret] of [
      ['{{SCHEME}}://u:pw1@host/x', 'pw1'],
      ['http://u:p@ss@host/x', 'p@ss'],
      ['http://u:pw2@host\\x', 'pw2'],
    ]) {
      const all = errors(trigger({ handler: undefined, webhook }))
      expect(all.map((i) => i.path)).toEqual(['triggers.orders.webhook'])
      expect(JSON.stringify(all)).not.toContain(secret)
    }
  })

  it('a service baseUrl with credentials is refused (handler webhooks are built from it)', () => {
    const i = only(
      { ...base, service: { ...base.service, baseUrl: 'http://svc:pa55@webhooks:3001' } },
      'service.baseUrl',
    )
    expect(i.message).toContain('http://svc:***@webhooks:3001')
    expect(JSON.stringify(i)).not.toContain('pa55')
  })

  it('templates for the secret part, and @ outside the authority, are fine', () => {
    for (const webhook of [
      'http://user:{{ORDERS_PASSWORD}}@host/x',
      'http://{{ORDERS_TOKEN}}@host/x',
      '{{ORDERS_URL}}',
      'http://host/users/@me?mail=a@b.c',
      'https://host/x#frag@ment',
    ]) {
      expect(errors(trigger({ handler: undefined, webhook })), webhook).toEqual([])
    }
  })

  it('urlCredentials masks the password and keeps everything else', () => {
    expect(urlCredentials('http://a:b@h:1/p?q#f')).toEqual({
      user: 'a',
      password: 'b',
      masked: 'http://a:***@h:1/p?q#f',
    })
    expect(urlCredentials('http://h/p@x')).toBeUndefined()
  })
})

describe('the CLI refuses them', () => {
  it('generate and sync --dry-run: exit 1, the value visible, no password, nothing written', async () => {
    const config = {
      triggers: {
        orders: {
          table: 'orders',
          on: { insert: true },
          webhook: 'https://shop:hunter2-pw@orders.example.com/hook',
          headers: { 'X-Tenant': 'acme\r\nX-Admin: yes\u001b[2J' },
        },
      },
    }
    const dir = testdir({ 'webhooks.config.ts': `export default ${JSON.stringify(config)}\n` })
    for (const args of [['generate'], ['sync', '--dry-run']]) {
      const r = await runCli(args, { cwd: dir, env: { HASURA_GRAPHQL_ADMIN_SECRET: 'x-adm1n' } })
      expect(r.code, r.stderr).toBe(1)
      expect(r.stderr).toContain('triggers.orders.headers.X-Tenant: header value has characters HTTP forbids')
      expect(r.stderr).toContain('"acme\\x0d\\x0aX-Admin: yes\\x1b[2J"')
      expect(r.stderr).toContain('triggers.orders.webhook: webhook https://shop:***@orders.example.com/hook')
      expect(r.stderr).toContain(`hint: keep the whole URL in the environment: webhook: '{{ORDERS_URL}}'`)
      expect(r.stdout + r.stderr).not.toContain('hunter2')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
      expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/)
      expect(existsSync(join(dir, 'hasura'))).toBe(false)
    }
  })
})

describe('config values in error output', () => {
  it('a newline in a config value is shown, not printed: one line per problem, nothing written', async () => {
    const dir = testdir({
      'webhooks.config.ts': `export default {
  service: { name: 'webhooks', template: 'express-ts', port: 3001 },
  triggers: { t: { table: 'users', on: { insert: true }, handler: "x'*/../\\nerror forged line" } },
}
`,
    })
    const r = await runCli(['generate'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`handler "x'*/../\\x0aerror forged line" is not a route`)
    // no line of the output starts with the value's second half
    expect(r.stderr.split('\n').some((l) => l.startsWith('error forged line'))).toBe(false)
    expect(existsSync(join(dir, 'hasura'))).toBe(false)
  })
})
