// Targets: your own gateway and / or authorization server as what the scenario catalogue runs against.
// Add one (form or target YAML), check it (reachable, TLS chain, a token, a call), run scenarios
// against it; the run lands in the same run history and run view as runs against the bundled stack.
import { TargetsView } from './TargetsView.tsx';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Targets' };

export default function TargetsPage() {
  return (
    <>
      <div className="page-header">
        <div>
          <div className="eyebrow">External targets</div>
          <h1>Targets</h1>
          <p className="lede">
            Run the same attacks against <em>your</em> gateway or authorization server: does it really refuse a stolen certificate-bound
            token replayed with another valid certificate? Server-internal checks of an external target are not observable; each step is
            judged on what the client sees (status, <code>WWW-Authenticate</code>, body). The CLI does the same:{' '}
            <code>npx fapi-sandbox run --target target.yaml</code>.
          </p>
        </div>
      </div>
      <TargetsView />
    </>
  );
}
