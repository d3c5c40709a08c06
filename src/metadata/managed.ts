import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as z from 'zod'
import { UserError } from '../errors.js'

/** The record of what nself-hooks manages, committed beside the config: a removed trigger is deleted, not orphaned. */
export const MANAGED_FILE = 'webhooks.managed.json'

const managedSchema = z.object({
  version: z.literal(1),
  eventTriggers: z.array(
    z.object({
      name: z.string(),
      source: z.string(),
      table: z.object({ schema: z.string(), name: z.string() }),
    }),
  ),
  cronTriggers: z.array(z.string()),
  /** tables whose file the tool created (tracked only for its triggers): untracked again when they empty */
  tables: z.array(z.object({ source: z.string(), schema: z.string(), name: z.string() })).optional(),
  /**
   * Names removed from the config: still owned, so every place that still has them (the files, each
   * server synced later, from any checkout) deletes them. Taking a name out of this list hands it back.
   */
  retired: z
    .object({
      eventTriggers: z.array(z.object({ name: z.string(), source: z.string() })),
      cronTriggers: z.array(z.string()),
    })
    .optional(),
})

export type Managed = z.infer<typeof managedSchema>

export const EMPTY_MANAGED: Managed = { version: 1, eventTriggers: [], cronTriggers: [], tables: [] }

export function managedPath(root: string): string {
  return join(root, MANAGED_FILE)
}

/**
 * The record, or an error naming it: read as empty, it would forget what was retired and which
 * tables the tool created, and the next run would rewrite it so, for good.
 */
export function readManaged(root: string): Managed {
  const file = managedPath(root)
  if (!existsSync(file)) return EMPTY_MANAGED
  const restore = `restore it from git (\`git checkout -- ${MANAGED_FILE}\`); it records which triggers nself-hooks manages, so nothing was changed until it is readable`
  let text: string
  let raw: unknown
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new UserError(`${file} cannot be read: ${(err as Error).message}`, { hint: restore, cause: err })
  }
  try {
    raw = JSON.parse(text)
  } catch (err) {
    const conflict = /^(<{7}|>{7}|={7})( |$)/m.test(text)
    throw new UserError(
      conflict
        ? `${file} has unresolved merge conflict markers`
        : `${file} is not valid JSON (${(err as Error).message})`,
      {
        hint: conflict
          ? 'resolve the conflict keeping the names of both sides (run `nself-hooks generate` afterwards to tidy it); nothing was changed'
          : restore,
        cause: err,
      },
    )
  }
  // parsed once per run: zod's compiled parsers would cost more than they save (src/config/validate.ts)
  const parsed = managedSchema.safeParse(raw, { jitless: true })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const at = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : ''
    throw new UserError(`${file} has an unexpected shape: ${issue?.message ?? 'invalid'}${at}`, {
      hint: restore,
    })
  }
  return parsed.data
}

export function renderManaged(m: Managed): string {
  const sorted: Managed = {
    version: 1,
    eventTriggers: [...m.eventTriggers]
      .sort((a, b) => cmp(a.source, b.source) || cmp(a.name, b.name))
      .map((t) => ({
        name: t.name,
        source: t.source,
        table: { schema: t.table.schema, name: t.table.name },
      })),
    cronTriggers: [...new Set(m.cronTriggers)].sort(cmp),
    tables: [...(m.tables ?? [])]
      .sort((a, b) => cmp(a.source, b.source) || cmp(a.schema, b.schema) || cmp(a.name, b.name))
      .map((t) => ({ source: t.source, schema: t.schema, name: t.name })),
  }
  if (sorted.tables?.length === 0) delete sorted.tables
  const retiredEt = [...(m.retired?.eventTriggers ?? [])]
    .sort((a, b) => cmp(a.source, b.source) || cmp(a.name, b.name))
    .map((t) => ({ name: t.name, source: t.source }))
  const retiredCt = [...new Set(m.retired?.cronTriggers ?? [])].sort(cmp)
  if (retiredEt.length + retiredCt.length > 0)
    sorted.retired = { eventTriggers: retiredEt, cronTriggers: retiredCt }
  return `${JSON.stringify(sorted, null, 2)}\n`
}

/** Ownership (generate and sync agree): in the model now, or recorded as managed before. */
export function ownedNames(
  model: { triggers: { name: string; source: string }[]; crons: { name: string }[] },
  managed: Managed,
): { eventTriggers: (source: string, name: string) => boolean; cronTriggers: (name: string) => boolean } {
  const et = new Set([
    ...model.triggers.map((t) => `${t.source}\u0000${t.name}`),
    ...managed.eventTriggers.map((t) => `${t.source}\u0000${t.name}`),
    ...(managed.retired?.eventTriggers ?? []).map((t) => `${t.source}\u0000${t.name}`),
  ])
  const ct = new Set([
    ...model.crons.map((c) => c.name),
    ...managed.cronTriggers,
    ...(managed.retired?.cronTriggers ?? []),
  ])
  return {
    eventTriggers: (source, name) => et.has(`${source}\u0000${name}`),
    cronTriggers: (name) => ct.has(name),
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The record after a run: what the model has now, and everything owned before that it no longer has. */
export function nextManaged(
  model: {
    triggers: { name: string; source: string; table: { schema: string; name: string } }[]
    crons: { name: string }[]
  },
  before: Managed,
  tables: Managed['tables'],
): Managed {
  const current = new Set(model.triggers.map((t) => `${t.source}\u0000${t.name}`))
  const currentCrons = new Set(model.crons.map((c) => c.name))
  const retiredEt = [...before.eventTriggers, ...(before.retired?.eventTriggers ?? [])]
    .filter((t) => !current.has(`${t.source}\u0000${t.name}`))
    .map((t) => ({ name: t.name, source: t.source }))
  const retiredCt = [...before.cronTriggers, ...(before.retired?.cronTriggers ?? [])].filter(
    (n) => !currentCrons.has(n),
  )
  const seen = new Set<string>()
  return {
    version: 1,
    eventTriggers: model.triggers.map((t) => ({ name: t.name, source: t.source, table: t.table })),
    cronTriggers: model.crons.map((c) => c.name),
    tables,
    retired: {
      eventTriggers: retiredEt.filter((t) => {
        const k = `${t.source}\u0000${t.name}`
        if (seen.has(k)) return false
        seen.add(k)
        return true
      }),
      cronTriggers: [...new Set(retiredCt)],
    },
  }
}

export interface Present {
  eventTriggers: { source: string; name: string; where: string }[]
  cronTriggers: { name: string; where: string }[]
}

/**
 * Triggers and crons that exist (in the files or on a server) under a name the config now uses,
 * but that nself-hooks never managed: made by hand, so taking them over needs the user's word (--adopt).
 */
export function takeovers(
  model: { triggers: { name: string; source: string }[]; crons: { name: string }[] },
  managed: Managed[],
  present: Present,
): string[] {
  const known = new Set(
    managed.flatMap((m) => [
      ...m.eventTriggers.map((t) => `e\u0000${t.source}\u0000${t.name}`),
      ...(m.retired?.eventTriggers ?? []).map((t) => `e\u0000${t.source}\u0000${t.name}`),
      ...m.cronTriggers.map((n) => `c\u0000${n}`),
      ...(m.retired?.cronTriggers ?? []).map((n) => `c\u0000${n}`),
    ]),
  )
  const wanted = new Set([
    ...model.triggers.map((t) => `e\u0000${t.source}\u0000${t.name}`),
    ...model.crons.map((c) => `c\u0000${c.name}`),
  ])
  const out: string[] = []
  for (const t of present.eventTriggers) {
    const k = `e\u0000${t.source}\u0000${t.name}`
    if (wanted.has(k) && !known.has(k)) out.push(`event trigger "${t.name}" (${t.where})`)
  }
  for (const c of present.cronTriggers) {
    const k = `c\u0000${c.name}`
    if (wanted.has(k) && !known.has(k)) out.push(`cron trigger "${c.name}" (${c.where})`)
  }
  return [...new Set(out)]
}

export function takeoverError(found: string[], command: string): UserError {
  return new UserError(
    `the config would take over ${found.length === 1 ? 'a trigger' : `${found.length} triggers`} made outside nself-hooks:\n${found.map((f) => `  ${f}`).join('\n')}`,
    {
      hint: `rename the config entry to keep the hand-made one, or run \`nself-hooks ${command} --adopt\` to manage it from now on (its definition becomes the config's); if nself-hooks made it from another checkout, commit ${MANAGED_FILE} there. Nothing was written`,
    },
  )
}

/**
 * A config that declares no trigger and no cron, about to delete every one nself-hooks manages:
 * the likeliest cause is a config that lost its content, so the user has to say it in a flag.
 */
export function deleteAllError(lost: string[], where: string, command: string): UserError {
  const shown = lost.slice(0, 8).join(', ') + (lost.length > 8 ? ` and ${lost.length - 8} more` : '')
  return new UserError(
    `the config declares no event or cron trigger, so this would delete every one nself-hooks manages (${lost.length} ${where}: ${shown}): nothing was changed`,
    {
      hint: `if the config lost them by mistake (an emptied file, a missing \`export default\`), fix it; to delete them all, run \`nself-hooks ${command} --allow-delete-all\``,
    },
  )
}
