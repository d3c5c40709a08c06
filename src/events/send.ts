import { UserError } from '../errors.js'
import type { ModelCron } from '../model/types.js'
import { type Outcome, waitForOutcome } from './bulk.js'
import type { Session } from './lookup.js'
import { collect, deliver, type PostOutcome } from './post.js'
import { sampleRow } from './sample-row.js'
import { chooseOp, columnsOf, type Op, syntheticCronRequest, syntheticTriggerRequest } from './synthetic.js'

export interface SendInput {
  /** a trigger or cron of the config */
  trigger: string
  op?: string | undefined
  new?: unknown
  old?: unknown
  session?: Record<string, string> | undefined
  /** post here instead of the configured webhook */
  to?: string | undefined
  /** ask Hasura to invoke the trigger (manual mode) instead of posting directly */
  viaHasura?: boolean | undefined
  /** with viaHasura: follow the event until it is delivered or fails */
  wait?: boolean | undefined
  timeoutMs: number
  /** told each warning as it happens (the result lists them too) */
  warn?: ((message: string) => void) | undefined
}

/** `send`: a synthetic event posted to the handler, or a manual event Hasura stores and delivers. */
export type SendResult =
  | { kind: 'post'; op: Op | 'cron'; post: PostOutcome; warnings: string[] }
  | {
      kind: 'hasura'
      event_id: string
      trigger: string
      /** with `wait`: the outcome, undefined when it was still pending at the deadline */
      waited?: { outcome: Outcome | undefined }
    }

export async function sendEvent(s: Session, input: SendInput): Promise<SendResult> {
  const { model } = s.project
  const trigger = model.triggers.find((t) => t.name === input.trigger)
  if (!trigger) {
    const cron = model.crons.find((x) => x.name === input.trigger)
    if (cron) return sendCron(s, cron, input)
    const names = [...model.triggers.map((t) => t.name), ...model.crons.map((x) => x.name)]
    throw new UserError(`no trigger or cron named ${input.trigger} in webhooks.config.ts`, {
      hint: names.length ? `one of: ${names.join(', ')}` : 'add it under triggers: in webhooks.config.ts',
    })
  }
  const op = input.viaHasura && input.op === undefined ? 'manual' : chooseOp(trigger, input.op)

  if (input.viaHasura) {
    if (op !== 'manual' || !trigger.definition.enable_manual) {
      throw new UserError(
        `--via-hasura invokes a manual event, and trigger ${trigger.name} ${trigger.definition.enable_manual ? `got --op ${op}` : 'does not enable manual mode'}`,
        {
          hint: trigger.definition.enable_manual
            ? 'drop --op, or use --op manual'
            : `add \`manual: true\` to triggers.${trigger.name}.on and run nself-hooks sync; or send without --via-hasura`,
        },
      )
    }
    const cols = input.new === undefined ? await columnsOf(s, trigger) : undefined
    const row =
      input.new ??
      (cols ? sampleRow(cols, 1, new Date(), { stringifyNumbers: model.hasura.stringifyNumericTypes }) : {})
    const id = await s.api.invoke(trigger.name, row)
    const result: SendResult = { kind: 'hasura', event_id: id, trigger: trigger.name }
    if (input.wait)
      result.waited = { outcome: await waitForOutcome(s.api, id, { timeoutMs: input.timeoutMs }) }
    return result
  }

  const { warnings, warn } = collect(input.warn)
  const req = await syntheticTriggerRequest(
    s,
    trigger,
    {
      op,
      ...(input.new !== undefined ? { new: input.new } : {}),
      ...(input.old !== undefined ? { old: input.old } : {}),
      ...(input.session ? { session: input.session } : {}),
      ...(input.to !== undefined ? { to: input.to } : {}),
    },
    warn,
  )
  const post = await deliver(req.url, req.body, req.headers, req.timeoutSec, `trigger ${trigger.name}, ${op}`)
  return { kind: 'post', op, post, warnings }
}

/** A cron: its payload posted as Hasura would at the scheduled time (docs/hasura-compatibility.md "Cron triggers"). */
async function sendCron(s: Session, cron: ModelCron, input: SendInput): Promise<SendResult> {
  if (input.op !== undefined || input.new !== undefined || input.old !== undefined || input.viaHasura) {
    throw new UserError(`${cron.name} is a cron: --op, --new, --old and --via-hasura do not apply`, {
      hint: `nself-hooks send ${cron.name}  (posts its payload as Hasura would at the scheduled time)`,
    })
  }
  const { warnings, warn } = collect(input.warn)
  const req = await syntheticCronRequest(s, cron, input.to !== undefined ? { to: input.to } : {}, warn)
  const post = await deliver(req.url, req.body, req.headers, req.timeoutSec, `cron ${cron.name}`)
  return { kind: 'post', op: 'cron', post, warnings }
}
