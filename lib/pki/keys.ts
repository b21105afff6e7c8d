// Which private keys the control API and the web UI hand out: the clients' (the point of the lab), never
// a CA's or the TLS server's, since whoever trusts the sandbox root would trust anything signed with them.
const WITHHELD_KEY_ROLES: readonly string[] = ['root-ca', 'issuing-ca', 'rogue-ca', 'server'];

export function keyIsServed(role: string): boolean {
  return !WITHHELD_KEY_ROLES.includes(role);
}
