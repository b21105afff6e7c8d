// Small status elements: run / scenario / step status, HTTP status, check outcome, scenario tags.
import type { ReactNode } from 'react';
import { httpClass } from '../_lib/format.ts';

const STATUS_TEXT: Record<string, string> = {
  passed: 'passed', failed: 'failed', error: 'error', skipped: 'skipped', running: 'running', pending: 'pending', interrupted: 'interrupted',
};

export function StatusBadge({ status, big }: { status: string; big?: boolean }) {
  const mark = status === 'passed' ? '✓' : status === 'failed' || status === 'error' || status === 'interrupted' ? '✗' : null;
  return (
    <span className={`badge ${status}${big ? ' big' : ''}`} data-status={status}>
      {status === 'running' ? <span className="spinner" aria-hidden="true" /> : mark ? <span aria-hidden="true">{mark}</span> : null}
      {STATUS_TEXT[status] ?? status}
    </span>
  );
}

export function HttpBadge({ status }: { status: number | null }) {
  return (
    <span className={`badge ${httpClass(status)}`}>
      {status ? `HTTP ${status}` : 'no response'}
    </span>
  );
}

export const OUTCOME_MARK = { pass: '✓', fail: '✗', skip: '–' } as const;

export function OutcomeBadge({ outcome, children }: { outcome: 'pass' | 'fail' | 'skip'; children?: ReactNode }) {
  return (
    <span className={`badge ${outcome}`}>
      <span aria-hidden="true">{OUTCOME_MARK[outcome]}</span> {children ?? outcome}
    </span>
  );
}

const TAG_LABELS: Record<string, string> = { mtls: 'mTLS', dpop: 'DPoP', 'happy-path': 'happy path', fapi: 'FAPI', tls: 'TLS', dcr: 'DCR' };

export function tagLabel(tag: string): string {
  return TAG_LABELS[tag] ?? tag.replace(/-/g, ' ');
}

export function Tag({ tag }: { tag: string }) {
  return <span className={`tag ${tag}`}>{tagLabel(tag)}</span>;
}
