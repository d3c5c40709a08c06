import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createJiti } from 'jiti'
import { describe, expect, it } from 'vitest'
import { buildProgram, type ParsedCommand } from '../../src/cli.js'
import { scaffold } from '../../src/commands/scaffold.js'
import { UserError } from '../../src/errors.js'
import { loadProject } from '../../src/project.js'
import { renderColumnsCache } from '../../src/scaffold/columns.js'
import { GENERATED_MARK, renderService } from '../../src/scaffold/render.js'
import { captureContext } from '../helpers/cli.js'
import { FIXTURE_COLUMNS, ROOT, testdir } from '../helpers/project.js'

const CONFIG = (template: string, extra = '') => `import { defineConfig } from 'nself-hooks'
export default defineConfig({
  service: { name: 'hooks', template: '${template}', port: 4010, routePrefix: '/hooks' },
  defaults: { headers: { 'X-Webhook-Secret': { fromEnv: 'WEBHOOK_SECRET' } } },
  triggers: {
    user_created: { table: 'users', on: { insert: true }, handler: 'user-created' },
    order_changed: {
      table: 'shop.orders',
      on: { update: { columns: ['status'], payload: ['id', 'status', 'customer_id'] }, delete: true, manual: true },
      handler: 'orders/changed',
    },${extra}
  },
  crons: {
    nightly: { schedule: '0 3 * * *', handler: 'cron/nightly', payload: { kind: 'full', limit: 100, tags: ['a'], nested: { on: true } } },
  },
  external: {
    stripe: { provider: 'stripe', secretEnv: 'STRIPE_WEBHOOK_SECRET', handler: 'stripe' },
    signed: { provider: 'hmac-sha256', secretEnv: 'SIGNED_SECRET', header: 'X-Signature', handler: 'signed' },
  },
})
`

function tsProject(template = 'express-ts', withCache = true): string {
  const files: Record<string, string> = { 'webhooks.config.ts': CONFIG(template) }
  if (withCache) files['webhooks.columns.json'] = renderColumnsCache(FIXTURE_COLUMNS)
  return testdir(files)
}

async function run(dir: string, opts: Record<string, unknown>) {
  const c = captureContext(dir)
  const code = await scaffold(opts, c.ctx)
  return { code, out: c.out, err: c.err }
}

const read = (dir: string, path: string) => readFileSync(join(dir, 'services/hooks', path), 'utf8')

describe('typed payloads', () => {
  it('types each trigger by op: only configured ops, old/new nullability, rows narrowed to payload columns', async () => {
    const dir = tsProject()
    await run(dir, { all: true })
    const ts = read(dir, 'src/webhooks/_generated/payloads.ts')
    // UPDATE carries only the payload columns, old and new both rows
    const block = (name: string) => ts.slice(ts.indexOf(`export interface ${name} {`)).split('\n}')[0]!
    const fields = (name: string) =>
      [...block(name).matchAll(/^ {2}(\w+): (.*)$/gm)].map((m) => `${m[1]}: ${m[2]}`)
    expect(fields('OrderChangedUpdateRow')).toEqual(['id: number', 'status: string', 'customer_id: number'])
    expect(fields('OrderChangedRow')).toEqual([
      'id: number',
      'customer_id: number',
      'status: string',
      'total: number',
      'meta: Json | null',
    ])
    expect(ts).toContain('data: { old: OrderChangedUpdateRow; new: OrderChangedUpdateRow }')
    // DELETE: new is null; MANUAL: old is null, the whole row
    expect(ts).toContain('data: { old: OrderChangedRow; new: null }')
    expect(ts).toContain('data: { old: null; new: OrderChangedRow }')
    expect(ts).toContain(
      'export type OrderChangedEvent = OrderChangedUpdate | OrderChangedDelete | OrderChangedManual',
    )
    expect(ts).not.toContain('OrderChangedInsert')
    // column types as row_to_json sends them
    expect(ts).toMatch(/total: number/)
    expect(ts).toMatch(/meta: Json \| null/)
    expect(ts).toMatch(/created_at: string/)
    // the cron payload type comes from the configured value
    expect(ts).toContain('kind: string')
    expect(ts).toContain('tags: string[]')
    expect(ts).toContain('nested: { on: boolean }')
  })

  it('the generated zod schemas accept what Hasura sends and refuse what it never sends', async () => {
    const dir = tsProject()
    await run(dir, { all: true })
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'services/hooks/node_modules'))
    const jiti = createJiti(join(dir, 'services/hooks/src/index.ts'), { moduleCache: false, fsCache: false })
    const mod = (await jiti.import(
      join(dir, 'services/hooks/src/webhooks/_generated/payloads.ts'),
    )) as Record<string, { safeParse: (v: unknown) => { success: boolean } }>
    const row = { id: 7, customer_id: 3, status: 'paid', total: 12.5, meta: { a: 1 } }
    const envelope = (event: unknown, name = 'order_changed') => ({
      id: '85558393-c75d-4d2f-9c15-e80591b83894',
      created_at: '2024-01-01T00:00:00.123456',
      table: { schema: 'shop', name: 'orders' },
      trigger: { name },
      event,
      delivery_info: { current_retry: 0, max_retries: 0 },
    })
    const schema = mod.OrderChangedPayloadSchema!
    const upd = {
      op: 'UPDATE',
      data: { old: { id: 7, status: 'new', customer_id: 3 }, new: { id: 7, status: 'paid', customer_id: 3 } },
      session_variables: null,
      trace_context: null,
    }
    expect(schema.safeParse(envelope(upd)).success).toBe(true)
    expect(
      schema.safeParse(
        envelope({
          op: 'DELETE',
          data: { old: row, new: null },
          session_variables: { 'x-hasura-role': 'admin' },
        }),
      ).success,
    ).toBe(true)
    expect(schema.safeParse(envelope({ op: 'MANUAL', data: { old: null, new: row } })).success).toBe(true)
    // an op the trigger does not listen to, a non-null new on DELETE, a wrong column type, another trigger's name
    expect(schema.safeParse(envelope({ op: 'INSERT', data: { old: null, new: row } })).success).toBe(false)
    expect(schema.safeParse(envelope({ op: 'DELETE', data: { old: row, new: row } })).success).toBe(false)
    const withNew = (n: unknown) => envelope({ ...upd, data: { ...upd.data, new: n } })
    expect(schema.safeParse(withNew({ id: 7, status: 'paid', customer_id: '3' })).success).toBe(false)
    // without HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES in the project env Hasura sends int8 as a number
    expect(
      schema.safeParse(withNew({ id: '9007199254740993', status: 'paid', customer_id: 3 })).success,
    ).toBe(false)
    expect(schema.safeParse(envelope(upd, 'user_created')).success).toBe(false)
    // nullable columns take null; non-null ones do not
    const users = mod.UserCreatedPayloadSchema!
    const user = { id: 1, email: 'a@b.c', name: null, created_at: '2024-01-01T00:00:00+00:00' }
    expect(
      users.safeParse({ ...envelope({ op: 'INSERT', data: { old: null, new: user } }, 'user_created') })
        .success,
    ).toBe(true)
    expect(
      users.safeParse({
        ...envelope({ op: 'INSERT', data: { old: null, new: { ...user, email: null } } }, 'user_created'),
      }).success,
    ).toBe(false)
  })

  it('quotes column names that are not identifiers and still validates them', async () => {
    const dir = testdir({
      'webhooks.config.ts': `import { defineConfig } from 'nself-hooks'
export default defineConfig({
  service: { name: 'hooks', template: 'express-ts' },
  triggers: { odd_rows: { table: 'odd', on: { insert: true }, handler: 'odd' } },
})
`,
      'webhooks.columns.json': renderColumnsCache({
        source: 'postgres',
        tables: {
          'public.odd': [
            { name: 'my-col', type: 'int4', nullable: false },
            { name: '1st', type: '_bool', nullable: false },
            { name: 'mood', type: 'mood', nullable: true, enum: ['happy', 'sad'] },
          ],
        },
      }),
    })
    await run(dir, { all: true })
    const ts = read(dir, 'src/webhooks/_generated/payloads.ts')
    expect(ts).toContain('"my-col": number')
    expect(ts).toContain('"1st": boolean[]')
    expect(ts).toContain('mood: "happy" | "sad" | null')
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'services/hooks/node_modules'))
    const jiti = createJiti(join(dir, 'services/hooks/src/index.ts'), { moduleCache: false, fsCache: false })
    const mod = (await jiti.import(
      join(dir, 'services/hooks/src/webhooks/_generated/payloads.ts'),
    )) as Record<string, { safeParse: (v: unknown) => { success: boolean } }>
    const row = mod.OddRowsRowSchema!
    expect(row.safeParse({ 'my-col': 1, '1st': [true], mood: null }).success).toBe(true)
    expect(row.safeParse({ 'my-col': 1, '1st': [true], mood: 'angry' }).success).toBe(false)
  })

  it('without a column cache, rows are open objects and the user is told how to get types', async () => {
    const dir = tsProject('express-ts', false)
    const r = await run(dir, { all: true })
    expect(r.err).toMatch(/no webhooks\.columns\.json yet.*--introspect.*--database-url/)
    expect(read(dir, 'src/webhooks/_generated/payloads.ts')).toContain(
      'export type UserCreatedRow = { [column: string]: Json }',
    )
    const py = testdir({ 'webhooks.config.ts': CONFIG('fastapi') })
    await run(py, { all: true })
    expect(read(py, 'webhooks/_generated/payloads.py')).toContain('UserCreatedRow = Dict[str, Any]')
  })
})

describe('write policy', () => {
  it('marks generated files on their first line and leaves user files unmarked', async () => {
    const dir = tsProject()
    const { ctx } = captureContext(dir)
    const { model } = await loadProject(ctx, {})
    const { files } = renderService(model, FIXTURE_COLUMNS.tables, {
      selected: new Set(['user-created']),
      present: new Set(),
      initService: true,
    })
    for (const [path, f] of files) {
      expect(f.content.split('\n')[0]!.includes(GENERATED_MARK), path).toBe(f.kind === 'generated')
    }
  })

  it('re-running changes nothing; an edited handler is kept; --force keeps a backup', async () => {
    const dir = tsProject()
    const first = await run(dir, { all: true, initService: true })
    expect(first.out).toMatch(/created +services\/hooks\/src\/webhooks\/handlers\/user-created\.ts/)
    const again = await run(dir, { all: true, initService: true })
    expect(again.out).not.toMatch(/^(created|updated|overwritten|kept)/m)
    expect(again.out).toMatch(/\d+ unchanged\n$/)

    const handler = join(dir, 'services/hooks/src/webhooks/handlers/user-created.ts')
    const mine = `${readFileSync(handler, 'utf8')}\n// my business logic\n`
    writeFileSync(handler, mine)
    const kept = await run(dir, { handler: 'user-created' })
    expect(kept.out).toMatch(/kept +services\/hooks\/src\/webhooks\/handlers\/user-created\.ts/)
    expect(readFileSync(handler, 'utf8')).toBe(mine)

    const forced = await run(dir, { handler: 'user-created', force: true })
    expect(forced.out).toMatch(
      /overwritten .*user-created\.ts.*backup services\/hooks\/src\/webhooks\/handlers\/user-created\.ts\.bak/,
    )
    expect(readFileSync(`${handler}.bak`, 'utf8')).toBe(mine)
    expect(readFileSync(handler, 'utf8')).not.toContain('my business logic')
    // a second --force does not clobber the first backup
    writeFileSync(handler, `${mine}// again\n`)
    await run(dir, { handler: 'user-created', force: true })
    const backups = readdirSync(join(dir, 'services/hooks/src/webhooks/handlers')).filter((f) =>
      f.endsWith('.bak'),
    )
    expect(backups).toHaveLength(2)
    // nothing half-written is left behind
    const all = readdirSync(join(dir, 'services/hooks'), { recursive: true }) as string[]
    expect(all.filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('rewrites generated files when the config changes, never the handlers', async () => {
    const dir = tsProject()
    await run(dir, { all: true })
    const handler = join(dir, 'services/hooks/src/webhooks/handlers/user-created.ts')
    writeFileSync(handler, `${readFileSync(handler, 'utf8')}// mine\n`)
    writeFileSync(
      join(dir, 'webhooks.config.ts'),
      CONFIG('express-ts').replace(
        "on: { insert: true }, handler: 'user-created'",
        "on: { insert: true, delete: true }, handler: 'user-created'",
      ),
    )
    const r = await run(dir, { all: true })
    expect(r.out).toMatch(/updated +services\/hooks\/src\/webhooks\/_generated\/payloads\.ts/)
    expect(r.out).toMatch(/kept +services\/hooks\/src\/webhooks\/handlers\/user-created\.ts/)
    expect(read(dir, 'src/webhooks/_generated/payloads.ts')).toContain(
      'delete(event: UserCreatedDelete, ctx: EventContext): HandlerResult',
    )
    expect(readFileSync(handler, 'utf8')).toContain('// mine')
  })

  it('a generated path the user took over (no mark) is kept, not clobbered', async () => {
    const dir = tsProject()
    await run(dir, { all: true })
    const routes = join(dir, 'services/hooks/src/webhooks/_generated/routes.ts')
    writeFileSync(routes, '// my own router\n')
    const r = await run(dir, { all: true })
    expect(r.out).toMatch(
      /kept +services\/hooks\/src\/webhooks\/_generated\/routes\.ts .*lost its generated mark/,
    )
    expect(readFileSync(routes, 'utf8')).toBe('// my own router\n')
  })

  it('hands a path that held a generated file over to the user once (nest-ts webhooks.module.ts), then keeps it', async () => {
    const dir = testdir({ 'webhooks.config.ts': CONFIG('nest-ts') })
    await run(dir, { all: true })
    const userModule = join(dir, 'services/hooks/src/webhooks/webhooks.module.ts')
    expect(readFileSync(userModule, 'utf8')).toContain('WebhooksGeneratedModule.register(')
    // as an earlier scaffold wrote it: generated, with the mark
    writeFileSync(
      userModule,
      `// ${GENERATED_MARK} from webhooks.config.ts; do not edit\nexport class WebhooksModule {}\n`,
    )
    const r = await run(dir, { all: true })
    expect(r.out).toMatch(/updated +services\/hooks\/src\/webhooks\/webhooks\.module\.ts/)
    const handedOver = readFileSync(userModule, 'utf8')
    expect(handedOver).toContain('WebhooksGeneratedModule.register(')
    expect(handedOver).not.toContain(GENERATED_MARK)
    writeFileSync(userModule, handedOver.replace('providers: [],', 'providers: [MyService],'))
    const again = await run(dir, { all: true })
    expect(again.out).toMatch(/kept +services\/hooks\/src\/webhooks\/webhooks\.module\.ts/)
    expect(readFileSync(userModule, 'utf8')).toContain('providers: [MyService]')
  })

  it('registers routes for the handler asked for and for handlers already written', async () => {
    const dir = tsProject()
    await run(dir, { handler: 'user-created' })
    let routes = read(dir, 'src/webhooks/_generated/routes.ts')
    expect(routes).toContain("webhooksRouter.post('/hooks/user-created'")
    expect(routes).not.toContain('/hooks/stripe')
    expect(existsSync(join(dir, 'services/hooks/src/webhooks/handlers/stripe.ts'))).toBe(false)
    await run(dir, { handler: 'stripe' })
    routes = read(dir, 'src/webhooks/_generated/routes.ts')
    expect(routes).toContain("webhooksRouter.post('/hooks/user-created'")
    expect(routes).toContain("webhooksRouter.post('/hooks/stripe'")
  })

  it('--dry-run writes nothing', async () => {
    const dir = tsProject()
    const r = await run(dir, { all: true, dryRun: true })
    expect(r.out).toMatch(/dry run, nothing written/)
    expect(existsSync(join(dir, 'services/hooks'))).toBe(false)
  })
})

describe('errors and hints', () => {
  it('an unknown template names the supported ones', async () => {
    const dir = tsProject('koa-ts')
    const err = await run(dir, { all: true }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UserError)
    expect((err as UserError).message).toContain('service template "koa-ts" is not supported')
    expect((err as UserError).hint).toContain('express-ts, nest-ts, hono-ts, fastapi, flask')
  })

  it('an unknown handler lists the known ones; no handler and no --all says what to do', async () => {
    const dir = tsProject()
    const err = (await run(dir, { handler: 'nope' }).catch((e: unknown) => e)) as UserError
    expect(err.message).toContain('no handler named nope')
    expect(err.hint).toContain('user-created, orders/changed, cron/nightly, stripe, signed')
    const none = (await run(dir, {}).catch((e: unknown) => e)) as UserError
    expect(none.hint).toContain('--all')
  })

  it('no service in the config: says how to declare one', async () => {
    const dir = testdir({
      'webhooks.config.ts': `import { defineConfig } from 'nself-hooks'
export default defineConfig({ triggers: { a: { table: 'users', on: { insert: true }, webhook: 'http://x/a' } } })
`,
    })
    const err = (await run(dir, { all: true }).catch((e: unknown) => e)) as UserError
    expect(err.message).toContain('no service')
    expect(err.hint).toContain("service: 'webhooks'")
  })

  it('warns when a route has no secret header to check', async () => {
    const dir = testdir({
      'webhooks.config.ts': `import { defineConfig } from 'nself-hooks'
export default defineConfig({
  service: { name: 'hooks', template: 'fastapi' },
  triggers: { open_door: { table: 'users', on: { insert: true }, handler: 'open', headers: { 'X-Source': 'hasura' } } },
})
`,
    })
    const r = await run(dir, { all: true })
    expect(r.err).toMatch(/trigger open_door sends no secret header from env: its route accepts any caller/)
    expect(read(dir, 'webhooks/_generated/routes.py')).toContain('secrets=[]')
  })

  it('a handler can be named by its trigger name too', async () => {
    const dir = tsProject()
    await run(dir, { handler: 'order_changed' })
    expect(existsSync(join(dir, 'services/hooks/src/webhooks/handlers/orders/changed.ts'))).toBe(true)
  })

  it('says when the service has no working skeleton, and --init-service writes one', async () => {
    const dir = tsProject('nest-ts')
    // what nself's own nest-ts template leaves: a package.json, no src/, no tsconfig
    writeFileSync(join(dir, 'placeholder'), '')
    const pkgDir = join(dir, 'services/hooks')
    const { mkdirSync } = await import('node:fs')
    mkdirSync(pkgDir, { recursive: true })
    writeFileSync(
      join(pkgDir, 'package.json'),
      JSON.stringify({ name: 'hooks', dependencies: { '@nestjs/core': '^11' } }),
    )
    const r = await run(dir, { all: true })
    expect(r.err).toMatch(
      /no working nest-ts skeleton \(missing tsconfig\.json, src\/main\.ts, src\/app\.module\.ts\).*--init-service/,
    )
    expect(r.err).toMatch(/package\.json lacks @nestjs\/common, @nestjs\/platform-express/)
    const init = await run(dir, { all: true, initService: true })
    expect(init.out).toMatch(/created +services\/hooks\/tsconfig\.json/)
    expect(init.out).toMatch(/kept +services\/hooks\/package\.json/)
    expect(init.err).not.toMatch(/skeleton/)
  })
})

describe('cli', () => {
  it('maps argv to scaffold options', async () => {
    let parsed: ParsedCommand | undefined
    const program = buildProgram((p) => {
      parsed = p
    })
    await program.parseAsync(
      [
        'scaffold',
        'external/stripe',
        '--force',
        '--init-service',
        '--database-url',
        'postgres://x/db',
        '--dry-run',
      ],
      { from: 'user' },
    )
    expect(parsed?.name).toBe('scaffold')
    expect(parsed?.args).toEqual(['external/stripe'])
    expect(parsed?.options).toMatchObject({
      force: true,
      initService: true,
      databaseUrl: 'postgres://x/db',
      dryRun: true,
    })
  })
})
