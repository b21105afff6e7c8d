// Step "mint": a certificate issued during the scenario, with a chosen flaw (expired, untrusted CA...).
import type { MintStep } from '../../../lib/scenario/schema.ts';
import type { ScenarioState } from '../state.ts';
import { EngineError } from '../errors.ts';

export async function mintStep(step: MintStep['mint'], state: ScenarioState): Promise<void> {
  const mint = state.target.mint;
  if (!mint) throw new EngineError('unsupported', 'the target cannot mint certificates (no CA key)');
  const subject = step.subject ? state.text(step.subject) : step.subjectOf ? state.certificate(state.text(step.subjectOf)).summary.subject : null;
  if (!subject) throw new EngineError('unknown-certificate', 'mint needs subject or subjectOf');
  const minted = await mint({ name: step.name, subject, flaw: step.flaw });
  state.minted.set(step.name, minted);
  state.emit({ type: 'certificate.minted', name: step.name, certificate: minted.summary, flaw: step.flaw });
}
