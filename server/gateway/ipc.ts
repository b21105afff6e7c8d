// The channel between the main process and gateway workers (FAPI_GATEWAY_WORKERS): the messages, the
// worker's ends of the two services it shares with the main process (the DPoP replay cache, RFC 9449
// §11.1, whose one writer is the main process; the decision store), and the main process's answers.
import type { JWK } from 'jose';
import type { SandboxConfig } from '../config.ts';
import type { StackUrls } from '../config.ts';
import type { Decision } from '../../lib/trace/decision.ts';
import type { DecisionStore } from '../decisions/store.ts';
import { performance } from 'node:perf_hooks';
import { RateBudget } from '../decisions/budget.ts';
import type { ReplayCache } from './dpop/replay-store.ts';
import type { DecisionSink, GatewayMode } from './index.ts';

export interface WorkerInit {
  config: SandboxConfig;
  urls: StackUrls;
  upstreamKey: string;
  idp: { issuer: string; publicJwks: { keys: JWK[] }; introspection: string };
  /** Successful decisions a worker forwards per second at most (refusals always go). */
  forwardPerSecond: number;
}

export type ToWorker =
  | { t: 'init'; init: WorkerInit }
  /** Comes with a TCP socket handle accepted on that listener. */
  | { t: 'conn'; listener: GatewayMode }
  /** Per claim: fresh or not, or the error the main process met. */
  | { t: 'claimed'; results: [id: number, fresh: boolean | { error: string }][] }
  | { t: 'recorded'; upTo: number }
  | { t: 'stop' };

export type FromWorker =
  | { t: 'ready' }
  | { t: 'claim'; claims: [id: number, jkt: string, jti: string, expiresAt: number][] }
  /** `ack`: a decision in the batch holds its answer until the main process replies `recorded`. */
  | { t: 'decisions'; upTo: number; decisions: Decision[]; notForwarded: number; ack: boolean };

type Send = (msg: FromWorker) => void;

/** How long a worker waits for the main process before failing closed (replay) or answering anyway (decisions). */
const CLAIM_TIMEOUT_MS = 5_000;
const RECORD_TIMEOUT_MS = 2_000;

/** A worker's replay cache: claims go to the main process, batched per event-loop turn. */
export class RemoteReplay implements ReplayCache {
  private seq = 0;
  private queue: [number, string, string, number][] = [];
  private readonly waiting = new Map<number, { resolve(fresh: boolean): void; reject(err: Error): void; timer: NodeJS.Timeout }>();
  private scheduled = false;

  constructor(private readonly send: Send, private readonly timeoutMs = CLAIM_TIMEOUT_MS) {}

  claim(jkt: string, jti: string, expiresAt: number): Promise<boolean> {
    const id = ++this.seq;
    this.queue.push([id, jkt, jti, expiresAt]);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`the main process did not answer the replay check within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
    });
  }

  /** The main process's answer. */
  answered(results: [number, boolean | { error: string }][]): void {
    for (const [id, fresh] of results) {
      const w = this.waiting.get(id);
      if (!w) continue;
      this.waiting.delete(id);
      clearTimeout(w.timer);
      if (typeof fresh === 'boolean') w.resolve(fresh);
      else w.reject(new Error(`replay cache in the main process: ${fresh.error}`));
    }
  }

  close(): void {
    for (const w of this.waiting.values()) {
      clearTimeout(w.timer);
      w.reject(new Error('the gateway worker is stopping'));
    }
    this.waiting.clear();
  }

  private flush(): void {
    this.scheduled = false;
    const claims = this.queue;
    this.queue = [];
    if (claims.length) this.send({ t: 'claim', claims });
  }
}

/**
 * A worker's decision sink: decisions go to the main process, batched per event-loop turn. When the
 * client chose the interaction id (the engine does, and looks the decision up as soon as it has the
 * response), the answer waits until the main process has the decision. Refusals and looked-up
 * decisions always go; other successes only within `forwardPerSecond` and while the worker is not
 * busy (event loop over half used): under a flood they are counted, not forwarded.
 */
export class DecisionForwarder implements DecisionSink {
  private seq = 0;
  private queue: Decision[] = [];
  private notForwarded = 0;
  private readonly waiting: { upTo: number; resolve(): void }[] = [];
  private scheduled = false;
  /** The highest id already asked to be acknowledged. */
  private acked = 0;
  private readonly budget: RateBudget;

  private busy = false;
  private readonly sampler: NodeJS.Timeout;

  constructor(private readonly send: Send, forwardPerSecond: number, private readonly timeoutMs = RECORD_TIMEOUT_MS) {
    this.budget = new RateBudget(forwardPerSecond, forwardPerSecond);
    let last = performance.eventLoopUtilization();
    this.sampler = setInterval(() => {
      const now = performance.eventLoopUtilization();
      this.busy = performance.eventLoopUtilization(now, last).utilization > 0.5;
      last = now;
    }, 250);
    this.sampler.unref();
  }

  record(decision: Decision, lookedUp: boolean): Promise<void> | void {
    if (decision.response.status < 400 && !lookedUp && (this.busy || this.budget.take(1) === 0)) {
      this.notForwarded++;
      return;
    }
    this.queue.push(decision);
    const id = ++this.seq;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    if (!lookedUp) return;
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.timeoutMs);
      this.waiting.push({ upTo: id, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  /** The main process has every decision up to `upTo`. */
  recorded(upTo: number): void {
    while (this.waiting.length && this.waiting[0]!.upTo <= upTo) this.waiting.shift()!.resolve();
  }

  private flush(): void {
    this.scheduled = false;
    const decisions = this.queue;
    this.queue = [];
    const notForwarded = this.notForwarded;
    this.notForwarded = 0;
    // Only a batch with a decision waiting for it asks for an answer (one IPC message less per batch under anonymous load).
    const ack = this.waiting.length > 0 && this.waiting.at(-1)!.upTo > this.acked;
    if (ack) this.acked = this.seq;
    if (decisions.length || notForwarded) this.send({ t: 'decisions', upTo: this.seq, decisions, notForwarded, ack });
  }
}

/** The main process's end: answers one worker message with the shared services. */
export async function serveWorker(msg: FromWorker, reply: (m: ToWorker) => void, services: { replay: ReplayCache; decisions: DecisionStore }): Promise<void> {
  if (msg.t === 'claim') {
    if (services.replay.claimMany) {
      let answers: (boolean | { error: string })[];
      try {
        answers = await services.replay.claimMany(msg.claims.map(([, jkt, jti, exp]) => [jkt, jti, exp] as const));
      } catch (err) {
        answers = msg.claims.map(() => ({ error: (err as Error).message }));
      }
      return reply({ t: 'claimed', results: msg.claims.map(([id], i) => [id, answers[i]!]) });
    }
    const results = await Promise.all(
      msg.claims.map(async ([id, jkt, jti, expiresAt]): Promise<[number, boolean | { error: string }]> => {
        try {
          return [id, await services.replay.claim(jkt, jti, expiresAt)];
        } catch (err) {
          return [id, { error: (err as Error).message }];
        }
      }),
    );
    reply({ t: 'claimed', results });
  } else if (msg.t === 'decisions') {
    for (const d of msg.decisions) services.decisions.record(d);
    if (msg.notForwarded) services.decisions.noteNotForwarded(msg.notForwarded);
    if (msg.ack) reply({ t: 'recorded', upTo: msg.upTo });
  }
}
