// Prisma CLI configuration (prisma 7). The database URL follows FAPI_DATA_DIR like the server does.
import path from 'node:path';
import { defineConfig } from 'prisma/config';

const dataDir = process.env.FAPI_DATA_DIR ?? 'data';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: `file:${path.resolve(dataDir, 'sandbox.db')}` },
});
