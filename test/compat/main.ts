// `npm run compat`: runs the matrix's scenarios against every product of test/compat/products.ts and
// writes docs/compatibility.json (the recorded result) and docs/COMPATIBILITY.md (the table).
// `npm run compat -- --check`: runs it again and fails (exit 1) when the result differs from the recorded
// one, printing the differences; nothing is written. `--only <id>[,<id>]` runs some rows (no writing).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../../server/config.ts';
import { PRODUCTS } from './products.ts';
import { matrixScenarios, runProduct, type Row } from './run.ts';
import { compareMatrices, renderMarkdown, toMatrix, type Matrix } from './matrix.ts';

const JSON_FILE = path.join(ROOT_DIR, 'docs', 'compatibility.json');
const MD_FILE = path.join(ROOT_DIR, 'docs', 'COMPATIBILITY.md');

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? (argv[onlyAt + 1] ?? '').split(',').filter(Boolean) : null;
  const products = only ? PRODUCTS.filter((p) => only.includes(p.id)) : PRODUCTS;
  if (only && products.length !== only.length) {
    console.error(`unknown product: ${only.filter((id) => !PRODUCTS.some((p) => p.id === id)).join(', ')} (known: ${PRODUCTS.map((p) => p.id).join(', ')})`);
    return 2;
  }
  const scenarios = matrixScenarios();
  const rows: Row[] = [];
  for (const product of products) {
    const started = Date.now();
    const row = await runProduct(product, scenarios, (line) => console.log(line));
    const counts = Object.values(row.cells).reduce<Record<string, number>>((acc, c) => ((acc[c.outcome] = (acc[c.outcome] ?? 0) + 1), acc), {});
    console.log(`${product.id}: ${row.missing ? `not run (${row.missing})` : JSON.stringify(counts)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    rows.push(row);
  }
  const matrix = toMatrix(scenarios, rows);
  if (check) {
    const recorded = JSON.parse(readFileSync(JSON_FILE, 'utf8')) as Matrix;
    const diffs = compareMatrices(recorded, matrix, only);
    if (diffs.length) {
      console.error(`The compatibility matrix differs from docs/compatibility.json (regenerate it with npm run compat if the change is right):\n${diffs.map((d) => `  ${d}`).join('\n')}`);
      return 1;
    }
    console.log(`The compatibility matrix equals docs/compatibility.json (${rows.length} rows, ${scenarios.length} scenarios).`);
    return 0;
  }
  if (only) {
    console.log(JSON.stringify(matrix.rows, null, 2));
    return 0;
  }
  writeFileSync(JSON_FILE, `${JSON.stringify(matrix, null, 2)}\n`);
  writeFileSync(MD_FILE, renderMarkdown(matrix));
  console.log(`wrote ${path.relative(ROOT_DIR, JSON_FILE)} and ${path.relative(ROOT_DIR, MD_FILE)}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
