import { describe, expect, it } from 'vitest'
import { loadProject } from '../../src/project.js'
import { renderService } from '../../src/scaffold/render.js'
import { SUPPORTED_TEMPLATES } from '../../src/scaffold/templates.js'
import { captureContext } from '../helpers/cli.js'
import { copyFixture, FIXTURE_COLUMNS, golden } from '../helpers/project.js'

/** Each template's complete output for fixtures/nself-project, kept as real files a reviewer can read. */
describe.each(SUPPORTED_TEMPLATES)('golden output: %s', (template) => {
  it('matches the files under test/golden/scaffold', async () => {
    const dir = copyFixture()
    const { ctx } = captureContext(dir, { env: { CS_2: `webhooks:${template}:3001:/webhooks` } })
    const { model } = await loadProject(ctx, {})
    const all = new Set(
      [...model.triggers, ...model.crons, ...model.external].flatMap((r) => r.handler ?? []),
    )
    const { files } = renderService(model, FIXTURE_COLUMNS.tables, {
      selected: all,
      present: new Set(),
      initService: true,
    })
    const listing = [...files].map(([path, f]) => `${f.kind.padEnd(9)} ${path}`).join('\n')
    await expect(`${listing}\n`).toMatchFileSnapshot(golden('scaffold', template, 'FILES.txt'))
    for (const [path, f] of files) {
      await expect(f.content).toMatchFileSnapshot(golden('scaffold', template, path))
    }
  })
})
