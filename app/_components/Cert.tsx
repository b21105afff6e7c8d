// One certificate as a learner needs it: subject, issuer, serial, validity (expired / not yet valid
// highlighted against the moment it was used), thumbprint, and the revoked / self-signed flags.
import type { CertSummary } from '../../lib/trace/decision.ts';
import { commonName, dateTime, validityAt, type Validity } from '../_lib/format.ts';

function ValidityBadge({ v }: { v: Validity }) {
  if (v === 'valid') return <span className="badge pass">valid</span>;
  return <span className="badge fail">{v === 'expired' ? 'EXPIRED' : 'NOT YET VALID'}</span>;
}

export function CertView({ cert, name, at, revoked }: { cert: CertSummary; name?: string | null; at?: string | number; revoked?: boolean }) {
  const v = validityAt(cert, at);
  return (
    <div className="cert" data-cert={name ?? commonName(cert.subject)}>
      <div className="cert-head">
        <strong>{name ?? commonName(cert.subject)}</strong>
        <ValidityBadge v={v} />
        {revoked ? <span className="badge fail">REVOKED</span> : null}
        {cert.selfSigned ? <span className="badge warn">self-signed</span> : null}
      </div>
      <dl className="kv">
        <dt>Subject</dt>
        <dd><code>{cert.subject}</code></dd>
        <dt>Issuer</dt>
        <dd><code>{cert.issuer}</code></dd>
        <dt>Serial</dt>
        <dd><code>{cert.serialNumber}</code></dd>
        <dt>Valid</dt>
        <dd>
          <span className={v === 'not-yet-valid' ? 'validity-bad' : undefined}>{dateTime(cert.notBefore)}</span>
          {' → '}
          <span className={v === 'expired' ? 'validity-bad' : undefined}>{dateTime(cert.notAfter)}</span>
        </dd>
        <dt title="base64url(SHA-256(DER)), RFC 8705 §3.1">x5t#S256</dt>
        <dd><code data-thumbprint>{cert.thumbprint}</code></dd>
        {cert.subjectAltNames.length ? (
          <>
            <dt>SAN</dt>
            <dd>{cert.subjectAltNames.join(', ')}</dd>
          </>
        ) : null}
      </dl>
    </div>
  );
}
