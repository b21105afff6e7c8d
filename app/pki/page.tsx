// PKI: every certificate of the sandbox with its details and PEM downloads, and a form to mint a
// custom certificate with a chosen flaw (kept in memory, usable in the Playground).
import { controlGet } from '../_lib/server-api.ts';
import type { PkiIndexDto } from '../_lib/types.ts';
import { PkiView } from '../_components/PkiView.tsx';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'PKI' };

export default async function PkiPage() {
  const pki = await controlGet<PkiIndexDto>('/api/pki');
  return (
    <>
      <div className="page-header">
        <div>
          <div className="eyebrow">Certificates</div>
          <h1>The sandbox PKI</h1>
          <p className="lede">
            A root CA, an issuing CA, client certificates for each registered client, and deliberately faulty ones. The <code>x5t#S256</code>{' '}
            thumbprint is what a certificate-bound token carries in <code>cnf</code>. These keys exist for this sandbox only.
          </p>
        </div>
        <div className="row">
          <a className="btn" href="/api/pki/root-ca/cert.pem" download>Root CA (PEM)</a>
        </div>
      </div>
      {pki ? <PkiView initial={pki} /> : <p className="error-box">The PKI index is not available.</p>}
    </>
  );
}
