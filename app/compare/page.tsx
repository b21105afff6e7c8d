// Compare: DPoP versus mTLS, the same story (a stolen token replayed by an attacker) side by side:
// real runs of both scenarios first (Run both, what stopped each attacker), then what is bound, where the proof lives, what the attacker needs.
import type { ReactNode } from 'react';
import { controlGet } from '../_lib/server-api.ts';
import type { ScenarioDto } from '../_lib/types.ts';
import { CompareRuns } from '../_components/CompareRuns.tsx';
import { PAIR } from '../_lib/compare.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'DPoP versus mTLS' };

const ROWS: { aspect: string; mtls: ReactNode; dpop: ReactNode }[] = [
  {
    aspect: 'What the token is bound to',
    mtls: <>The client's X.509 certificate: <code>cnf["x5t#S256"]</code> is the base64url SHA-256 of its DER encoding (RFC 8705 §3.1).</>,
    dpop: <>A public key the client chose: <code>cnf.jkt</code> is its RFC 7638 JWK thumbprint (RFC 9449 §6).</>,
  },
  {
    aspect: 'Where the proof lives',
    mtls: <>In the TLS handshake: the client signs the handshake with the certificate's private key, once per connection. The gateway reads the certificate from the connection.</>,
    dpop: <>In a <code>DPoP</code> header on every request: a JWT signed with the private key, naming the method (<code>htm</code>), URL (<code>htu</code>), time (<code>iat</code>), a unique <code>jti</code> and the token hash (<code>ath</code>).</>,
  },
  {
    aspect: 'What the attacker needs',
    mtls: <>The certificate's private key. A different valid certificate (even from the same CA) does not help: its thumbprint differs.</>,
    dpop: <>The DPoP private key. Proofs signed with any other key have a different thumbprint.</>,
  },
  {
    aspect: 'Replaying a captured request',
    mtls: <>Needs the original TLS connection; on a new connection the attacker cannot present the certificate.</>,
    dpop: <>A proof is good for one method and URL, a short <code>iat</code> window, and once: the gateway remembers <code>jti</code> (<code>dpop.jti-unique</code>), and <code>ath</code> ties it to one token.</>,
  },
  {
    aspect: 'Proxies and TLS termination',
    mtls: <>The gateway must see the client certificate. If TLS ends earlier, the proxy forwards it (e.g. RFC 9440 <code>Client-Cert</code>) and strips any copy a client sent.</>,
    dpop: <>Works through TLS-terminating proxies and CDNs; the gateway must rebuild <code>htu</code> from its public URL, never from a Host header.</>,
  },
  {
    aspect: 'What it costs the client',
    mtls: <>A PKI: issue, rotate (tokens bound to the old certificate stop working) and revoke certificates.</>,
    dpop: <>A key pair per client instance and a small signed JWT per request; handle <code>DPoP-Nonce</code> when the server asks.</>,
  },
  {
    aspect: 'Where it fits',
    mtls: <>Server-to-server FAPI and Open Banking: third parties already hold certificates.</>,
    dpop: <>Browsers, mobile apps and SPAs, where client certificates are impractical.</>,
  },
  {
    aspect: 'The check that stops a stolen token',
    mtls: <><code>mtls.cnf-thumbprint-match</code> (RFC 8705 §3)</>,
    dpop: <><code>dpop.cnf-jkt-match</code> (RFC 9449 §6.1, §7.1)</>,
  },
];

export default async function ComparePage() {
  const found = await Promise.all([PAIR.mtls, PAIR.dpop].map((id) => controlGet<ScenarioDto>(`/api/scenarios/${id}`)));
  return (
    <>
      <div className="page-header">
        <div>
          <div className="eyebrow">Compare</div>
          <h1>DPoP versus mTLS: the same theft, two bindings</h1>
          <p className="lede">
            An attacker steals a valid access token and replays it. With plain bearer tokens that works. Both RFC 8705 and RFC 9449 bind the
            token to a key the thief does not have; they differ in where that key is proven.
          </p>
        </div>
      </div>
      <section className="section" style={{ marginTop: 0 }} aria-labelledby="live">
        <h2 id="live">Watch both attacks fail</h2>
        {found.every(Boolean) ? (
          <CompareRuns titles={{ mtls: found[0]!.title, dpop: found[1]!.title }} />
        ) : (
          <p className="error-box">The paired scenarios {PAIR.mtls} and {PAIR.dpop} are not in the catalogue.</p>
        )}
      </section>
      <h2 className="section">How they differ</h2>
      <div className="table-wrap">
        <table className="table compare-table">
          <thead>
            <tr>
              <th scope="col"><span className="visually-hidden">Aspect</span></th>
              <th scope="col"><span className="tag mtls">mTLS</span> certificate-bound tokens, RFC 8705</th>
              <th scope="col"><span className="tag dpop">DPoP</span> proof-of-possession, RFC 9449</th>
            </tr>
          </thead>
          <tbody>
            {ROWS.map((r) => (
              <tr key={r.aspect}>
                <th scope="row">{r.aspect}</th>
                <td>{r.mtls}</td>
                <td>{r.dpop}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
