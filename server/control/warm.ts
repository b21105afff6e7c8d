// Warms what the web UI's first Run needs, off the start-up path: the scenario catalogue (30 YAML
// files parsed and validated, ~0.4 s cold) and Prisma's plans for the run queries, so the first
// trace event reaches the browser as fast as the later ones.
import type { Stack } from '../stack-types.ts';

export async function warmUp(stack: Stack): Promise<void> {
  try {
    stack.catalogue.get();
    await stack.db.prisma.run.findMany({ take: 1, include: { scenarios: { select: { scenarioId: true }, take: 1 } } });
    await stack.db.prisma.event.findFirst({ select: { seq: true } });
  } catch {
    // The stack may be stopping; nothing to warm then.
  }
}
