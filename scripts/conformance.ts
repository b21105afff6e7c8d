// Writes docs/CONFORMANCE.md from lib/conformance/requirements.ts, the scenarios' references and
// docs/mutants.json. A unit test fails when the committed file is stale. Usage: npm run conformance
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../server/config.ts';
import { loadConformance } from '../server/conformance.ts';
import { renderConformance } from '../lib/conformance/model.ts';

writeFileSync(path.join(ROOT_DIR, 'docs', 'CONFORMANCE.md'), renderConformance(loadConformance(ROOT_DIR)));
console.log('wrote docs/CONFORMANCE.md');
