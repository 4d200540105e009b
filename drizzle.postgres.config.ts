import { defineConfig } from 'drizzle-kit';

// Migrations of Inlet's own tables in PostgreSQL, generated from the schema:
//   npx drizzle-kit generate --config drizzle.postgres.config.ts --name <what_changes>
// test/unit/migrations-drift.test.ts fails when the schema has changes no migration holds.
// 0000_sink_offsets's "when" in meta/_journal.json is kept at 1795000000000, the time the
// hand-written migration it replaced was recorded under: drizzle's migrator applies every
// migration newer than the last one a database recorded, so a later "when" would create the
// table again in databases that have it (test/e2e/migrations-upgrade.test.ts).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/pg.ts',
  out: './migrations/postgres',
});
