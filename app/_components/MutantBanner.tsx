// A mutant gateway (FAPI_GATEWAY_DISABLE_CHECK) is said on every page: these checks always pass.
// Read from /api/health on the sandbox's own listener (FAPI_CONTROL_ORIGIN; unset while building).

export async function MutantBanner() {
  const origin = process.env.FAPI_CONTROL_ORIGIN;
  if (!origin) return null;
  const health = await fetch(`${origin}/api/health`, { cache: 'no-store' })
    .then((r) => r.json() as Promise<{ disabledChecks?: string[] }>)
    .catch(() => null);
  const disabled = health?.disabledChecks ?? [];
  if (!disabled.length) return null;
  return (
    <div className="mutant-banner" role="alert">
      Mutant gateway: {disabled.join(', ')} always pass{disabled.length === 1 ? 'es' : ''} (FAPI_GATEWAY_DISABLE_CHECK). For tests and demos only.
    </div>
  );
}
