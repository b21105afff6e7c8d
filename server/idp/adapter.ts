// oidc-provider storage on Prisma (SQLite or PostgreSQL): one table (OidcPayload) holds every model —
// tokens, grants, sessions, registrations, ReplayDetection — so all of it survives a restart and is
// shared by every instance on one database. Consuming (a code, a rotated refresh token, a PAR request)
// is a conditional update, so of two processes that both found it unconsumed only one may go on; a
// ReplayDetection entry (client-assertion and DPoP jti) is claimed by one insert (atomicReplayDetection).
// Types only: oidc-provider is imported once, by server/idp/index.ts (which hides its Node 20 warning).
import type { Adapter, AdapterPayload, errors as OidcErrors } from 'oidc-provider';
import type Provider from 'oidc-provider';
import { createHash } from 'node:crypto';
import type { PrismaClient } from '../db/client.ts';

export function prismaAdapter(prisma: PrismaClient, errors: typeof OidcErrors): new (model: string) => Adapter {
  return class PrismaAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const data = {
        payload: JSON.stringify(payload),
        grantId: payload.grantId ?? null,
        userCode: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expiresAt: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
      };
      await prisma.oidcPayload.upsert({ where: { model_id: { model: this.model, id } }, create: { model: this.model, id, ...data }, update: data });
    }

    private async one(where: { id?: string; uid?: string; userCode?: string }): Promise<AdapterPayload | undefined> {
      const row = await prisma.oidcPayload.findFirst({ where: { model: this.model, ...where } });
      if (!row || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) return undefined;
      return { ...(JSON.parse(row.payload) as AdapterPayload), ...(row.consumedAt ? { consumed: Math.floor(row.consumedAt.getTime() / 1000) } : {}) };
    }

    find(id: string) {
      return this.one({ id });
    }

    findByUid(uid: string) {
      return this.one({ uid });
    }

    findByUserCode(userCode: string) {
      return this.one({ userCode });
    }

    /** RFC 6749 §4.1.2: a code is used once. oidc-provider checks `consumed` first; this closes the race after that check. */
    async consume(id: string): Promise<void> {
      const { count } = await prisma.oidcPayload.updateMany({ where: { model: this.model, id, consumedAt: null }, data: { consumedAt: new Date() } });
      if (count !== 1) {
        // The error oidc-provider itself gives when it sees the model consumed (respond.js, grant_source.js).
        throw this.model === 'PushedAuthorizationRequest'
          ? new errors.InvalidRequestUri('request_uri is invalid, expired, or was already used')
          : new errors.InvalidGrant(`${this.model} already consumed`);
      }
    }

    async destroy(id: string): Promise<void> {
      await prisma.oidcPayload.deleteMany({ where: { model: this.model, id } });
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await prisma.oidcPayload.deleteMany({ where: { grantId } });
    }
  };
}

const isUniqueViolation = (err: unknown) => (err as { code?: unknown } | null)?.code === 'P2002';

/**
 * oidc-provider's ReplayDetection.unique (client-assertion jti, RFC 7523 §3; DPoP proof jti at the token
 * endpoint, RFC 9449 §11.1) finds, then saves: two instances can both find nothing and both accept. This
 * replaces it with one insert the primary key makes atomic; an expired entry is taken over by a
 * conditional update. Same id and payload as oidc-provider's (SHA-256 of iss and jti).
 */
export function atomicReplayDetection(provider: Provider, prisma: PrismaClient): void {
  const model = 'ReplayDetection';
  const unique = async (iss: string, jti: string, exp: number): Promise<boolean> => {
    const id = createHash('sha256').update(`${iss}${jti}`).digest('base64url');
    const now = Date.now();
    const data = { payload: JSON.stringify({ iss, jti: id, kind: model, exp, iat: Math.floor(now / 1000) }), expiresAt: new Date(exp * 1000) };
    try {
      await prisma.oidcPayload.create({ data: { model, id, ...data } });
      return true;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const { count } = await prisma.oidcPayload.updateMany({ where: { model, id, expiresAt: { lte: new Date(now) } }, data });
      return count === 1;
    }
  };
  Object.defineProperty(provider.ReplayDetection, 'unique', { value: unique, configurable: true });
}
