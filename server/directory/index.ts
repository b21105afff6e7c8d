// The sandbox directory (the role the Open Banking Directory plays): who holds which message-signing
// key. Built from the PKI's signing certificates (server/pki/plan.ts SIGNING_CERTS); its public JWKS
// (kid = RFC 7638 thumbprint, x5c = certificate and issuing CA) is what a bank verifies TPP request
// signatures with and what a TPP verifies the bank's response signatures with.
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Pki } from '../pki/load.ts';
import { SIGNING_CERTS, type SigningPlan } from '../pki/plan.ts';

export interface DirectoryEntry {
  kid: string;
  /** The client this key signs for; null for the bank. */
  clientId: string | null;
  /** The `http://openbanking.org.uk/iss` a signature by this key must carry: org/software (the bank: org). */
  iss: string;
  certificate: string;
  publicJwk: JWK;
  publicKey: KeyObject;
}

export interface Signer {
  kid: string;
  iss: string;
  alg: 'ES256';
  privateKey: KeyObject;
}

const issOf = (plan: SigningPlan) => (plan.softwareId ? `${plan.orgId}/${plan.softwareId}` : plan.orgId);
const pemBody = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');

export class Directory {
  private constructor(
    private readonly entries: Map<string, DirectoryEntry>,
    private readonly signers: Map<string, Signer>,
    private readonly issuingCa: string,
  ) {}

  static async fromPki(pki: Pki): Promise<Directory> {
    const entries = new Map<string, DirectoryEntry>();
    const signers = new Map<string, Signer>();
    for (const plan of SIGNING_CERTS) {
      const material = pki.cert(plan.name);
      const publicKey = new X509Certificate(material.cert).publicKey;
      const publicJwk = publicKey.export({ format: 'jwk' }) as JWK;
      const kid = await calculateJwkThumbprint(publicJwk);
      entries.set(kid, { kid, clientId: plan.clientId, iss: issOf(plan), certificate: material.cert, publicJwk, publicKey: createPublicKey(material.cert) });
      signers.set(plan.name, { kid, iss: issOf(plan), alg: 'ES256', privateKey: createPrivateKey(material.key) });
    }
    return new Directory(entries, signers, pki.issuingCa.cert);
  }

  byKid(kid: string): DirectoryEntry | null {
    return this.entries.get(kid) ?? null;
  }

  /** The key of a signing certificate of the plan (e.g. tpp-alpha-signing, bank-signing). */
  signer(name: string): Signer {
    const signer = this.signers.get(name);
    if (!signer) throw new Error(`no signing certificate named "${name}" in the sandbox directory`);
    return signer;
  }

  /** The public JWKS: every signing key with its kid, use, alg and certificate chain. */
  jwks(): { keys: JWK[] } {
    return {
      keys: [...this.entries.values()].map((e) => ({
        ...e.publicJwk, kid: e.kid, use: 'sig', alg: 'ES256', x5c: [pemBody(e.certificate), pemBody(this.issuingCa)],
      })),
    };
  }
}
