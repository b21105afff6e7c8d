// Raw HTTP/1.1 over TCP or TLS for tests that must send what Node's HTTP client refuses to (CR/LF
// or NUL in headers, conflicting lengths, trickled bytes) and time how a listener answers or closes.
import net from 'node:net';
import tls from 'node:tls';

/** Client TLS material as PEM, or a prepared context (cheaper when connecting many times). */
export type RawTls = { ca: string; cert?: string; key?: string } | { secureContext: tls.SecureContext };

export interface RawOptions {
  port: number;
  host?: string;
  /** TLS client options; null for plain TCP. */
  tls: RawTls | null;
  /** Written in order, `delayMs` apart (a slow client), the first once connected. */
  chunks: (string | Buffer)[];
  delayMs?: number;
  /** Give up (and report `closed: false`) after this long. */
  timeoutMs: number;
  /** Do not start the TLS handshake at all: only open the TCP connection (and write `chunks` raw). */
  noHandshake?: boolean;

}

export interface RawResult {
  /** Status of the first response, when one arrived. */
  status: number | null;
  /** Everything the server sent. */
  text: string;
  /** The server closed the connection (or it failed) within the timeout. */
  closed: boolean;
  elapsedMs: number;
  error: string | null;
  bytesWritten: number;
}

/** Opens a connection, writes the chunks, and resolves when the server closes it or the time is up. */
export function rawExchange(opts: RawOptions): Promise<RawResult> {
  const host = opts.host ?? '127.0.0.1';
  const t0 = performance.now();
  return new Promise((resolve) => {
    let text = '';
    let error: string | null = null;
    let bytesWritten = 0;
    let done = false;
    const socket: net.Socket =
      opts.tls && !opts.noHandshake
        ? tls.connect({ host, port: opts.port, servername: 'localhost', rejectUnauthorized: true, ...opts.tls })
        : net.connect({ host, port: opts.port });
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : null, text, closed, elapsedMs: performance.now() - t0, error, bytesWritten });
    };
    const timer = setTimeout(() => finish(false), opts.timeoutMs);
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', (err: NodeJS.ErrnoException) => (error ??= err.code ?? err.message));
    socket.on('close', () => finish(true));
    socket.once(opts.tls && !opts.noHandshake ? 'secureConnect' : 'connect', async () => {
      for (const [i, chunk] of opts.chunks.entries()) {
        if (i > 0 && opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
        if (done || socket.destroyed || !socket.writable) return;
        socket.write(chunk);
        bytesWritten += Buffer.byteLength(chunk);
      }

    });
  });
}
