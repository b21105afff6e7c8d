// Writes the JSON Schemas generated from the zod schemas (schemas/*.schema.json), which scenario
// files reference with `# yaml-language-server: $schema=...` so editors validate and complete them.
// A unit test fails when a committed schema is out of date. Usage: npm run schemas
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../server/config.ts';
import { SCHEMAS } from '../lib/schemas.ts';

for (const [file, schema] of Object.entries(SCHEMAS)) {
  writeFileSync(path.join(ROOT_DIR, 'schemas', file), JSON.stringify(schema(), null, 2) + '\n');
  console.log(`wrote schemas/${file}`);
}
