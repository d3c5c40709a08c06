import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { diff } from '../../src/commands/diff.js'
import { sync } from '../../src/commands/sync.js'
import type { Context } from '../../src/context.js'
import { client, type EngineDb, engineOnPostgres, SECRET, serverProject } from '../helpers/engine.js'
import { startProxy } from '../helpers/http.js'
import { postgresUnavailable } from '../helpers/pg.js'

const pgReason = await postgresUnavailable()

function context(cwd: string, opts: { answer?: boolean; verbose?: boolean } = {}) {
  let out = ''
  let err = ''
  const questions: string[] = []
  const ctx: Context = {
    cwd,
    env: {},
    stdout: new Writable({
      write: (c, _e, cb) => {
        out += String(c)
        cb()
      },
    }),
    stderr: new Writable({
      write: (c, _e, cb) => {
        err += String(c)
        cb()
      },
    }),
    isTTY: opts.answer !== undefined,
    color: false,
    verbose: opts.verbose ?? false,
  }
  if (opts.answer !== undefined) {
    ctx.confirm = async (q) => {
      questions.push(q)
      return opts.answer!
    }
  }
  return { ctx, out: () => out, err: () => err, questions }
}

describe.skipIf(pgReason)('sync in-process: confirmation, crons kept out of metadata, --verbose', () => {
  let e: EngineDb
  let url: string
  beforeAll(async () => {
    e = await engineOnPostgres(['users'])
    url = e.engine.url
  }, 60_000)
  afterAll(async () => {
    await e?.stop()
  })

  it('on a terminal it asks; "no" changes nothing, "yes" applies', async () => {
    const dir = serverProject(
      url,
      `{ hasura: { endpoint: 'ENDPOINT' }, triggers: { user_created: { table: 'users', on: { insert: true }, webhook: 'http://h/u' } } }`,
    )
    const before = await client(url).export()
    const no = context(dir, { answer: false })
    expect(await sync({ generate: false }, no.ctx)).toBe(1)
    expect(no.questions).toEqual([`Apply this change to ${url}?`])
    expect(no.out()).toContain('cancelled: nothing was changed')
    expect(await client(url).export()).toEqual(before)

    const yes = context(dir, { answer: true })
    expect(await sync({ generate: false }, yes.ctx)).toBe(0)
    expect(yes.out()).toContain('applied: 1 created')
    // --no-generate leaves the metadata files alone but records what it now manages
    expect(existsSync(join(dir, 'hasura'))).toBe(false)
    expect(JSON.parse(readFileSync(join(dir, 'webhooks.managed.json'), 'utf8')).eventTriggers[0].name).toBe(
      'user_created',
    )
    expect(Object.keys(await client(url).triggers())).toEqual(['user_created'])
  })

  it('--exit-code: a non-empty plan exits 2 even when applied; an empty one 0', async () => {
    const dir = serverProject(
      url,
      `{ hasura: { endpoint: 'ENDPOINT' }, triggers: { user_created: { table: 'users', on: { insert: true }, webhook: 'http://h/u2' } } }`,
    )
    const a = context(dir)
    // another checkout with no record of user_created, which the server has: adopting says it is ours
    expect(await sync({ generate: false, yes: true, exitCode: true, adopt: true }, a.ctx)).toBe(2)
    const b = context(dir)
    expect(await sync({ generate: false, yes: true, exitCode: true }, b.ctx)).toBe(0)
  })

  it('creates, updates and deletes a cron kept out of metadata', async () => {
    const cfg = (schedule: string) =>
      `{ hasura: { endpoint: 'ENDPOINT' }, crons: { hidden: { schedule: '${schedule}', webhook: 'http://h/c', includeInMetadata: false } } }`
    const dir = serverProject(url, cfg('0 1 * * *'))
    expect(await sync({ yes: true }, context(dir).ctx)).toBe(0)
    let crons = await client(url).crons()
    expect(crons.map((c) => [c.name, c.include_in_metadata, c.schedule])).toEqual([
      ['hidden', false, '0 1 * * *'],
    ])
    expect((await client(url).export()).metadata.cron_triggers ?? []).toEqual([])
    // the metadata files do not hold it, and that is no drift
    expect(await diff({ against: 'all' }, context(dir).ctx)).toBe(0)

    const { writeFileSync } = await import('node:fs')
    const { join } = await import('node:path')
    const { config } = await import('../helpers/project.js')
    writeFileSync(join(dir, 'webhooks.config.ts'), config(cfg('0 2 * * *').replace('ENDPOINT', url)))
    const upd = context(dir)
    expect(await sync({ yes: true }, upd.ctx)).toBe(0)
    expect(upd.out()).toContain('schedule: "0 1 * * *" → "0 2 * * *"')
    crons = await client(url).crons()
    expect(crons.map((c) => [c.name, c.include_in_metadata, c.schedule])).toEqual([
      ['hidden', false, '0 2 * * *'],
    ])

    writeFileSync(join(dir, 'webhooks.config.ts'), config(`{ hasura: { endpoint: '${url}' } }`))
    const del = context(dir)
    // the config now declares nothing: deleting every managed object takes the explicit flag
    await expect(sync({ yes: true }, del.ctx)).rejects.toThrow(
      /the config declares no event or cron trigger.*cron trigger hidden/,
    )
    expect((await client(url).crons()).map((c) => c.name)).toEqual(['hidden'])
    expect(await sync({ yes: true, allowDeleteAll: true }, del.ctx)).toBe(0)
    expect(del.out()).toContain('- cron_trigger hidden')
    expect(await client(url).crons()).toEqual([])
  })

  it('--rollback only restores a backup of the same endpoint', async () => {
    const dir = serverProject(
      url,
      `{ hasura: { endpoint: 'ENDPOINT' }, triggers: { user_created: { table: 'users', on: { insert: true }, webhook: 'http://h/rb' } } }`,
    )
    expect(await sync({ yes: true, adopt: true }, context(dir).ctx)).toBe(0)
    const proxy = await startProxy(url)
    try {
      const other = context(dir)
      await expect(sync({ rollback: true, yes: true, endpoint: proxy.url }, other.ctx)).rejects.toThrow(
        `no backup of ${proxy.url}`,
      )
      expect(proxy.commands).toEqual([])
    } finally {
      await proxy.close()
    }
  })

  it('--verbose shows the requests and never the admin secret', async () => {
    const dir = serverProject(
      url,
      `{ hasura: { endpoint: 'ENDPOINT' }, triggers: { user_created: { table: 'users', on: { insert: true }, webhook: 'http://h/u3' } } }`,
    )
    const v = context(dir, { verbose: true })
    expect(await sync({ yes: true, adopt: true }, v.ctx)).toBe(0)
    expect(v.err()).toMatch(/hasura → POST \/v1\/metadata replace_metadata/)
    expect(`${v.out()}${v.err()}`).not.toContain(SECRET)
  })
})
