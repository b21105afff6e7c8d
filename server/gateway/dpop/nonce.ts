// Server-provided DPoP nonces (RFC 9449 §9), stateless: base64url(slot || HMAC(secret, slot)),
// where slot is the current minute. A nonce is accepted during its minute and the next one; the
// secret lives in certs/ so nonces survive a restart.
import { createHmac, timingSafeEqual } from 'node:crypto';

const SLOT_SECONDS = 60;

export class NonceSource {
  constructor(private readonly secret: Buffer) {}

  private mac(slot: number): Buffer {
    return createHmac('sha256', this.secret).update(String(slot)).digest().subarray(0, 16);
  }

  issue(now: number): string {
    const slot = Math.floor(now / SLOT_SECONDS);
    const slotBytes = Buffer.alloc(6);
    slotBytes.writeUIntBE(slot, 0, 6);
    return Buffer.concat([slotBytes, this.mac(slot)]).toString('base64url');
  }

  verify(nonce: string, now: number): boolean {
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== 22) return false;
    const slot = raw.readUIntBE(0, 6);
    const current = Math.floor(now / SLOT_SECONDS);
    if (slot !== current && slot !== current - 1) return false;
    return timingSafeEqual(raw.subarray(6), this.mac(slot));
  }
}
