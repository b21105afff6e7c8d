// The state of one scenario while it runs: variables, tokens, authorization responses, DPoP keys,
// minted certificates, saved proofs and assertions, the last DPoP-Nonce each actor received, and the
// engine's clock offset.
import { randomUUID } from 'node:crypto';
import type { DpopSpec, Scenario } from '../../lib/scenario/schema.ts';
import type { TraceEventBody } from '../../lib/trace/events.ts';
import type { CertMaterial, Target } from './target.ts';
import type { JWK } from 'jose';
import { generateDpopKey, importDpopKey, type DpopKey } from './crypto/dpop-proof.ts';
import { EngineError } from './errors.ts';
import { getPath, render, renderDeep, TemplateError, type Lookup } from './template.ts';

export interface TokenInfo {
  raw: string;
  tokenType: string | null;
  format: 'jwt' | 'opaque';
  header: Record<string, unknown> | null;
  claims: Record<string, unknown> | null;
  /** The refresh token that came with it, if any. */
  refreshToken?: string | null;
}

/** What an authorize step obtained: the code (null when the app got an error) and what the token request needs with it. */
export interface AuthorizationInfo {
  code: string | null;
  error: string | null;
  verifier: string | null;
  redirectUri: string;
  /** What the pushed request carried (RFC 7636 §4.3), null without PKCE. */
  pkce: { method: 'S256' | 'plain'; challenge: string } | null;
}

export interface Actor {
  name: string;
  certificate: CertMaterial | null;
  readonly client: string | undefined;
  dpopKey: string | undefined;
}

export class ScenarioState {
  readonly vars = new Map<string, string>();
  /** {{ids.NAME}} values: one UUID per name and run. */
  readonly ids = new Map<string, string>();
  readonly tokens = new Map<string, TokenInfo>();
  readonly authorizations = new Map<string, AuthorizationInfo>();
  readonly keys = new Map<string, DpopKey>();
  readonly minted = new Map<string, CertMaterial>();
  readonly proofs = new Map<string, string>();
  readonly assertions = new Map<string, string>();
  readonly lastNonce = new Map<string, string>();
  clockOffset = 0;

  constructor(
    readonly scenario: Scenario,
    readonly target: Target,
    readonly emit: (body: TraceEventBody) => void,
  ) {}

  /** Seconds since the epoch on the engine's clock (shifted by clock steps). */
  now(): number {
    return Date.now() / 1000 + this.clockOffset;
  }

  certificate(name: string): CertMaterial {
    const found = this.minted.get(name) ?? this.target.certificate(name);
    if (!found) throw new EngineError('unknown-certificate', `no certificate "${name}" (neither minted in this scenario nor in the target's PKI)`);
    return found;
  }

  actor(name: string): Actor {
    const spec = this.scenario.actors[name];
    if (!spec) throw new EngineError('unknown-actor', `actor "${name}" is not declared under actors:`);
    const render = (v: string) => this.text(v);
    return {
      name,
      certificate: spec.certificate ? this.certificate(this.text(spec.certificate)) : null,
      // Rendered when used: it may name a variable a later step fills (a registered client_id).
      get client() {
        return spec.client === undefined ? undefined : render(spec.client);
      },
      dpopKey: spec.dpopKey,
    };
  }

  /** The DPoP key of this name: the registered key of a client that has one, else generated per run. */
  async dpopKey(name: string): Promise<DpopKey> {
    let key = this.keys.get(name);
    if (!key) {
      const registered = this.registeredDpopKey(name);
      key = registered ? await importDpopKey(name, registered) : await generateDpopKey(name);
      this.keys.set(name, key);
    }
    return key;
  }

  /** A target client's registered DPoP key, for a key name an actor of that client uses. */
  private registeredDpopKey(keyName: string): JWK | null {
    for (const spec of Object.values(this.scenario.actors)) {
      if (spec.dpopKey !== keyName || spec.client === undefined || spec.client.includes('{{')) continue;
      const key = this.target.client(spec.client)?.dpopKey;
      if (key) return key;
    }
    return null;
  }

  token(name: string): TokenInfo {
    const t = this.tokens.get(name);
    if (!t) throw new EngineError('unknown-variable', `no token saved as "${name}" (save it in an earlier token step)`);
    return t;
  }

  readonly lookup: Lookup = (path) => {
    const [head, ...rest] = path;
    switch (head) {
      case 'certs': {
        const [name, ...field] = rest;
        const cert = name ? (this.minted.get(name) ?? this.target.certificate(name)) : null;
        if (!cert) return undefined;
        // The leaf as forwarded-certificate headers carry it: base64 DER (RFC 9440 Client-Cert), URL-encoded PEM (nginx's $ssl_client_escaped_cert).
        const leaf = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(cert.chain)?.[0] ?? '';
        if (field.length === 1 && field[0] === 'der') return leaf.replace(/-----[A-Z ]+-----|\s/g, '');
        if (field.length === 1 && field[0] === 'pemUrlEncoded') return encodeURIComponent(`${leaf}\n`);
        return getPath(cert.summary, field);
      }
      case 'keys': {
        const key = rest[0] ? this.keys.get(rest[0]) : undefined;
        return key ? getPath({ jkt: key.jkt, jwk: key.publicJwk }, rest.slice(1)) : undefined;
      }
      case 'actors': {
        const name = rest[0];
        if (!name || !this.scenario.actors[name]) return undefined;
        const a = this.actor(name);
        return getPath({ thumbprint: a.certificate?.summary.thumbprint, subject: a.certificate?.summary.subject, client: a.client }, rest.slice(1));
      }
      case 'tokens':
        return rest[0] ? getPath(this.tokens.get(rest[0]), rest.slice(1)) : undefined;
      case 'urls':
        return getPath(this.target.endpoints, rest);
      case 'ids': {
        // {{ids.NAME}}: a fresh UUID for this run, the same wherever NAME is used in it.
        const name = rest.length === 1 ? rest[0] : undefined;
        if (!name) return undefined;
        if (!this.ids.has(name)) this.ids.set(name, randomUUID());
        return this.ids.get(name);
      }
      case 'resources':
        return rest.length === 1 && rest[0] ? (this.target.resource(rest[0]) ?? undefined) : undefined;
      default:
        return rest.length === 0 && head ? this.vars.get(head) : undefined;
    }
  };

  /** Renders templates in a string value; the result must be a string. */
  text(value: string): string {
    try {
      const v = render(value, this.lookup);
      return typeof v === 'string' ? v : JSON.stringify(v);
    } catch (err) {
      if (err instanceof TemplateError) throw new EngineError('template', err.message);
      throw err;
    }
  }

  /** A DPoP spec with its string fields (htu, htm, nonce, jti, typ) rendered. */
  dpopSpec<T extends Partial<DpopSpec>>(spec: T): T {
    const out = { ...spec };
    for (const k of ['htu', 'htm', 'nonce', 'jti', 'typ'] as const) if (typeof out[k] === 'string') out[k] = this.text(out[k]) as never;
    return out;
  }

  deep(value: unknown): unknown {
    try {
      return renderDeep(value, this.lookup);
    } catch (err) {
      if (err instanceof TemplateError) throw new EngineError('template', err.message);
      throw err;
    }
  }
}
