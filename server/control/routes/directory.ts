// GET /api/directory/jwks — the sandbox directory's public JWKS (the role the OB Directory plays): every
// message-signing key of the TPPs and the bank, with kid and x5c, for verifying OBIE detached JWS.
import type { ControlRequest } from '../index.ts';
import { sendJson } from '../http.ts';

export function directoryJwks({ res, stack }: ControlRequest): void {
  sendJson(res, 200, stack.directory.jwks());
}
