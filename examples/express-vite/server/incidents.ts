import { createIncidentStore, type Database, type IncidentsConfig } from '@fragmentkit/server';
import { createPgliteDatabase } from '@fragmentkit/server/pglite';

/** Opens the database on first use, so pages that never report an incident never start PGlite. */
function openOnFirstUse(open: () => Database): Database {
  let db: Database | undefined;
  const get = () => {
    db ??= open();
    return db;
  };
  return {
    query: (sql, params) => get().query(sql, params),
    transaction: (work) => get().transaction(work),
    close: async () => {
      await db?.close();
    },
  };
}

/**
 * Incident reporting for the reference app: an in-memory PGlite store (nothing on disk, gone
 * on restart). The app has no sign-in, so guests may create projects and read incidents, each
 * browser address being its own team; a real host passes `auth` to `createFragmentkit` and
 * leaves `allowGuests` off.
 */
export function demoIncidents(): IncidentsConfig {
  const db = openOnFirstUse(() => createPgliteDatabase({ dataDir: 'memory://' }));
  return { store: createIncidentStore(db), allowGuests: true };
}
