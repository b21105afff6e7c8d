// Two values side by side with an unmistakable = or ≠ between them: what a check compares (cnf in the
// token against the presented certificate or key, a PKCE challenge against the hashed verifier, the
// consent named in the request against the token's claim). Used by the token, PKCE and consent cards.
import type { ReactNode } from 'react';

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

export function Equality({ state, left, right, data }: { state: EqualityState; left: EqualitySide; right: EqualitySide; data?: Record<`data-${string}`, string> }) {
  const side = (s: EqualitySide) => (
    <div className="binding-side">
      <div className="what">{s.what}</div>
      <div className="value" data-value={s.key}>{s.value ?? s.empty ?? '(none)'}</div>
      <div className="from">{s.from}</div>
    </div>
  );
  return (
    <div className={`binding ${state}`} data-equality={state} {...data}>
      {side(left)}
      <div className="binding-op" role="img" aria-label={state === 'equal' ? 'equal' : state === 'differ' ? 'not equal' : 'not compared'}>
        <div>
          <div className="sym" aria-hidden="true">{state === 'equal' ? '=' : state === 'differ' ? '≠' : '?'}</div>
          <div className="txt" aria-hidden="true">{state === 'equal' ? 'equal' : state === 'differ' ? 'not equal' : 'n/a'}</div>
        </div>
      </div>
      {side(right)}
    </div>
  );
}
