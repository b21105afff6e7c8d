// Reading the bank pages' form posts (application/x-www-form-urlencoded, small) and guarding them
// against cross-site request forgery: a per-interaction token (HMAC of the interaction uid under a
// server key) in a hidden field, plus the browser's Origin / Sec-Fetch-Site when it sends them.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const FORM_LIMIT = 16 * 1024;

/** A request the pages refuse, with the status and the sentence shown to the customer. */
export class PageError extends Error {
  constructor(readonly status: number, readonly title: string, message: string) {
    super(message);
  }
}

export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new PageError(415, 'Something went wrong', 'This form must be sent by the page it belongs to.');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > FORM_LIMIT) throw new PageError(413, 'Something went wrong', 'The form was too large.');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** The anti-forgery token of one interaction. */
export function csrfToken(key: Buffer, uid: string): string {
  return createHmac('sha256', key).update(`interaction:${uid}`).digest('base64url');
}

/** 403 unless the post came from this origin's page for this interaction. */
export function checkForgery(req: IncomingMessage, form: URLSearchParams, key: Buffer, uid: string): void {
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  const forged = () => new PageError(403, 'Request refused', 'This form was not sent from this bank\'s page. Go back to the app and start again.');
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') throw forged();
  if (typeof origin === 'string' && origin !== `https://${req.headers.host ?? ''}`) throw forged();
  const given = Buffer.from(form.get('csrf') ?? '');
  const wanted = Buffer.from(csrfToken(key, uid));
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) throw forged();
}
