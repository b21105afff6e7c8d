// The DPoP proof checks that parse and hash (well-formed, typ, alg, jwk-public, claims-present, htu, ath; not
// the signature, not the replay claim) of two builds, run in this one process on the same 20,000 pre-signed
// proofs, alternated A-B / B-A for 8 rounds: CPU per proof without the network's noise.
//   node scripts/bench/dpop-checks.mjs --a DIR [--b DIR]   (DIR: a build, e.g. a snapshot made by ab.mjs)
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dpopSigner } from './clients.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const { values: args } = parseArgs({ options: { a: { type: 'string' }, b: { type: 'string', default: ROOT } } });
if (!args.a) {
  console.error('usage: node scripts/bench/dpop-checks.mjs --a DIR [--b DIR]');
  process.exit(2);
}
const root = (d) => (p) => import(pathToFileURL(path.join(d, 'dist/server/gateway/checks/dpop', p)).href);
const signer = dpopSigner();
const url = 'https://localhost:8443/open-banking/v3.1/aisp/accounts';
const token = 'eyJ' + 'a'.repeat(900) + '.b.c';
const proofs = Array.from({ length: 20000 }, () => signer.proof('GET', url, token));
async function load(d) {
  const r = root(d);
  return [(await r('well-formed.js')).dpopWellFormed, (await r('typ.js')).dpopTyp, (await r('alg.js')).dpopAlg, (await r('jwk-public.js')).dpopJwkPublic, (await r('claims-present.js')).dpopClaimsPresent, (await r('htu.js')).dpopHtu, (await r('ath.js')).dpopAth];
}
const sides = { A: await load(path.resolve(args.a)), B: await load(path.resolve(args.b)) };
const deps = { dpopAlgs: ['ES256', 'PS256', 'EdDSA'] };
const origins = ['https://localhost:8443'];
function run(checks) {
  const c0 = process.cpuUsage();
  for (const jwt of proofs) {
    const ctx = { proofJwt: jwt, token, publicUrl: url, publicOrigins: origins, deps };
    for (const c of checks) { const v = c.run(ctx); if (v.outcome !== 'pass') throw new Error(c.id + ' ' + v.reason); }
  }
  const u = process.cpuUsage(c0);
  return (u.user + u.system) / proofs.length;
}
const res = { A: [], B: [] };
for (let r = 0; r < 8; r++) for (const s of r % 2 ? ['B', 'A'] : ['A', 'B']) res[s].push(run(sides[s]));
const med = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
console.log(`A = ${args.a}, B = ${args.b}`);
console.log('µs CPU per proof (parse, typ, alg, jwk, claims, htu, ath; no signature, no claim): A', med(res.A).toFixed(2), 'B', med(res.B).toFixed(2), 'rounds A', res.A.map((x) => x.toFixed(1)).join(' '), 'B', res.B.map((x) => x.toFixed(1)).join(' '));
