// OBIE Read/Write Data API v3.1 "Idempotency" for the POSTs that create payment resources: the
// x-idempotency-key header is required (1-40 characters, no leading or trailing space); the same key
// with the same body (compared as canonical JSON) within 24 hours gets the first answer again, and
// creates nothing; the same key with another body is refused. Keys are per client and per resource,
// kept in SQLite so a restart keeps them; an answer that is an error releases the key.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { PrismaClient } from '../db/client.ts';
import type { ApiResponse } from './context.ts';
import { ObieError, badRequest } from './obie.ts';

export const IDEMPOTENCY_HEADER = 'x-idempotency-key';
/** OBIE: an idempotency key expires after 24 hours. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** Printable ASCII without a comma (a repeated header arrives joined with ", ", RFC 9110 §5.3), no space at either end. */
const KEY = /^(?!\s)[\x20-\x2b\x2d-\x7e]{0,39}[\x21-\x2b\x2d-\x7e]$/;

/** The body as JSON with sorted object keys: the same payload however its members were ordered or spaced. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The request's idempotency key: 400 Header.Missing without one, Header.Invalid when malformed. */
export function idempotencyKey(req: IncomingMessage): string {
  const raw = req.headers[IDEMPOTENCY_HEADER];
  if (raw === undefined) throw badRequest('UK.OBIE.Header.Missing', `${IDEMPOTENCY_HEADER} is required on this POST (OBIE Idempotency).`, IDEMPOTENCY_HEADER);
  if (typeof raw !== 'string' || !KEY.test(raw)) {
    throw badRequest('UK.OBIE.Header.Invalid', `${IDEMPOTENCY_HEADER} must be 1 to 40 printable ASCII characters, no comma, sent once.`, IDEMPOTENCY_HEADER);
  }
  return raw;
}

const isUniqueViolation = (err: unknown) => (err as { code?: unknown } | null)?.code === 'P2002';

export class IdempotencyStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly ttlSeconds = IDEMPOTENCY_TTL_SECONDS,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Runs `create` once per (client, resource, key): the first request claims the key, and its answer
   * (a 2xx) is stored; a repeat with the same body gets that answer; another body, or a repeat while
   * the first is still running, is refused. An error from `create` releases the claim.
   */
  async once(scope: { clientId: string; resource: string; key: string; body: unknown }, create: () => Promise<ApiResponse>): Promise<ApiResponse> {
    const id = { clientId: scope.clientId, resource: scope.resource, key: scope.key };
    const bodyHash = createHash('sha256').update(canonicalJson(scope.body ?? null)).digest('base64url');
    for (let attempt = 0; ; attempt++) {
      const now = this.now();
      try {
        await this.prisma.idempotencyKey.create({ data: { ...id, bodyHash, createdAt: now, expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000) } });
        break;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
      const seen = await this.prisma.idempotencyKey.findUnique({ where: { clientId_resource_key: id } });
      if (!seen) continue; // released or expired meanwhile: claim again
      if (seen.expiresAt.getTime() <= now.getTime() && attempt === 0) {
        await this.prisma.idempotencyKey.deleteMany({ where: { ...id, expiresAt: seen.expiresAt } });
        continue;
      }
      if (seen.bodyHash !== bodyHash) {
        throw badRequest('UK.OBIE.Header.Invalid', `${IDEMPOTENCY_HEADER} ${scope.key} was used with another body in the last ${this.ttlSeconds / 3600} hours: send a new key for a new request.`, IDEMPOTENCY_HEADER);
      }
      if (seen.status === null || seen.response === null) {
        throw new ObieError(409, 'A request with this idempotency key is still being processed.', [{ ErrorCode: 'UK.OBIE.Header.Invalid', Message: `The first request with ${IDEMPOTENCY_HEADER} ${scope.key} has not been answered yet; retry shortly.`, Path: IDEMPOTENCY_HEADER }]);
      }
      return { status: seen.status, body: JSON.parse(seen.response) as unknown };
    }
    let answer: ApiResponse;
    try {
      answer = await create();
    } catch (err) {
      await this.prisma.idempotencyKey.deleteMany({ where: id });
      throw err;
    }
    await this.prisma.idempotencyKey.update({ where: { clientId_resource_key: id }, data: { status: answer.status ?? 200, response: JSON.stringify(answer.body) } });
    return answer;
  }
}
