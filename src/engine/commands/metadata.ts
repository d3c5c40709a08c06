import { dropEventCatalog } from '../catalog.js'
import { checkConsistency, dropObject } from '../consistency.js'
import type { Core } from '../core.js'
import { checkDuplicateTriggerNames, normalizeMetadata } from '../metadata/document.js'
import { emptyMetadata, exportForm, type JsonObject } from '../metadata/model.js'
import { type CommandCtx, SUCCESS } from './context.js'

// export_metadata, replace_metadata, reload_metadata, clear_metadata, get_inconsistent_metadata,
// drop_inconsistent_metadata

export async function exportMetadata(core: Core, _a: JsonObject, cmd: CommandCtx) {
  return core.serial(async () => {
    await core.refresh()
    const metadata = exportForm(core.state.metadata)
    return cmd.version === 2 ? { resource_version: core.state.resourceVersion, metadata } : metadata
  })
}

export async function replaceMetadata(core: Core, a: JsonObject, cmd: CommandCtx) {
  const isV2 = 'metadata' in a && typeof a.metadata === 'object' && a.metadata !== null && !('sources' in a)
  const raw = isV2 ? a.metadata : a
  const base = isV2 ? '$.args.metadata' : '$.args'
  const allowInconsistent = isV2 ? a.allow_inconsistent_metadata === true : false
  checkDuplicateTriggerNames(emptyMetadata(), raw)
  const metadata = normalizeMetadata(raw, base)
  const { inconsistent } = await core.change(
    cmd.resourceVersion,
    (d) => {
      d.metadata = metadata
      // non-metadata crons survive a replace; a metadata cron of the same name wins
      const names = new Set((metadata.cron_triggers ?? []).map((c) => c.name))
      d.hiddenCrons = d.hiddenCrons.filter((c) => !names.has(c.name))
      // a cron listed in the new metadata with include_in_metadata:false is still a non-exported cron
      const listed = metadata.cron_triggers ?? []
      const hidden = listed.filter((c) => !c.include_in_metadata)
      if (hidden.length > 0) {
        metadata.cron_triggers = listed.filter((c) => c.include_in_metadata)
        d.hiddenCrons.push(...hidden)
      }
    },
    { allowInconsistent: true, strict: !allowInconsistent },
  )
  if (!isV2) return SUCCESS
  return { is_consistent: inconsistent.length === 0, inconsistent_objects: inconsistent }
}

export async function reloadMetadata(core: Core, a: JsonObject, cmd: CommandCtx) {
  await core.change(cmd.resourceVersion, () => undefined, {
    allowInconsistent: true,
    recreateTriggers: a.recreate_event_triggers === true,
  })
  const inconsistent = await core.inconsistentObjects()
  return inconsistent.length === 0
    ? { message: 'success', is_consistent: true }
    : { message: 'success', is_consistent: false, inconsistent_objects: inconsistent }
}

export async function clearMetadata(core: Core, _a: JsonObject, cmd: CommandCtx) {
  await core.change(
    cmd.resourceVersion,
    (d) => {
      d.metadata = emptyMetadata()
      d.hiddenCrons = []
    },
    { allowInconsistent: true, inTx: (tx) => dropEventCatalog(tx) },
  )
  return SUCCESS
}

export async function getInconsistentMetadata(core: Core) {
  const inconsistent = await core.inconsistentObjects()
  return { is_consistent: inconsistent.length === 0, inconsistent_objects: inconsistent }
}

export async function dropInconsistentMetadata(core: Core, _a: JsonObject, cmd: CommandCtx) {
  await core.change(cmd.resourceVersion, async (d, tx) => {
    const { inconsistent } = await checkConsistency(tx, d.metadata, core.env)
    for (const o of inconsistent) dropObject(d.metadata, o)
  })
  return SUCCESS
}
