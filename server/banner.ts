// The start-up banner: every URL, where the certificates are, and the curl recipe for a first call.
import path from 'node:path';
import type { Stack } from './stack-types.ts';
import { mutantWarning } from './gateway/mutants.ts';

export function banner(stack: Stack): string {
  const { urls, pki } = stack;
  const rel = (p: string) => path.relative(process.cwd(), path.join(pki.dir, p)) || '.';
  const alpha = pki.cert('tpp-alpha').entry.files;
  const tls = `--cacert ${rel('ca/root-ca.pem')} --cert ${rel(alpha.chain!)} --key ${rel(alpha.key)}`;
  const mutant = mutantWarning(stack.config.gateway.disabledChecks);
  return [
    ...(mutant ? [mutant, ''] : []),
    `fapi-sandbox is up (${(stack.startupMs / 1000).toFixed(2)} s)`,
    '',
    `  Web UI + control API   ${urls.ui}            health: ${urls.ui}/api/health`,
    `  Identity provider      ${urls.idp}          ${urls.idp}/.well-known/openid-configuration`,
    `  IdP mTLS aliases       ${urls.idpMtls}          token, PAR, introspection, userinfo`,
    `  Gateway                ${urls.gateway}          strict-TLS listener: ${urls.gatewayStrict}`,
    `  Mock Open Banking API  ${urls.api}           upstream of the gateway, loopback only`,
    `  Certificates           ${rel('index.json')}`,
    '',
    'First call: a certificate-bound token for client tpp-alpha, then its accounts through the gateway:',
    '',
    `  TOKEN=$(curl -s ${tls} \\`,
    `    -d grant_type=client_credentials -d client_id=tpp-alpha -d scope=accounts \\`,
    `    ${urls.idpMtls}/token | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
    `  curl ${tls} \\`,
    `    -H "Authorization: Bearer $TOKEN" ${urls.gateway}/open-banking/v3.1/aisp/accounts`,
    '',
    'Ctrl-C stops everything.',
  ].join('\n');
}
