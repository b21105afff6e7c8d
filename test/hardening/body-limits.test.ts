// A request body over the limit gets a final 413 through the gateway (RFC 9110 §15.5.14), never a 502 or
// a connection that ends without an answer: chunked bodies the upstream refuses first, and uploads that
// ask for 100 Continue (RFC 9110 §10.1.1: a refused one gets its final status instead of 100).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { startTestStack, idpToken, material, thumbprint, type TestStack } from '../helpers/stack.ts';

const CONSENTS = '/open-banking/v3.1/aisp/account-access-consents';
let t: TestStack;
let port: number;
let alpha: { ca: string; cert: string; key: string };
let token: string;

before(async () => {
  t = await startTestStack('body-limits');
  port = Number(new URL(t.stack.urls.gateway).port);
  const m = material(t.stack, 'tpp-alpha');
  alpha = { ca: t.stack.pki.rootCa, cert: m.chain, key: m.key };
  token = await idpToken(t.stack, { cnf: { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') } });
});
after(() => t.stop());

/** Sends a head, then (when told, or after 100 Continue) `total` bytes of body; resolves with every status line seen. */
function upload(headLines: string[], total: number, opts: { chunked: boolean; waitForContinue: boolean }): Promise<{ statuses: number[]; text: string }> {
  return new Promise((resolve) => {
    let text = '';
    let queued = 0;
    let started = false;
    const socket = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ...alpha }, () => {
      socket.write(`${[`POST ${CONSENTS} HTTP/1.1`, 'Host: localhost', 'Content-Type: application/json', `Authorization: Bearer ${token}`, ...headLines].join('\r\n')}\r\n\r\n`);
      if (!opts.waitForContinue) pump();
    });
    const piece = Buffer.alloc(0x4000, 0x61);
    const chunk = opts.chunked ? Buffer.concat([Buffer.from('4000\r\n'), piece, Buffer.from('\r\n')]) : piece;
    const pump = () => {
      started = true;
      while (queued < total && socket.writable) {
        queued += 0x4000;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      if (socket.writable && opts.chunked) socket.write('0\r\n\r\n');
    };
    const timer = setTimeout(() => socket.destroy(), 20_000);
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (!started && text.includes('100 Continue')) pump();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ statuses: [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1])), text });
    });
  });
}

test('a chunked body over the limit through the gateway is 413, every time (not 502)', { timeout: 120_000 }, async () => {
  for (let i = 0; i < 6; i++) {
    const r = await upload(['Transfer-Encoding: chunked'], 3 * 1024 * 1024, { chunked: true, waitForContinue: false });
    assert.deepEqual(r.statuses, [413], `attempt ${i}: ${r.text.slice(-300)}`);
  }  // Within the gateway's limit but over the mock API's own (64 KiB): the API's OBIE 413 comes through.
  const upstream = await upload(['Transfer-Encoding: chunked'], 256 * 1024, { chunked: true, waitForContinue: false });
  assert.deepEqual(upstream.statuses, [413], upstream.text.slice(-300));
  assert.match(upstream.text, /UK\.OBIE\.Field\.Invalid/);
});

test('a 5 MB upload with Expect: 100-continue gets a final 413 (declared or chunked), never just 100 Continue', { timeout: 120_000 }, async () => {
  const declared = await upload(['Expect: 100-continue', `Content-Length: ${5 * 1024 * 1024}`], 5 * 1024 * 1024, { chunked: false, waitForContinue: true });
  assert.deepEqual(declared.statuses, [413], declared.text.slice(-300));
  for (let i = 0; i < 3; i++) {
    const chunked = await upload(['Expect: 100-continue', 'Transfer-Encoding: chunked'], 5 * 1024 * 1024, { chunked: true, waitForContinue: true });
    assert.equal(chunked.statuses.at(-1), 413, `attempt ${i}: ${chunked.statuses.join(', ')} ${chunked.text.slice(-300)}`);
  }
});
