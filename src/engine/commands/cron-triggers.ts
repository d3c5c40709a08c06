import * as z from 'zod'
import { validCronSchedule } from '../consistency.js'
import type { Core } from '../core.js'
import { cronEnvProblem } from '../env-check.js'
import { ApiError, alreadyExists, notExists, parseFailed } from '../errors.js'
import { createCronTriggerArgs, cronWithDefaults, normalizeCron } from '../metadata/cron-triggers.js'
import type { JsonObject } from '../metadata/model.js'
import { parseWith } from '../metadata/parse.js'
import { allCrons } from '../store.js'
import { type CommandCtx, SUCCESS } from './context.js'

// create_cron_trigger, delete_cron_trigger, get_cron_triggers

const deleteCronArgs = z.object({ name: z.string() }).loose()

export async function createCron(core: Core, a: JsonObject, cmd: CommandCtx) {
  const p = parseWith(createCronTriggerArgs, a)
  const valid = validCronSchedule(p.schedule)
  if (!valid) {
    const e = parseFailed(`invalid cron expression: ${JSON.stringify(p.schedule)}`, '$.args.schedule')
    e.fromArgs = true
    throw e
  }
  const { replace: _r, ...rest } = a
  const cron = normalizeCron(rest)
  // Hasura builds the cron into its schema cache first (resolveCronTrigger): an env name it cannot
  // resolve makes the cron inconsistent, and the command fails (hidden crons included)
  const envIssue = cronEnvProblem(cron, core.env)
  if (envIssue) {
    const reason = `Inconsistent object: ${envIssue}`
    throw new ApiError(400, 'invalid-configuration', reason, '$', [
      { type: 'cron_trigger', name: `cron_trigger ${cron.name}`, definition: cron, reason },
    ])
  }
  await core.change(cmd.resourceVersion, (d) => {
    const exists = allCrons(d).some((c) => c.name === cron.name)
    if (exists && !p.replace) throw alreadyExists(`cron trigger with name: ${cron.name} already exists`)
    if (!exists && p.replace) throw notExists(`cron trigger with name: ${cron.name} does not exist`)
    d.metadata.cron_triggers = (d.metadata.cron_triggers ?? []).filter((c) => c.name !== cron.name)
    d.hiddenCrons = d.hiddenCrons.filter((c) => c.name !== cron.name)
    if (cron.include_in_metadata) {
      d.metadata.cron_triggers.push(cron)
      d.metadata.cron_triggers.sort((x, y) => (x.name < y.name ? -1 : 1))
    } else d.hiddenCrons.push(cron)
    if (d.metadata.cron_triggers.length === 0) delete d.metadata.cron_triggers
  })
  return SUCCESS
}

export async function deleteCron(core: Core, a: JsonObject, cmd: CommandCtx) {
  const p = parseWith(deleteCronArgs, a)
  await core.change(cmd.resourceVersion, (d) => {
    const inMeta = (d.metadata.cron_triggers ?? []).some((c) => c.name === p.name)
    const hidden = d.hiddenCrons.some((c) => c.name === p.name)
    if (!inMeta && !hidden) throw notExists(`cron trigger with name: ${p.name} does not exist`)
    d.metadata.cron_triggers = (d.metadata.cron_triggers ?? []).filter((c) => c.name !== p.name)
    if (d.metadata.cron_triggers.length === 0) delete d.metadata.cron_triggers
    d.hiddenCrons = d.hiddenCrons.filter((c) => c.name !== p.name)
  })
  return SUCCESS
}

export async function getCronTriggers(core: Core) {
  return {
    cron_triggers: allCrons(core.state)
      .sort((x, y) => (x.name < y.name ? -1 : 1))
      .map(cronWithDefaults),
  }
}
