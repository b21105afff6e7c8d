// The sequence-diagram cell of one step: lifelines for the scenario's lanes (Browser (PSU) when an
// authorize step plays it, Client, Gateway, Identity provider, API), a request arrow to the server,
// the hop to the API when the gateway forwards, a cross where a check (or the TLS handshake) refused
// it, the response arrow with its status, and the browser handing the authorization response to the
// app. Decorative for assistive technology: the timeline carries the same in words (describeArrows).
import type { ReactNode } from 'react';
import { isAttacker, laneX, type ArrowPlan, type Lane, type LaneLayout, type RequestArrow } from '../_lib/lanes.ts';

const ROW = 64;
const INK = '#334155';
const FAIL = '#b4161b';
const PASS = '#05734f';

/** The CSS class of a lane's colour: an actor's lane is a client's, an attacker's has its own. */
export function laneClass(lane: Lane): string {
  if (!lane.startsWith('actor:')) return `lane-${lane}`;
  return isAttacker(lane) ? 'lane-client lane-attacker' : 'lane-client';
}

export function SeqDefs({ id }: { id: string }) {
  return (
    <svg width="0" height="0" style={{ position: 'absolute' }} aria-hidden="true" focusable="false">
      <defs>
        {(['ink', 'fail', 'pass'] as const).map((c) => (
          <marker key={c} id={`${id}-${c}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" fill={c === 'ink' ? INK : c === 'fail' ? FAIL : PASS} />
          </marker>
        ))}
      </defs>
    </svg>
  );
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function Arrow({ from, to, y, kind, marker, label, color, layout }: { from: Lane; to: Lane; y: number; kind: 'req' | 'res' | 'handoff'; marker: string; label: string; color: string; layout: LaneLayout }) {
  const a = laneX(layout, from);
  const b = laneX(layout, to);
  const leftToRight = a < b;
  // Stop short of the lifeline so the arrowhead stays visible.
  const x1 = a + (leftToRight ? 0.6 : -0.6);
  const x2 = b + (leftToRight ? -0.8 : 0.8);
  return (
    <g>
      <line x1={`${x1}%`} x2={`${x2}%`} y1={y} y2={y} className={kind === 'req' ? 'arrow-req' : kind === 'res' ? 'arrow-res' : 'arrow-handoff'} stroke={color} markerEnd={`url(#${marker})`} />
      <text x={`${(a + b) / 2}%`} y={y - 6} textAnchor="middle" className="arrow-label" fill={color}>
        {label}
      </text>
    </g>
  );
}

function RequestRow({ a, base, layout, m }: { a: RequestArrow; base: number; layout: LaneLayout; m: (c: 'ink' | 'fail' | 'pass') => string }) {
  const out: ReactNode[] = [<title key="t">{a.title}</title>];
  if (a.tlsRefused) {
    const stop = (laneX(layout, a.from) + laneX(layout, a.to)) / 2 + 4;
    const mid = `${(laneX(layout, a.from) + laneX(layout, a.to)) / 2}%`;
    out.push(
      <g key="tls">
        <line x1={`${laneX(layout, a.from) + 0.6}%`} x2={`${stop}%`} y1={base} y2={base} className="arrow-req" stroke={FAIL} />
        <text x={mid} y={base - 6} textAnchor="middle" className="arrow-label" fill={FAIL}>{a.label}</text>
        <g transform={`translate(0, ${base})`}>
          <svg x={`${stop}%`} overflow="visible">
            <line x1="-6" y1="-6" x2="6" y2="6" className="refusal-x" />
            <line x1="-6" y1="6" x2="6" y2="-6" className="refusal-x" />
          </svg>
        </g>
        <text x={mid} y={base + 22} textAnchor="middle" className="arrow-label" fill={FAIL}>TLS handshake refused</text>
      </g>,
    );
    return <g>{out}</g>;
  }
  const ok = a.status !== null && a.status < 400;
  out.push(<Arrow key="req" from={a.from} to={a.to} y={base} kind="req" marker={m('ink')} label={a.label} color={INK} layout={layout} />);
  if (a.forwarded) out.push(<Arrow key="fwd" from="gateway" to="api" y={base + 12} kind="req" marker={m('ink')} label="forward" color={INK} layout={layout} />);
  if (a.refusedBy) {
    out.push(
      <g key="x" transform={`translate(0, ${base + 14})`}>
        <svg x={`${laneX(layout, a.to)}%`} overflow="visible">
          <circle r="10" fill="#fff" stroke={FAIL} strokeWidth="2" />
          <line x1="-4.5" y1="-4.5" x2="4.5" y2="4.5" className="refusal-x" strokeWidth="2.5" />
          <line x1="-4.5" y1="4.5" x2="4.5" y2="-4.5" className="refusal-x" strokeWidth="2.5" />
        </svg>
      </g>,
    );
  }
  const status = a.status ? String(a.status) : '–';
  out.push(
    <Arrow
      key="res" from={a.to} to={a.from} y={base + 32} kind="res" marker={m(ok ? 'pass' : 'fail')} color={ok ? PASS : FAIL} layout={layout}
      label={a.responseNote ? `${status} ${clip(a.responseNote, 26)}` : status}
    />,
  );
  return <g>{out}</g>;
}

export function SequenceLanes({ arrows, note, defsId, layout }: { arrows: ArrowPlan[]; note?: string | null; defsId: string; layout: LaneLayout }) {
  const heights = arrows.map((a) => (a.kind === 'request' ? ROW : ROW * 0.7));
  const height = Math.max(78, heights.reduce((s, h) => s + h, 0) + 14);
  const m = (c: 'ink' | 'fail' | 'pass') => `${defsId}-${c}`;
  let y = 26;
  return (
    <div className="seq-cell" style={{ minHeight: height }}>
      <svg aria-hidden="true" focusable="false">
        {layout.lanes.map((l) => (
          <line key={l.id} x1={`${l.x}%`} x2={`${l.x}%`} y1="0" y2="100%" className={`lifeline ${laneClass(l.id)}`} />
        ))}
        {arrows.map((a, i) => {
          const base = y;
          y += heights[i]!;
          if (a.kind === 'theft') {
            return (
              <g key={i} data-arrow="theft">
                <title>{a.title}</title>
                <Arrow from={a.from} to={a.to} y={base + 8} kind="handoff" marker={m('fail')} label={a.label} color={FAIL} layout={layout} />
              </g>
            );
          }
          if (a.kind === 'handoff') {
            return (
              <g key={i}>
                <title>{a.title}</title>
                <Arrow from={a.from} to={a.to} y={base + 8} kind="handoff" marker={m(a.ok ? 'pass' : 'fail')} label={`redirect: ${a.label}`} color={a.ok ? PASS : FAIL} layout={layout} />
              </g>
            );
          }
          return <RequestRow key={i} a={a} base={base} layout={layout} m={m} />;
        })}
        {!arrows.length && note ? (
          <g>
            <circle cx={`${laneX(layout, 'client')}%`} cy="36" r="6" fill="var(--lane-client)" className="node" />
            <text x={`${laneX(layout, 'client') + 2.5}%`} y="40" className="arrow-label" fill={INK}>{note}</text>
          </g>
        ) : null}
      </svg>
    </div>
  );
}
