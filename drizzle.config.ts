// drizzle-kit's configuration: `npm run db:generate` diffs src/main/core/db/schema.ts against the
// snapshots in drizzle/meta and writes the next SQL migration. Never edit a released migration.
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/main/core/db/schema.ts',
  out: './drizzle',
})
