// #region migrate
// scripts/migrate.ts, run once per deploy before the new instances start
import { migrate } from '@fragmentkit/server';
import { createPostgresDatabase } from '@fragmentkit/server/postgres';

const db = createPostgresDatabase({ connectionString: process.env.DATABASE_URL });
try {
  await migrate(db);
} finally {
  await db.close();
}
// #endregion
