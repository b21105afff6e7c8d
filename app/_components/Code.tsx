'use client';
// Code display: a JSON viewer that can highlight keys (cnf) and annotate timestamps, a copy button,
// and long values (tokens, proofs) truncated with a "show all" toggle.
import { useState, type ReactNode } from 'react';
import { dateTime } from '../_lib/format.ts';
import { digestParts } from '../_lib/thumbprint.ts';

export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      className="btn small"
      onClick={() => {
        void navigator.clipboard?.writeText(value).then(() => {
          setDone(true);
          setTimeout(() => setDone(false), 1500);
        });
      }}
    >
      {done ? 'Copied' : label}
    </button>
  );
}

/** A long string shown up to `max` characters, with a toggle to see all of it. */
export function Truncated({ value, max = 96 }: { value: string; max?: number }) {
  const [all, setAll] = useState(false);
  if (value.length <= max) return <>{value}</>;
  return (
    <>
      {all ? value : `${value.slice(0, max)}…`}
      <button type="button" className="trunc-btn" onClick={() => setAll(!all)} aria-expanded={all}>
        {all ? 'less' : `all ${value.length} chars`}
      </button>
    </>
  );
}

const TIME_CLAIMS = new Set(['iat', 'exp', 'nbf', 'auth_time']);

function scalar(value: unknown, key: string | null): ReactNode {
  if (typeof value === 'string') return <span className="json-string">{JSON.stringify(value)}</span>;
  if (typeof value === 'number') {
    const when = key && TIME_CLAIMS.has(key) && value > 1e9 ? dateTime(value * 1000) : null;
    return (
      <>
        <span className="json-number">{value}</span>
        {when ? <span style={{ color: '#94a3b8' }}>{`  // ${when}`}</span> : null}
      </>
    );
  }
  if (typeof value === 'boolean' || value === null) return <span className="json-bool">{String(value)}</span>;
  return <span>{JSON.stringify(value)}</span>;
}

function render(value: unknown, indent: number, highlight: ReadonlySet<string>, key: string | null): ReactNode {
  const pad = '  '.repeat(indent + 1);
  const end = '  '.repeat(indent);
  if (Array.isArray(value)) {
    if (!value.length) return '[]';
    return (
      <>
        {'[\n'}
        {value.map((v, i) => (
          <span key={i}>
            {pad}
            {render(v, indent + 1, highlight, null)}
            {i < value.length - 1 ? ',' : ''}
            {'\n'}
          </span>
        ))}
        {end}]
      </>
    );
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (!entries.length) return '{}';
    return (
      <>
        {'{\n'}
        {entries.map(([k, v], i) => {
          const line = (
            <>
              <span className="json-key">{JSON.stringify(k)}</span>: {render(v, indent + 1, highlight, k)}
            </>
          );
          return (
            <span key={k}>
              {pad}
              {indent === 0 && highlight.has(k) ? <mark className="json-cnf" data-highlight={k}>{line}</mark> : line}
              {i < entries.length - 1 ? ',' : ''}
              {'\n'}
            </span>
          );
        })}
        {end}
        {'}'}
      </>
    );
  }
  return scalar(value, key);
}

export function JsonView({ value, highlight = [], label }: { value: unknown; highlight?: string[]; label?: string }) {
  return (
    <pre className="code" aria-label={label} tabIndex={0}>
      {render(value, 0, new Set(highlight), null)}
    </pre>
  );
}

/** A sentence with the digests in it set in the monospace face (l, I and 1 told apart). */
export function WithDigests({ text }: { text: string }) {
  return <>{digestParts(text).map((p, i) => (p.digest ? <code key={i} className="digest-inline">{p.text}</code> : p.text))}</>;
}
