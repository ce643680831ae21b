// Prisma 7 CLI configuration (client generation). The datasource URL lives here, not in
// schema.prisma. Migrations are applied by src/db/migrate.ts (see README: "Migrations").
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/morprom' },
});
