// The sequence-diagram cell of one step: lifelines for Client, Gateway, Identity provider and API,
// a request arrow to the server, the hop to the API when the gateway forwards, a cross where a
// check (or the TLS handshake) refused it, and the response arrow with its status.
import type { ReactNode } from 'react';
import type { ArrowPlan, Lane } from '../_lib/lanes.ts';
import { LANE_X, LANES } from '../_lib/lanes.ts';

const ROW = 54;

function x(lane: Lane): string {
  return `${LANE_X[lane]}%`;
}

function mid(a: Lane, b: Lane): string {
  return `${(LANE_X[a] + LANE_X[b]) / 2}%`;
}

export function SeqDefs({ id }: { id: string }) {
  return (
    <svg width="0" height="0" style={{ position: 'absolute' }} aria-hidden="true" focusable="false">
      <defs>
        {(['ink', 'fail', 'pass'] as const).map((c) => (
          <marker key={c} id={`${id}-${c}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" fill={c === 'ink' ? '#334155' : c === 'fail' ? '#b4161b' : '#05734f'} />
          </marker>
        ))}
      </defs>
    </svg>
  );
}

function Arrow({ from, to, y, kind, marker, label, color }: { from: Lane; to: Lane; y: number; kind: 'req' | 'res'; marker: string; label: string; color: string }) {
  const leftToRight = LANE_X[from] < LANE_X[to];
  // Stop short of the lifeline so the arrowhead stays visible.
  const x1 = LANE_X[from] + (leftToRight ? 0.6 : -0.6);
  const x2 = LANE_X[to] + (leftToRight ? -0.8 : 0.8);
  return (
    <g>
      <line x1={`${x1}%`} x2={`${x2}%`} y1={y} y2={y} className={kind === 'req' ? 'arrow-req' : 'arrow-res'} stroke={color} markerEnd={`url(#${marker})`} />
      <text x={mid(from, to)} y={y - 6} textAnchor="middle" className="arrow-label" fill={color}>
        {label}
      </text>
    </g>
  );
}

export function SequenceLanes({ arrows, note, defsId }: { arrows: ArrowPlan[]; note?: string | null; defsId: string }) {
  const height = Math.max(74, arrows.length * ROW * 1.25 + 12);
  const m = (c: 'ink' | 'fail' | 'pass') => `${defsId}-${c}`;
  return (
    <div className="seq-cell" style={{ minHeight: height }}>
      <svg role="img" aria-label={describe(arrows, note)}>
        {LANES.map((l) => (
          <line key={l.id} x1={x(l.id)} x2={x(l.id)} y1="0" y2="100%" className="lifeline" />
        ))}
        {arrows.map((a, i) => {
          const base = 24 + i * ROW * 1.25;
          const resColor = a.status && a.status < 400 ? '#05734f' : '#b4161b';
          const out: ReactNode[] = [];
          if (a.tlsRefused) {
            const stop = (LANE_X.client + LANE_X[a.to]) / 2 + 4;
            out.push(
              <g key="tls">
                <line x1={`${LANE_X.client + 0.6}%`} x2={`${stop}%`} y1={base} y2={base} className="arrow-req" stroke="#b4161b" />
                <text x={mid('client', a.to)} y={base - 6} textAnchor="middle" className="arrow-label" fill="#b4161b">{a.label}</text>
                <g transform={`translate(0, ${base})`}>
                  <svg x={`${stop}%`} overflow="visible">
                    <line x1="-6" y1="-6" x2="6" y2="6" className="refusal-x" />
                    <line x1="-6" y1="6" x2="6" y2="-6" className="refusal-x" />
                  </svg>
                </g>
                <text x={mid('client', a.to)} y={base + 22} textAnchor="middle" className="arrow-label" fill="#b4161b">TLS handshake refused</text>
              </g>,
            );
            return <g key={i}>{out}</g>;
          }
          out.push(<Arrow key="req" from="client" to={a.to} y={base} kind="req" marker={m('ink')} label={a.label} color="#334155" />);
          if (a.forwarded) {
            out.push(<Arrow key="fwd" from="gateway" to="api" y={base + 12} kind="req" marker={m('ink')} label="forward" color="#334155" />);
          }
          if (a.refusedBy) {
            out.push(
              <g key="x" transform={`translate(0, ${base + 14})`}>
                <svg x={x(a.to)} overflow="visible">
                  <circle r="10" fill="#fff" stroke="#b4161b" strokeWidth="2" />
                  <line x1="-4.5" y1="-4.5" x2="4.5" y2="4.5" className="refusal-x" strokeWidth="2.5" />
                  <line x1="-4.5" y1="4.5" x2="4.5" y2="-4.5" className="refusal-x" strokeWidth="2.5" />
                </svg>
              </g>,
            );
          }
          out.push(
            <Arrow key="res" from={a.to} to="client" y={base + 30} kind="res" marker={m(a.status && a.status < 400 ? 'pass' : 'fail')} label={a.status ? String(a.status) : '–'} color={resColor} />,
          );
          return <g key={i}>{out}</g>;
        })}
        {!arrows.length && note ? (
          <g>
            <circle cx={x('client')} cy="36" r="6" fill="var(--lane-client)" className="node" />
            <text x={`${LANE_X.client + 2.5}%`} y="40" className="arrow-label" fill="#334155">{note}</text>
          </g>
        ) : null}
      </svg>
    </div>
  );
}

function describe(arrows: ArrowPlan[], note?: string | null): string {
  if (!arrows.length) return note ?? 'no request';
  return arrows
    .map((a) => {
      const to = LANES.find((l) => l.id === a.to)!.label;
      if (a.tlsRefused) return `${a.label} to the ${to}: TLS handshake refused`;
      return `${a.label} to the ${to}${a.forwarded ? ', forwarded to the API' : ''}${a.refusedBy ? `, refused by ${a.refusedBy}` : ''}, answered ${a.status}`;
    })
    .join('; ');
}
