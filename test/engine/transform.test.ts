import { describe, expect, test } from 'vitest'
import { applyRequestTransform, TransformError } from '../../src/engine/transform.js'

const event = {
  id: 'e1',
  event: {
    op: 'INSERT',
    data: { old: null, new: { id: 7, name: 'Ann "A"', tags: ['x'], createdAt: '2024-01-01' } },
  },
}
const base = {
  body: event,
  baseUrl: 'http://h:3000/hook?keep=1',
  sessionVariables: { 'x-hasura-role': 'admin' },
}
const headers = { 'Content-Type': 'application/json', 'User-Agent': 'hasura-graphql-engine/v2.48.5' }

describe('request transforms (Kriti subset)', () => {
  test('a real-world body template: values in place, strings escaped inside quotes', () => {
    const r = applyRequestTransform(
      {
        version: 2,
        template_engine: 'Kriti',
        body: {
          action: 'transform',
          template:
            '{\n  "patientId": {{$body.event.data.new.id}},\n  "label": "{{$body.event.data.new.name}} #{{$body.event.data.new.id}}",\n  "tags": {{$body.event.data.new.tags}},\n  "old": {{$body.event.data.old}}\n}',
        },
      },
      { ...base, headers },
    )
    expect(JSON.parse(r.body!)).toEqual({ patientId: 7, label: 'Ann "A" #7', tags: ['x'], old: null })
    expect(r.logged).toEqual(JSON.parse(r.body!))
    expect(r.url).toBe('http://h:3000/hook?keep=1')
    expect(r.method).toBe('POST')
  })

  test('optional paths give null (and drop a query param); missing ones without ?. fail', () => {
    const r = applyRequestTransform(
      { version: 2, query_params: { a: '{{$body.event?.nope}}', b: '{{$body.id}}' } },
      { ...base, headers },
    )
    expect(r.url).toBe('http://h:3000/hook?keep=1&b=e1')
    expect(() =>
      applyRequestTransform(
        { version: 2, query_params: { a: '{{$body.nope.deeper}}' } },
        { ...base, headers },
      ),
    ).toThrow(TransformError)
  })

  test('url from $base_url, method, session variables, header add/remove', () => {
    const r = applyRequestTransform(
      {
        version: 2,
        method: 'put',
        url: '{{$base_url}}/v2',
        request_headers: {
          remove_headers: ['User-Agent'],
          add_headers: { 'X-Role': "{{$session_variables['x-hasura-role']}}" },
        },
      },
      { ...base, headers },
    )
    expect(r.method).toBe('PUT')
    expect(r.url).toBe('http://h:3000/hook?keep=1/v2')
    expect(r.headers).toEqual({ 'Content-Type': 'application/json', 'X-Role': 'admin' })
  })

  test('x_www_form_urlencoded and remove bodies', () => {
    const form = applyRequestTransform(
      {
        version: 2,
        body: {
          action: 'x_www_form_urlencoded',
          form_template: { id: '{{$body.event.data.new.id}}', op: '{{$body.event.op}}' },
        },
      },
      { ...base, headers },
    )
    expect(form.body).toBe('id=7&op=INSERT')
    expect(form.headers['Content-Type']).toBe('application/x-www-form-urlencoded')
    const removed = applyRequestTransform({ version: 2, body: { action: 'remove' } }, { ...base, headers })
    expect(removed.body).toBeUndefined()
  })

  test('functions and control flow are not supported: a transformation error', () => {
    for (const template of ['{{ toUpper($body.id) }}', '{{ if true }}1{{ end }}', '{"a": {{$body.id}'])
      expect(() =>
        applyRequestTransform({ version: 2, body: { action: 'transform', template } }, { ...base, headers }),
      ).toThrow(TransformError)
  })
})
