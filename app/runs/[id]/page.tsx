// Run view (live or stored): the run's summary and its timeline, replayed from the trace events.
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { controlGet } from '../../_lib/server-api.ts';
import type { RunDetail } from '../../_lib/types.ts';
import { RunView } from '../../_components/RunView.tsx';

export const dynamic = 'force-dynamic';

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  return { title: `Run ${(await params).id}` };
}

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const run = await controlGet<RunDetail>(`/api/runs/${encodeURIComponent(id)}`);
  if (!run) return notFound();
  return (
    <>
      <div className="crumbs"><Link prefetch={false} href="/runs">Runs</Link> / <code>{run.id}</code></div>
      <RunView run={run} />
    </>
  );
}
