// Access-token forgeries built from a genuine token, the classics a gateway must refuse:
// alg "none", HS256 keyed with the issuer's public key, tampered claims under the original
// signature, and a token re-signed with a key the issuer never had.
import { createPublicKey } from 'node:crypto';
import { SignJWT, generateKeyPair, type JWK } from 'jose';
import type { Forgery } from '../../../lib/scenario/schema.ts';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function decode(token: string): { header: Record<string, unknown>; claims: Record<string, unknown>; parts: string[] } {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('the token to forge from is not a JWT');
  return {
    parts,
    header: JSON.parse(Buffer.from(parts[0]!, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()) as Record<string, unknown>,
  };
}

/** Sets a value at a dot path ("cnf.x5t#S256"), creating objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const k of keys.slice(0, -1)) {
    if (!node[k] || typeof node[k] !== 'object') node[k] = {};
    node = node[k] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}

/** Removes the value at a dot path, if there. */
function unsetPath(target: Record<string, unknown>, path: string): void {
  const keys = path.split('.');
  let node: unknown = target;
  for (const k of keys.slice(0, -1)) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[k] : undefined;
  if (node && typeof node === 'object') delete (node as Record<string, unknown>)[keys.at(-1)!];
}

export type IssuerSigner = (header: Record<string, unknown>, claims: Record<string, unknown>) => Promise<string>;

export async function forgeToken(genuine: string, forgery: Forgery, idpPublicJwks: { keys: JWK[] }, issuer: IssuerSigner | null = null): Promise<{ token: string; description: string }> {
  const { header, claims, parts } = decode(genuine);
  for (const [path, value] of Object.entries(forgery.set)) setPath(claims, path, value);
  const unset = forgery.unset ?? [];
  for (const path of unset) unsetPath(claims, path);
  const edits = [...Object.keys(forgery.set).map((k) => `${k} changed`), ...unset.map((k) => `${k} removed`)];
  const changed = edits.length ? ` with ${edits.join(', ')}` : '';
  switch (forgery.forge) {
    case 'alg-none':
      return { token: `${b64({ ...header, alg: 'none' })}.${b64(claims)}.`, description: `alg none, no signature${changed}` };
    case 'hs256-public-key': {
      const jwk = idpPublicJwks.keys.find((k) => k.kid === header.kid) ?? idpPublicJwks.keys[0]!;
      const secret = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
      const token = await new SignJWT(claims).setProtectedHeader({ ...header, alg: 'HS256' }).sign(new TextEncoder().encode(String(secret)));
      return { token, description: `HS256 keyed with the IdP's public key (PEM)${changed}` };
    }
    case 'tamper-claims':
      return { token: `${parts[0]}.${b64(claims)}.${parts[2]}`, description: `original signature over tampered claims${changed}` };
    case 'resign-attacker-key': {
      const { privateKey } = await generateKeyPair('ES256');
      const token = await new SignJWT(claims).setProtectedHeader({ ...header, alg: 'ES256' }).sign(privateKey);
      return { token, description: `re-signed with an attacker's ES256 key under kid ${String(header.kid)}${changed}` };
    }
    case 'issuer-key': {
      if (!issuer) throw new Error('the target does not let scenarios sign with its authorization server\'s key (issuer-key)');
      return { token: await issuer(header, claims), description: `signed with the issuer's own key${changed}: a token the authorization server would refuse to issue` };
    }
  }
}
