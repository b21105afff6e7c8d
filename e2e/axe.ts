// axe-core in the end-to-end tests: audit the page as it is now (WCAG 2.x A / AA rules and best
// practices), print every violation, and return the serious and critical ones (the ones that fail).
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';

export interface AxeFinding {
  page: string;
  id: string;
  impact: string;
  help: string;
  nodes: string[];
  count: number;
}

export async function audit(page: Page, name: string): Promise<AxeFinding[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const found = result.violations.map((v) => ({
    page: name, id: v.id, impact: v.impact ?? 'unknown', help: v.help, count: v.nodes.length, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
  }));
  for (const f of found) console.log(`axe ${f.impact} ${f.page}: ${f.id} ×${f.count} (${f.help}) at ${f.nodes.join(' | ')}`);
  return found;
}

/** The findings that fail a test, one line each. */
export function blocking(found: AxeFinding[]): string[] {
  return found.filter((f) => f.impact === 'serious' || f.impact === 'critical').map((f) => `${f.page}: ${f.id} ×${f.count} ${f.help} at ${f.nodes.join(' | ')}`);
}
