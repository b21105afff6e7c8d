// Machine output: the run result as JSON (scenarios, steps, expectations, failed checks).
import type { RunResult } from '../../engine/runner.ts';

export function jsonReport(result: RunResult, startupMs: number | null): string {
  return JSON.stringify({ tool: 'fapi-sandbox', ...result, stackStartupMs: startupMs }, null, 2) + '\n';
}
