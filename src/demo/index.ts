export { createDemoSchema } from './demo-schema.js';
export { openEmbeddedDatabase, type EmbeddedDatabase } from './embedded-database.js';
export type { InvalidKind } from './generate-demo-user.js';
export { seedDemoUsers, type SeedDemoUsersOptions, type SeedDemoUsersResult } from './seed-demo-users.js';
