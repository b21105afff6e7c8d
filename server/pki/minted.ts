// Certificates minted at run time from the web UI (PKI page): kept in memory for the life of the
// sandbox process, never written to certs/ (the generated PKI stays as its plan says). They can be
// downloaded and presented from the Playground like any certificate of the PKI.
import type { Pki } from './load.ts';
import type { Flaw, MintedCert } from './mint.ts';

export interface MintedEntry extends MintedCert {
  flaw: Flaw;
  /** ISO time it was minted. */
  at: string;
}

/** At most this many are kept; the oldest goes first. */
const LIMIT = 100;

export class MintedCertificates {
  private readonly byName = new Map<string, MintedEntry>();

  add(entry: MintedEntry): void {
    this.byName.delete(entry.name);
    this.byName.set(entry.name, entry);
    if (this.byName.size > LIMIT) this.byName.delete(this.byName.keys().next().value!);
  }

  get(name: string): MintedEntry | null {
    return this.byName.get(name) ?? null;
  }

  list(): MintedEntry[] {
    return [...this.byName.values()];
  }
}

const stores = new WeakMap<Pki, MintedCertificates>();

/** The minted certificates of a running sandbox (one store per loaded PKI). */
export function mintedStore(pki: Pki): MintedCertificates {
  let store = stores.get(pki);
  if (!store) stores.set(pki, (store = new MintedCertificates()));
  return store;
}

/** The leaf certificate of a minted chain (the first PEM block). */
export function leafPem(chain: string): string {
  const end = '-----END CERTIFICATE-----';
  return chain.slice(0, chain.indexOf(end) + end.length) + '\n';
}
