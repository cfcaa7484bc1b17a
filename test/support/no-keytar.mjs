// `node --import ./test/support/no-keytar.mjs …`: makes keytar unloadable in this process (see
// no-keytar-hooks.mjs). Test-only.
import { register } from 'node:module'

register('./no-keytar-hooks.mjs', import.meta.url)
