// TLS handshake card: the certificate the client presented (subject, issuer, chain, validity,
// revoked), what the server decided about it, and the negotiated protocol and cipher.
import type { ExchangeView } from '../../../lib/trace/timeline.ts';
import { CertView } from '../Cert.tsx';
import { OutcomeBadge } from '../Badges.tsx';

const TLS_CHECKS = ['tls.client-cert-presented', 'tls.client-cert-chain', 'tls.client-cert-validity', 'tls.client-cert-revocation', 'tls.protocol', 'idp.client-cert'];

export function TlsCard({ ex }: { ex: ExchangeView }) {
  const tls = ex.tls;
  if (!tls) return null;
  const decision = ex.decisions[0];
  const serverTls = decision?.tls ?? null;
  const checks = ex.decisions.flatMap((d) => d.checks).filter((c) => TLS_CHECKS.includes(c.id));
  const chainCheck = checks.find((c) => c.id === 'tls.client-cert-chain');
  const chainPath = Array.isArray(chainCheck?.inputs?.path) ? (chainCheck.inputs.path as string[]) : null;
  const revoked = checks.some((c) => c.id === 'tls.client-cert-revocation' && c.outcome === 'fail') || (tls.clientCertificate as { revoked?: boolean } | null)?.revoked === true;
  const failed = !!tls.error || checks.some((c) => c.outcome === 'fail');
  return (
    <div role="group" className={`card${failed ? ' is-fail' : ''}`} aria-label="TLS handshake" data-card="tls">
      <div className="card-title">
        <span className="card-icon" aria-hidden="true">TLS</span>
        <h3>TLS handshake</h3>
        <span className="faint small">{tls.host}:{tls.port}</span>
      </div>
      <h4>Certificate the client presented</h4>
      {tls.clientCertificate ? (
        <CertView cert={tls.clientCertificate} name={tls.clientCertificateName} at={ex.http.at} revoked={revoked} />
      ) : (
        <p className="note">No client certificate was presented on this connection.</p>
      )}
      {tls.clientCertificate ? (
        <div className="chain small" style={{ marginTop: '0.5rem' }} aria-label="Certificate chain">
          {(chainPath ?? [tls.clientCertificate.subject, tls.clientCertificate.issuer]).map((dn, i) => (
            <div className="link" key={i}><code>{dn}</code></div>
          ))}
          {!chainPath ? <span className="muted">(leaf → issuer as presented; {ex.unobservable ? 'the server\'s own chain check is not observable' : 'the server\'s chain check was not run'})</span> : null}
        </div>
      ) : null}
      <h4 style={{ marginTop: '1rem' }}>What the server said</h4>
      <dl className="kv">
        <dt>Handshake</dt>
        <dd>
          {tls.error ? (
            <span className="badge fail">refused: {tls.error.code}</span>
          ) : (
            <span className="badge pass">completed</span>
          )}
          {tls.error ? <div className="small muted">{tls.error.message}</div> : null}
        </dd>
        {serverTls ? (
          <>
            <dt>Server's verdict</dt>
            <dd>
              {serverTls.authorized ? <span className="badge pass">authorized</span> : !tls.clientCertificate ? (
                // OpenSSL says UNABLE_TO_GET_ISSUER_CERT when there is no certificate at all: say what happened.
                <span className="badge neutral" data-server-verdict="no-certificate" title={serverTls.authorizationError ?? undefined}>no certificate presented</span>
              ) : <span className="badge fail">{serverTls.authorizationError ?? 'not authorized'}</span>}
              {tls.clientCertificate ? <span className="small muted"> (Node/OpenSSL against the trusted CAs and CRLs)</span> : null}
            </dd>
          </>
        ) : null}
        <dt>Protocol</dt>
        <dd><code>{tls.protocol ?? serverTls?.protocol ?? '–'}</code>{tls.sessionReused ? <span className="small muted"> (resumed session)</span> : null}</dd>
        <dt>Cipher</dt>
        <dd><code>{tls.cipher ?? serverTls?.cipher ?? '–'}</code></dd>
        {tls.serverChain[0] ? (
          <>
            <dt>Server certificate</dt>
            <dd><code>{tls.serverChain[0].subject}</code></dd>
          </>
        ) : null}
      </dl>
      {checks.length ? (
        <div className="row" style={{ marginTop: '0.75rem' }}>
          {checks.map((c) => (
            <OutcomeBadge key={c.id} outcome={c.outcome}>{c.id}</OutcomeBadge>
          ))}
        </div>
      ) : null}
    </div>
  );
}
