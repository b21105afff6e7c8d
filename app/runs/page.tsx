// Run history from the database: status, duration, per-scenario results, and re-run.
import { controlGet } from '../_lib/server-api.ts';
import type { RunListItem } from '../_lib/types.ts';
import { RunsTable } from '../_components/RunsTable.tsx';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Runs' };

export default async function RunsPage() {
  const data = await controlGet<{ runs: RunListItem[] }>('/api/runs?limit=100');
  return (
    <>
      <div className="page-header">
        <div>
          <div className="eyebrow">History</div>
          <h1>Runs</h1>
          <p className="lede">Every run stored in the sandbox's database, from the UI, the CLI or the API. Open one to replay its timeline, or run the same selection again.</p>
        </div>
      </div>
      <RunsTable runs={data?.runs ?? []} />
    </>
  );
}
