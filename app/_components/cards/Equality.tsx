// Two values side by side with an unmistakable = or ≠ between them: what a check compares (cnf in the
// token against the presented certificate or key, a PKCE challenge against the hashed verifier, the
// consent named in the request against the token's claim). Used by the token, PKCE and consent cards.
// Thumbprint-like values are set in groups of four characters, each group marked equal or not to the
// same group on the other side, with a copy button per side.
import type { ReactNode } from 'react';
import { CopyButton } from '../Code.tsx';
import { groupsOf, isDigestLike } from '../../_lib/thumbprint.ts';

export interface EqualitySide {
  /** What this side is ("In the token: cnf.jkt"). */
  what: ReactNode;
  value: string | null;
  /** Where the value comes from. */
  from: ReactNode;
  /** Shown when there is no value. */
  empty?: string;
  /** data-value attribute of the value (tests, styling). */
  key: string;
}

export type EqualityState = 'equal' | 'differ' | 'unknown';

export const equalityOf = (equal: boolean | null): EqualityState => (equal === null ? 'unknown' : equal ? 'equal' : 'differ');

const theirGroups = (other: string | null) => (other !== null && isDigestLike(other) ? groupsOf(other) : null);

/** A digest in groups of four, each marked against the other side's group (its text stays the value itself). */
function Grouped({ value, other }: { value: string; other: string | null }) {
  const theirs = theirGroups(other);
  return (
    <>
      {groupsOf(value).map((g, i) => (
        <span key={i} className={`grp${theirs ? (theirs[i] === g ? ' same' : ' diff') : ''}`}>{g}</span>
      ))}
    </>
  );
}

/** For screen readers: how many groups of four differ from the other side's. */
function GroupSummary({ value, other }: { value: string; other: string | null }) {
  const theirs = theirGroups(other);
  if (!theirs) return null;
  const mine = groupsOf(value);
  const differ = mine.filter((g, i) => theirs[i] !== g).length;
  return <span className="visually-hidden">{differ ? `${differ} of ${mine.length} groups of four differ` : 'every group of four equal'}</span>;
}

export function Equality({ state, left, right, data }: { state: EqualityState; left: EqualitySide; right: EqualitySide; data?: Record<`data-${string}`, string> }) {
  const side = (s: EqualitySide, other: EqualitySide) => (
    <div className="binding-side">
      <div className="what">{s.what}</div>
      {s.value !== null && isDigestLike(s.value) ? (
        <>
          <div className="value digest" data-value={s.key}><Grouped value={s.value} other={other.value} /></div>
          <GroupSummary value={s.value} other={other.value} />
        </>
      ) : (
        <div className="value" data-value={s.key}>{s.value ?? s.empty ?? '(none)'}</div>
      )}
      <div className="from">{s.from}</div>
      {s.value ? <div className="side-copy"><CopyButton value={s.value} label="Copy" /></div> : null}
    </div>
  );
  return (
    <div className={`binding ${state}`} data-equality={state} {...data}>
      {side(left, right)}
      <div className="binding-op" role="img" aria-label={state === 'equal' ? 'equal' : state === 'differ' ? 'not equal' : 'not compared'}>
        <div>
          <div className="sym" aria-hidden="true">{state === 'equal' ? '=' : state === 'differ' ? '≠' : '?'}</div>
          <div className="txt" aria-hidden="true">{state === 'equal' ? 'equal' : state === 'differ' ? 'not equal' : 'n/a'}</div>
        </div>
      </div>
      {side(right, left)}
    </div>
  );
}
