// docs/api.md is generated from the contract (scripts/api-docs.ts): the committed file must be what the
// generator prints today, so a new or changed command cannot leave the docs behind.

import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { COMMAND_NAMES, EVENT_NAMES } from '../src/shared/channels'
import { API_DOCS_COMMAND, API_DOCS_PATH, renderApiDocs } from '../scripts/api-docs'

describe('docs/api.md', () => {
  const generated = renderApiDocs()

  it('is what the generator prints from the contract', () => {
    const committed = readFileSync(API_DOCS_PATH, 'utf8')
    if (committed !== generated) {
      expect.fail(`docs/api.md differs from the contract: run \`${API_DOCS_COMMAND}\` and commit docs/api.md.`)
    }
  })

  it('has a section for every command and a row for every event', () => {
    for (const name of COMMAND_NAMES) expect(generated).toContain(`\n### ${name}\n\n\`POST /api/${name}\``)
    for (const name of EVENT_NAMES) expect(generated).toContain(`| \`${name}\` |`)
  })
})
