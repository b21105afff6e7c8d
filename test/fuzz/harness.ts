// The fuzz harness: a seeded PRNG (runs are reproducible), keep-alive HTTPS clients per certificate,
// a bounded pool that sends inputs and judges every answer (no 5xx, no hang, and an input the checks
// must refuse is never accepted), a health probe between classes, and the per-class summary table.
import https from 'node:https';
import tls from 'node:tls';
import type { Stack } from '../../server/stack.ts';
import { rawExchange } from '../helpers/raw.ts';

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i += 4) {
      const word = (this.next() * 4_294_967_296) >>> 0;
      for (let k = 0; k < 4 && i + k < n; k++) out[i + k] = (word >>> (k * 8)) & 0xff;
    }
    return out;
  }
}

/** What an input expects: `refuse` must not be answered 2xx; `either` may go both ways (but never 5xx). */
export type Oracle = 'refuse' | 'either' | 'accept';

export interface FuzzInput {
  cls: string;
  label: string;
  oracle: Oracle;
  /** Listener: a key of stack.urls. */
  target?: 'gateway' | 'gatewayStrict' | 'idp' | 'idpMtls';
  method?: string;
  path?: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** Client certificate: a name from certs/ (default tpp-alpha), null for none, or PEM material. */
  cert?: string | null | { chain: string; key: string; name: string };
  /** Raw bytes instead of an HTTP client request (CR/LF, NUL, conflicting lengths ...). */
  raw?: string | Buffer;
  /** Extra judgement of a 2xx body (e.g. no other customer's data). Returns a problem or null. */
  inspect?: (status: number, body: string) => string | null;
}

export interface Outcome {
  status: number | null;
  /** The connection was closed or reset without an answer (acceptable for malformed bytes). */
  closed: boolean;
  hung: boolean;
  body: string;
}

interface ClassTally {
  inputs: number;
  accepted: number;
  refused: number;
  closed: number;
  serverErrors: number;
  hangs: number;
  wronglyAccepted: number;
  statuses: Map<number, number>;
  examples: string[];
  ms: number;
}

const HANG_MS = 8_000;

/** Limits of the stacks under fuzzing: a client that stalls gets a 408 well within HANG_MS. */
export const FUZZ_LIMITS = { headersTimeoutMs: 2_000, requestTimeoutMs: 3_000 };

export class Fuzzer {
  private readonly agents = new Map<string, https.Agent>();
  /** One TLS context per client identity: parsing PEMs for every new connection costs ~1 ms. */
  private readonly contexts = new Map<string, tls.SecureContext>();
  readonly tally = new Map<string, ClassTally>();
  readonly internalErrors: string[] = [];
  private restoreConsole: (() => void) | null = null;

  constructor(readonly stack: Stack, private readonly concurrency = 12) {}

  /** Counts console.error output of the stack (a check that threw, a handler crash) as a failure. */
  captureErrors(): void {
    const original = console.error;
    console.error = (...args: unknown[]) => {
      this.internalErrors.push(args.map((a) => (a instanceof Error ? a.stack ?? a.message : String(a))).join(' ').slice(0, 600));
    };
    this.restoreConsole = () => (console.error = original);
  }

  private contextFor(cert: FuzzInput['cert']): { name: string; context: tls.SecureContext } {
    const material = cert === null ? null : typeof cert === 'object' && cert ? cert : this.stack.pki.cert(cert ?? 'tpp-alpha');
    const name = cert === null ? '(none)' : typeof cert === 'object' && cert ? cert.name : (cert ?? 'tpp-alpha');
    let context = this.contexts.get(name);
    if (!context) {
      context = tls.createSecureContext({ ca: this.stack.pki.rootCa, ...(material ? { cert: material.chain, key: material.key } : {}) });
      this.contexts.set(name, context);
    }
    return { name, context };
  }

  private agentFor(cert: FuzzInput['cert']): https.Agent {
    const { name, context } = this.contextFor(cert);
    let agent = this.agents.get(name);
    if (!agent) {
      agent = new https.Agent({ keepAlive: true, maxSockets: this.concurrency, secureContext: context, servername: 'localhost' });
      this.agents.set(name, agent);
    }
    return agent;
  }

  /** Sends one input and returns what happened, never throwing. */
  send(input: FuzzInput): Promise<Outcome> {
    const base = new URL(this.stack.urls[input.target ?? 'gateway']);
    if (input.raw !== undefined) {
      return rawExchange({
        port: Number(base.port), tls: { secureContext: this.contextFor(input.cert).context },
        chunks: [input.raw], timeoutMs: HANG_MS,
      }).then((r) => ({ status: r.status, closed: r.status === null && r.closed, hung: !r.closed, body: r.text.slice(0, 4096) }));
    }
    return new Promise((resolve) => {
      let settled = false;
      const done = (o: Outcome) => {
        if (!settled) {
          settled = true;
          resolve(o);
        }
      };
      let req;
      try {
        req = https.request({
          host: '127.0.0.1', port: Number(base.port), servername: 'localhost', method: input.method ?? 'GET', path: input.path ?? '/',
          headers: { host: base.host, ...input.headers }, agent: this.agentFor(input.cert),
        });
      } catch (err) {
        // Node's client refuses to send it (invalid header characters): not an input the server saw.
        return done({ status: -1, closed: true, hung: false, body: String((err as Error).message) });
      }
      req.setTimeout(HANG_MS, () => {
        req.destroy();
        done({ status: null, closed: false, hung: true, body: '' });
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= 64 * 1024) chunks.push(c);
        });
        res.on('end', () => done({ status: res.statusCode ?? 0, closed: false, hung: false, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => done({ status: res.statusCode ?? 0, closed: true, hung: false, body: '' }));
      });
      req.on('error', () => done({ status: null, closed: true, hung: false, body: '' }));
      req.end(input.body);
    });
  }

  private record(input: FuzzInput, o: Outcome): void {
    let t = this.tally.get(input.cls);
    if (!t) {
      t = { inputs: 0, accepted: 0, refused: 0, closed: 0, serverErrors: 0, hangs: 0, wronglyAccepted: 0, statuses: new Map(), examples: [], ms: 0 };
      this.tally.set(input.cls, t);
    }
    if (o.status === -1) throw new Error(`input "${input.label}" could not be sent by Node's client: ${o.body} (send it raw)`);
    t.inputs++;
    const problem = (what: string) => {
      const line = `${what}: ${input.label} -> ${o.status ?? (o.hung ? 'hang' : 'closed')} ${o.body.slice(0, 160).replace(/\s+/g, ' ')}`;
      if (t.examples.length < 40 && !t.examples.some((e) => e.startsWith(`${what}: ${input.label} ->`))) t.examples.push(line);
    };
    if (o.status !== null) t.statuses.set(o.status, (t.statuses.get(o.status) ?? 0) + 1);
    if (o.hung) {
      t.hangs++;
      problem('HANG');
    } else if (o.status === null) t.closed++;
    else if (o.status >= 500) {
      t.serverErrors++;
      problem('5xx');
    } else if (o.status >= 200 && o.status < 300) {
      t.accepted++;
      if (input.oracle === 'refuse') {
        t.wronglyAccepted++;
        problem('WRONGLY ACCEPTED');
      } else {
        const issue = input.inspect?.(o.status, o.body);
        if (issue) {
          t.wronglyAccepted++;
          problem(`WRONG ANSWER (${issue})`);
        }
      }
    } else {
      t.refused++;
      if (input.oracle === 'accept') problem('refused a control input');
    }
  }

  /** Sends every input, `concurrency` at a time, then probes that the stack still answers. */
  async run(inputs: readonly FuzzInput[], probe: () => Promise<boolean>): Promise<void> {
    const t0 = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < inputs.length) {
        const input = inputs[next++]!;
        this.record(input, await this.send(input));
      }
    };
    // allSettled: one failing worker must not leave the others sending while the stack stops.
    const settled = await Promise.allSettled(Array.from({ length: this.concurrency }, worker));
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const cls = inputs[0]?.cls;
    if (cls) this.tally.get(cls)!.ms += performance.now() - t0;
    if (cls && !(await probe())) {
      const t = this.tally.get(cls)!;
      t.hangs++;
      t.examples.push('CRASH: the stack did not answer a genuine request after this class');
    }
  }

  /**
   * Runs every class of inputs in turn (`probe` after each), prints the summary table and any problems,
   * and returns what the test asserts on.
   */
  async runClasses(title: string, seed: number, classes: readonly (() => FuzzInput[] | Promise<FuzzInput[]>)[], probe: () => Promise<boolean>) {
    const t0 = performance.now();
    for (const build of classes) await this.run(await build(), probe);
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(`\n${this.table(`${title} (seed 0x${seed.toString(16)}, ${seconds} s)`)}\n`);
    const problems = this.problems();
    if (problems.length) console.log(`problems:\n${problems.join('\n')}`);
    return { totals: this.totals(), problems };
  }

  /** The summary table; every class must show 0 in the last three columns. */
  private table(title: string): string {
    const rows = [...this.tally.entries()].map(([cls, t]) => [cls, t.inputs, t.accepted, t.refused, t.closed, t.serverErrors, t.hangs, t.wronglyAccepted, Math.round(t.ms)]);
    const total = rows.reduce((sum, r) => sum.map((v, i) => (i === 0 ? 'total' : (v as number) + (r[i] as number))), ['total', 0, 0, 0, 0, 0, 0, 0, 0]);
    const head = ['class', 'inputs', '2xx', '4xx', 'closed', '5xx', 'crash/hang', 'wrongly accepted', 'ms'];
    const all = [head, ...rows, total].map((r) => r.map(String));
    const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
    const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
    const sep = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
    return [`${title}`, line(head), sep, ...all.slice(1, -1).map(line), line(all.at(-1)!), `internal errors logged by the stack: ${this.internalErrors.length}`].join('\n');
  }

  /** Problems found, for the assertion message. */
  private problems(): string[] {
    return [...[...this.tally.values()].flatMap((t) => t.examples), ...this.internalErrors.slice(0, 5).map((e) => `LOGGED: ${e}`)];
  }

  private totals(): { inputs: number; serverErrors: number; hangs: number; wronglyAccepted: number } {
    const t = [...this.tally.values()];
    const sum = (k: keyof ClassTally) => t.reduce((n, x) => n + (x[k] as number), 0);
    return { inputs: sum('inputs'), serverErrors: sum('serverErrors'), hangs: sum('hangs'), wronglyAccepted: sum('wronglyAccepted') };
  }

  close(): void {
    this.restoreConsole?.();
    for (const agent of this.agents.values()) agent.destroy();
  }
}

// ---- mutations of strings (tokens, proofs) ---------------------------------------------------

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const NASTY = ['.', '=', '+', '/', ' ', '%', '"', ',', ';', '\\', '~', '\t', '\u00e9', '\u00ff'];

/** 1-3 random edits (substitute, insert, delete, swap) of a token-like string. */
export function mutate(rng: Rng, value: string): string {
  let s = value;
  const edits = 1 + rng.int(3);
  for (let e = 0; e < edits; e++) {
    const i = rng.int(s.length);
    const ch = rng.next() < 0.85 ? rng.pick([...B64URL]) : rng.pick(NASTY);
    switch (rng.int(4)) {
      case 0: s = s.slice(0, i) + ch + s.slice(i + 1); break;
      case 1: s = s.slice(0, i) + ch + s.slice(i); break;
      case 2: s = s.slice(0, i) + s.slice(i + 1); break;
      default: s = s.slice(0, i) + s.slice(i + 1, i + 2) + s.slice(i, i + 1) + s.slice(i + 2);
    }
  }
  return s;
}

export const b64json = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** A header value of arbitrary text, as Node's client will send it: UTF-8 bytes spelled as latin1. */
export const latin1 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
