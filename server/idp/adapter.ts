// oidc-provider storage on Prisma/SQLite: one table (OidcPayload) holds every model — tokens,
// grants, sessions, registrations, ReplayDetection — so all of it survives a restart.
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { PrismaClient } from '../db/client.ts';

export function prismaAdapter(prisma: PrismaClient): new (model: string) => Adapter {
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

    async consume(id: string): Promise<void> {
      await prisma.oidcPayload.updateMany({ where: { model: this.model, id }, data: { consumedAt: new Date() } });
    }

    async destroy(id: string): Promise<void> {
      await prisma.oidcPayload.deleteMany({ where: { model: this.model, id } });
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await prisma.oidcPayload.deleteMany({ where: { grantId } });
    }
  };
}
