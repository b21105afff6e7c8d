// A client that goes away mid-upload is the client's business: no listener logs it as a server error
// (console.error), and the stack keeps serving.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { startTestStack, idpToken, material, thumbprint, callGateway, type TestStack } from '../helpers/stack.ts';

let t: TestStack;
before(async () => {
  t = await startTestStack('client-aborts');
});
after(() => t.stop());

/** Sends a head declaring 100,000 bytes and 10 of them, then resets the connection. */
function abortMidBody(socket: net.Socket, head: string): Promise<void> {
  return new Promise((resolve) => {
    socket.on('error', () => {});
    socket.on('close', () => resolve());
    const go = () => {
      socket.write(`${head}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"scenario`);
      setTimeout(() => (socket instanceof tls.TLSSocket ? socket.destroy() : socket.resetAndDestroy()), 300);
    };
    socket.once(socket instanceof tls.TLSSocket ? 'secureConnect' : 'connect', go);
  });
}

test('aborted uploads to the control API, the gateway (and its upstream) and the IdP are not server errors', async () => {
  const logged: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    const ui = new URL(t.stack.urls.ui);
    const alpha = material(t.stack, 'tpp-alpha');
    const token = await idpToken(t.stack, { cnf: { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') } });
    const tlsTo = (url: string) => tls.connect({ port: Number(new URL(url).port), host: '127.0.0.1', servername: 'localhost', ca: t.stack.pki.rootCa, cert: alpha.chain, key: alpha.key });
    for (let i = 0; i < 3; i++) {
      await abortMidBody(net.connect(Number(ui.port), '127.0.0.1'), `POST /api/runs HTTP/1.1\r\nHost: localhost:${ui.port}`);
      await abortMidBody(net.connect(Number(ui.port), '127.0.0.1'), `POST /api/targets HTTP/1.1\r\nHost: localhost:${ui.port}`);
      await abortMidBody(tlsTo(t.stack.urls.gateway), `POST /open-banking/v3.1/aisp/account-access-consents HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}`);
      await abortMidBody(tlsTo(t.stack.urls.idpMtls), 'POST /token HTTP/1.1\r\nHost: localhost');
    }
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    console.error = original;
  }
  assert.deepEqual(logged.map((args) => args.map(String).join(' ').slice(0, 200)), []);
  const ok = await callGateway(t.stack, '/open-banking/v3.1/aisp/accounts', { cert: 'tpp-alpha', token: await idpToken(t.stack, { cnf: { 'x5t#S256': thumbprint(t.stack, 'tpp-alpha') } }) });
  assert.equal(ok.response?.status, 200);
});
