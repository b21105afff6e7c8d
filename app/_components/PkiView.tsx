'use client';
// The certificate cards (details, validity, downloads) and the mint form (POST /api/pki/mint).
import { dateTime } from '../_lib/format.ts';
import { useState, type FormEvent } from 'react';
import type { PkiCertDto, PkiIndexDto } from '../_lib/types.ts';
import { getJson, postJson } from '../_lib/client-api.ts';
import { CertView } from './Cert.tsx';
import { keyIsServed } from '../../lib/pki/keys.ts';

const ROLE_TEXT: Record<string, string> = {
  'root-ca': 'root CA', 'issuing-ca': 'issuing CA', 'rogue-ca': 'rogue CA (untrusted)', server: 'server', client: 'client', attacker: 'attacker',
  expired: 'faulty: expired', 'not-yet-valid': 'faulty: not yet valid', revoked: 'faulty: revoked', untrusted: 'untrusted', service: 'service',
  'self-signed': 'self-signed', minted: 'minted here', signing: 'message signing (JWS)',
};

const FLAWS = [
  { id: 'none', label: 'none: valid, from the sandbox issuing CA' },
  { id: 'expired', label: 'expired (notAfter yesterday)' },
  { id: 'not-yet-valid', label: 'not yet valid (notBefore tomorrow)' },
  { id: 'self-signed', label: 'self-signed' },
  { id: 'untrusted-ca', label: 'issued by an untrusted (rogue) CA' },
];

function CertCard({ c }: { c: PkiCertDto }) {
  const base = `/api/pki/${encodeURIComponent(c.name)}`;
  const bad = ['expired', 'not-yet-valid', 'revoked', 'untrusted', 'rogue-ca', 'attacker'].includes(c.role) || (c.minted && c.minted.flaw !== 'none');
  return (
    <article className="card cert-card" data-pki-cert={c.name}>
      <div className="row-between">
        <h3>{c.name}</h3>
        <span className={`badge ${bad ? 'warn' : 'neutral'}`}>{ROLE_TEXT[c.role] ?? c.role}{c.minted ? `: ${c.minted.flaw}` : ''}</span>
      </div>
      <p className="small muted" style={{ margin: 0 }}>{c.description}</p>
      <div className="row small">
        {c.clientId ? <span>registered client <code>{c.clientId}</code></span> : <span className="faint">no registered client</span>}
        <span className={c.trusted ? 'muted' : 'validity-bad'}>{c.trusted ? 'chains to the sandbox root' : 'does not chain to the sandbox root'}</span>
      </div>
      <CertView cert={c} name={c.name} revoked={c.revoked} />
      <div className="downloads">
        <a className="btn small" href={`${base}/cert.pem`} download data-download="cert">cert.pem</a>
        {c.files.chain ? <a className="btn small" href={`${base}/chain.pem`} download data-download="chain">chain.pem</a> : null}
        {keyIsServed(c.role) ? <a className="btn small" href={`${base}/key.pem`} download data-download="key">key.pem</a> : null}
      </div>
    </article>
  );
}

export function PkiView({ initial }: { initial: PkiIndexDto }) {
  const [pki, setPki] = useState(initial);
  const [name, setName] = useState('my-cert');
  const [mode, setMode] = useState<'subjectOf' | 'subject'>('subjectOf');
  const [subjectOf, setSubjectOf] = useState('tpp-alpha');
  const [subject, setSubject] = useState('CN=my-tpp,O=My Company Ltd,C=GB');
  const [flaw, setFlaw] = useState('expired');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [minted, setMinted] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    // One message at a time: the previous attempt's success or error goes when a new one starts.
    setError(null);
    setMinted(null);
    try {
      const { certificate } = await postJson<{ certificate: PkiCertDto }>('/api/pki/mint', { name, flaw, ...(mode === 'subject' ? { subject } : { subjectOf }) });
      setMinted(certificate.name);
      setPki(await getJson<PkiIndexDto>('/api/pki'));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const clients = pki.certificates.filter((c) => !['root-ca', 'issuing-ca', 'rogue-ca'].includes(c.role));
  return (
    <>
      <section className="card accent" aria-labelledby="mint-title">
        <h2 id="mint-title">Mint a certificate with a flaw</h2>
        <p className="muted small">Issued at once, kept in memory until the sandbox stops (never written to <code>certs/</code>). Use it in the Playground, or download it for curl.</p>
        <form onSubmit={submit} className="stack" data-form="mint">
          <div className="form-grid">
            <div className="field">
              <label htmlFor="mint-name">Name</label>
              <input id="mint-name" type="text" value={name} onChange={(e) => setName(e.target.value)} required pattern="[A-Za-z][A-Za-z0-9_\-]{0,62}" />
            </div>
            <div className="field">
              <label htmlFor="mint-flaw">Flaw</label>
              <select id="mint-flaw" value={flaw} onChange={(e) => setFlaw(e.target.value)}>
                {FLAWS.map((f) => <option key={f.id} value={f.id}>{f.label}</option>)}
              </select>
            </div>
            <div className="field">
              <label htmlFor="mint-mode">Subject</label>
              <select id="mint-mode" value={mode} onChange={(e) => setMode(e.target.value as 'subject' | 'subjectOf')}>
                <option value="subjectOf">copy the subject of a certificate</option>
                <option value="subject">type a subject DN</option>
              </select>
            </div>
            {mode === 'subjectOf' ? (
              <div className="field">
                <label htmlFor="mint-subject-of">Copy from</label>
                <select id="mint-subject-of" value={subjectOf} onChange={(e) => setSubjectOf(e.target.value)}>
                  {clients.map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
                </select>
              </div>
            ) : (
              <div className="field">
                <label htmlFor="mint-subject">Subject DN <span className="hint">RFC 4514</span></label>
                <input id="mint-subject" type="text" value={subject} onChange={(e) => setSubject(e.target.value)} required />
              </div>
            )}
          </div>
          <div className="row">
            <button type="submit" className="btn primary" disabled={busy} data-action="mint">{busy ? 'Minting…' : 'Mint certificate'}</button>
            {minted ? <span role="status" className="badge pass">Minted {minted}: see below</span> : null}
          </div>
          {error ? <p className="error-box" role="alert">{error}</p> : null}
        </form>
      </section>
      {pki.minted.length ? (
        <section className="section" aria-labelledby="minted-title">
          <h2 id="minted-title">Minted in this session</h2>
          <div className="grid-auto">{pki.minted.map((c) => <CertCard key={c.name} c={c} />)}</div>
        </section>
      ) : null}
      <section className="section" aria-labelledby="pki-title">
        <h2 id="pki-title">Generated PKI <span className="faint small">({pki.certificates.length} certificates, CRL next update {dateTime(pki.trust.crlNextUpdate)})</span></h2>
        <div className="grid-auto">{pki.certificates.map((c) => <CertCard key={c.name} c={c} />)}</div>
      </section>
    </>
  );
}
