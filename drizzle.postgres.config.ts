// drizzle-kit's configuration for the PostgreSQL backend: `npm run db:generate:postgres` diffs
// src/main/core/db/postgres/schema.ts against drizzle/postgres/meta and writes the next migration.
// Kept apart from the SQLite migrations (drizzle.config.ts). Never edit a released migration.
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/main/core/db/postgres/schema.ts',
  out: './drizzle/postgres',
})
