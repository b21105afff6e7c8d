// Builds a target file (YAML) from the Add-target form's few fields; the user refines it in the
// editor. Mirrors lib/target/schema.ts (the schema checks the result when it is saved).

export interface TargetFormFields {
  name: string;
  authorizationServer: 'bundled' | 'discovery';
  discovery: string;
  gatewayUrl: string;
  senderConstraint: 'mtls' | 'dpop' | 'both';
  trust: string;
}

export const EMPTY_FORM: TargetFormFields = {
  name: 'my-gateway',
  authorizationServer: 'bundled',
  discovery: 'https://as.example.com/.well-known/openid-configuration',
  gatewayUrl: 'https://localhost:9543',
  senderConstraint: 'mtls',
  trust: '',
};

const quote = (v: string) => (/^[\w./:@-]+$/.test(v) ? v : JSON.stringify(v));

export function targetYaml(f: TargetFormFields): string {
  const lines = [
    '# yaml-language-server: $schema=schemas/target.schema.json',
    `name: ${quote(f.name)}`,
    f.authorizationServer === 'bundled'
      ? 'authorizationServer: bundled          # the sandbox IdP issues the tokens'
      : `authorizationServer:\n  discovery: ${quote(f.discovery)}\n  resources: { ob-api: "https://api.example.com" }   # RFC 8707 resource of your API, if your AS needs one`,
    'resourceServer:',
    `  baseUrl: ${quote(f.gatewayUrl)}`,
    '  routes:',
    '    fapi: /open-banking/v3.1/aisp       # where scenarios\' /open-banking/v3.1/aisp/... lives on your gateway',
    `senderConstraint: ${f.senderConstraint}`,
  ];
  if (f.trust.trim()) lines.push(`trust: ${quote(f.trust.trim())}   # relative to the sandbox directory`);
  if (f.authorizationServer === 'discovery') {
    lines.push(
      'clients:                               # the scenario client names, mapped to yours',
      '  tpp-alpha: { clientId: your-client-id, auth: tls_client_auth, certificate: tpp-alpha }',
      'certificates:',
      '  tpp-alpha: { cert: path/to/alpha.chain.pem, key: path/to/alpha.key.pem }',
      '  mallory: { cert: path/to/another-valid.chain.pem, key: path/to/another-valid.key.pem }',
    );
  }
  return `${lines.join('\n')}\n`;
}
