import { Chalk } from 'chalk'
import { describe, expect, it } from 'vitest'
import { changeJson, renderChanges } from '../../src/metadata/changes-text.js'
import type { Change } from '../../src/metadata/diff.js'
import { githubAnnotation } from '../../src/output/github.js'

const plain = new Chalk({ level: 0 })

const update: Change = {
  kind: 'event_trigger',
  name: 'user_created',
  action: 'update',
  source: 'default',
  table: { schema: 'public', name: 'users' },
  fields: [
    {
      field: 'headers',
      before: [{ name: 'Authorization', value: 'Bearer abc' }],
      after: [{ name: 'Authorization', value_from_env: 'AUTH' }],
    },
    { field: 'retry_conf.num_retries', before: 0, after: 3 },
  ],
}

describe('rendering changes', () => {
  it('prints terraform-like lines and never a literal value under a secret-looking header name', () => {
    const text = renderChanges([update], plain)
    expect(text).toBe(
      [
        '  ~ event_trigger user_created on public.users',
        '      headers: [{"name":"Authorization","value":"***"}] → [{"name":"Authorization","value_from_env":"AUTH"}]',
        '      retry_conf.num_retries: 0 → 3',
        '',
      ].join('\n'),
    )
    expect(JSON.stringify(changeJson(update, 'server'))).not.toContain('Bearer abc')
  })

  it('the JSON form carries kind, name, action, fields with before/after, and against', () => {
    const created: Change = {
      kind: 'cron_trigger',
      name: 'nightly',
      action: 'create',
      fields: [{ field: 'schedule', after: '0 3 * * *' }],
    }
    expect(changeJson(created, 'files')).toEqual({
      kind: 'cron_trigger',
      name: 'nightly',
      action: 'create',
      fields: [{ field: 'schedule', before: null, after: '0 3 * * *' }],
      against: 'files',
    })
  })

  it('escapes GitHub workflow command properties and data', () => {
    expect(githubAnnotation({ file: 'a,b:c.yaml', line: 3, title: 'x: y, z' }, '50% done\nnext')).toBe(
      '::error file=a%2Cb%3Ac.yaml,line=3,title=x%3A y%2C z::50%25 done%0Anext',
    )
  })
})
