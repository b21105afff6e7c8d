// Where a request's server CPU goes, by stage. Two sources:
// - V8 .cpuprofile files (`node --cpu-prof`, one per process): self time of the main thread, each
//   sample put in a stage by its stack (STAGES below, first rule that matches wins), counted only
//   inside a time window (the load run) and divided by the answers of that run;
// - `perf record -e cpu-clock` (Linux perf, when installed) of any process, nginx included: every
//   thread and the kernel, bucketed by symbol and shared object (PERF_STAGES).
// CLI: node scripts/bench/profile.mjs FILE.cpuprofile... [--from US --to US] [--requests N]
// (US: CLOCK_MONOTONIC microseconds, the time base of both V8 profiles and process.hrtime).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

/**
 * Stages of the gateway's hot path. A frame matches a stage by its function name and script URL.
 * `subtree` stages claim everything called below a matching frame (the upstream client, the mock
 * API, the replay claim...): a sample goes to the deepest such frame on its stack. Otherwise the
 * leaf frame (then its callers, nearest first) is matched against the `leaf` stages.
 */
export const STAGES = [
  { stage: 'replay claim (jti)', subtree: true, url: /\/(gateway\/dpop\/replay-store|checks\/dpop\/jti-unique)\.[jt]s$/ },
  { stage: 'DPoP verify', subtree: true, url: /\/checks\/dpop\// },
  { stage: 'JWT verify (token.signature, jose)', subtree: true, url: /\/(checks\/token\/signature|gateway\/token-cache)\.[jt]s$|\/node_modules\/jose\// },
  { stage: 'decision record', subtree: true, url: /\/server\/decisions\//, fn: /./ },
  { stage: 'decision record', subtree: true, url: /\/gateway\/index\.[jt]s$/, fn: /^decision$/ },
  { stage: 'IPC worker <-> main (claims, decisions)', subtree: true, url: /\/gateway\/ipc\.[jt]s$|node:internal\/child_process|node:internal\/child_process\/serialization/ },
  { stage: 'mock OB API (upstream, shared with nginx)', subtree: true, url: /\/server\/api\// },
  { stage: 'upstream hop (undici client)', subtree: true, url: /\/node_modules\/undici\// },
  { stage: 'checks (pipeline, certificate facts)', subtree: true, url: /\/server\/gateway\/(checks\/|run|pipeline|connection|trust|context|errors|introspection)/ },
  { stage: 'garbage collection', leaf: true, fn: /^\(garbage collector\)$/ },
  { stage: 'native, no JS on the stack (libuv, TLS decrypt, reads)', leaf: true, fn: /^\(program\)$/ },
  { stage: 'HTTP parse / serialise (node:http)', leaf: true, url: /^node:(_http_|internal\/http)/ },
  { stage: 'HTTP parse / serialise (node:http)', leaf: true, url: /^$/, fn: /^(execute|consume|unconsume|finish|initialize)$/ },
  { stage: 'TLS socket read/write (tls, net, streams)', leaf: true, url: /^node:(_tls_|tls|internal\/tls|net|internal\/stream_base_commons|internal\/streams\/|stream)/ },
  { stage: 'TLS socket read/write (tls, net, streams)', leaf: true, url: /^$/, fn: /^(writev|writeBuffer|writeUtf8String|writeLatin1String|writeAsciiString|readStart|readStop|shutdown|getPeerCertificate|getPeerX509Certificate|getProtocol|getCipher|isSessionReused|setNoDelay|setKeepAlive)$/ },
  { stage: 'gateway request handling (routing, proxy, limits)', leaf: true, url: /\/server\/(gateway|limits|tls|stack|starting)/ },
];
export const OTHER = 'other (events, timers, promises, URL, JSON...)';
const IDLE = /^\(idle\)$/;

const matches = (rule, frame) => (!rule.url || rule.url.test(frame.url)) && (!rule.fn || rule.fn.test(frame.functionName));

/**
 * Self time per stage (µs) of one .cpuprofile, counting samples whose time falls in [from, to]. With
 * `functions`, also fills it with self time per "stage: function file:line".
 */
export function cpuprofileStages(profile, { from = -Infinity, to = Infinity } = {}, functions = null) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageOf = new Map();
  const classify = (id) => {
    let stage = stageOf.get(id);
    if (stage !== undefined) return stage;
    const stack = [];
    for (let at = id; at !== undefined; at = parent.get(at)) stack.push(nodes.get(at).callFrame);
    if (IDLE.test(stack[0].functionName)) stage = null;
    for (const frame of stack) {
      if (stage !== undefined) break;
      const rule = STAGES.find((r) => r.subtree && matches(r, frame));
      if (rule) stage = rule.stage;
    }
    for (const frame of stack) {
      if (stage !== undefined) break;
      const rule = STAGES.find((r) => r.leaf && matches(r, frame));
      if (rule) stage = rule.stage;
    }
    if (stage === undefined) stage = OTHER;
    stageOf.set(id, stage);
    return stage;
  };
  const out = {};
  let t = profile.startTime;
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    t += timeDeltas[i];
    // A sample's time is the interval that ends at the next sample.
    const dt = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : 0;
    if (t < from || t > to || dt <= 0) continue;
    const stage = classify(samples[i]);
    if (!stage) continue;
    out[stage] = (out[stage] ?? 0) + dt;
    if (functions) {
      const f = nodes.get(samples[i]).callFrame;
      const key = `${stage}: ${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
      functions[key] = (functions[key] ?? 0) + dt;
    }
  }
  return out;
}

/**
 * Buckets for `perf report` lines (symbol, shared object), first match wins: OpenSSL (statically
 * linked in Node, libssl / libcrypto for nginx), the kernel, nginx's own HTTP parsing and proxying,
 * V8 and JIT code.
 */
export const PERF_STAGES = [
  { stage: 'kernel (syscalls, loopback TCP, scheduling)', dso: /kernel|vmlinux|\[vdso\]/ },
  { stage: 'OpenSSL: TLS records and crypto', dso: /libssl|libcrypto/ },
  { stage: 'SQLite (replay claims, decision rows)', dso: /better_sqlite3/ },
  { stage: 'OpenSSL: TLS records and crypto', sym: /^_*(SSL_|ssl[0-9_]|tls1?_|tls13_|dtls|EVP_|evp_|aes|AES_|gcm_|GCM|CRYPTO_|ossl_|OPENSSL_|ecp_|EC_|ec_|ECDSA|BN_|bn_|sha\d|SHA\d|HMAC|hmac|x25519|X509|x509|ASN1|asn1|RSA_|rsa_|OSSL_|BIO_|bio_|chacha|poly1305|ChaCha|Poly1305|PEM_|ERR_|RAND_|rand_|OBJ_|CMAC|KDF|kdf|HKDF|PKCS|EVP|ENGINE|DH_|dh_|CONF_|OPENSSL|X25519|ecdsa|ECDH|ecdh|mul_add|bn_mul|ERR|ct_|ASYNC|sk_|OPENSSL_sk)/ },
  { stage: 'HTTP parse (nginx / llhttp)', sym: /^(ngx_http_parse_|ngx_http_process_request|ngx_http_read_request|ngx_http_alloc_large|llhttp_|llhttp__)/ },
  { stage: 'upstream hop (nginx proxy)', sym: /^ngx_http_(upstream|proxy)|^ngx_event_pipe|^ngx_event_connect/ },
  { stage: 'nginx TLS glue', sym: /^ngx_ssl/ },
  { stage: 'nginx other', dso: /^nginx$/ },
  { stage: 'V8 garbage collection', sym: /Heap|Scavenge|MarkCompact|Sweeper|GCTracer|Evacuat|Marking|ConcurrentMarking/ },
  { stage: 'JIT-compiled JS and V8 builtins', sym: /^(Builtins_|Builtin:|LazyCompile|Function:|JS:|InterpreterEntryTrampoline|\[unknown\])/ },
  { stage: 'JIT-compiled JS and V8 builtins', dso: /^(\[unknown\]|perf-\d+\.map|\[JIT\].*)$/ },
  { stage: 'V8 runtime (C++: IC misses, API calls) and TurboFan', sym: /^v8::|^Runtime_|^cppgc|^heap::|^icu/ },
  { stage: 'Node native (node::, libuv, llhttp)', sym: /^(node::|uv_|uv__|napi_)/ },
  { stage: 'libc / libstdc++', dso: /^(libc|libstdc|libm|libpthread|ld-linux)/ },
];
export const PERF_OTHER = 'other native code';

/** The V8 profiler's own thread (`--cpu-prof`): measurement overhead, left out of the shares. */
const PROFILER_THREAD = /^v8:ProfEvntProc$/;

/**
 * Share of samples per bucket (0..1) of a perf.data file, without the profiler's thread, and the
 * share that thread took (`overhead`); null when perf cannot read the file.
 */
export function perfStages(file) {
  const r = spawnSync('perf', ['report', '-i', file, '--stdio', '--no-children', '--sort', 'comm,dso,sym', '-g', 'none', '--percent-limit', '0'], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  if (r.status !== 0) return null;
  const out = {};
  let total = 0;
  let overhead = 0;
  for (const line of r.stdout.split('\n')) {
    // "    12.34%  nginx  libssl.so.3  [.] SSL_read" (thread names may hold spaces: the columns are split on two or more)
    const m = /^\s*([\d.]+)%\s+(.+?)\s{2,}(\S+)\s+\[(.)\]\s+(.+?)\s*$/.exec(line);
    if (!m) continue;
    const share = Number(m[1]) / 100;
    if (PROFILER_THREAD.test(m[2].trim())) {
      overhead += share;
      continue;
    }
    const [, , , dso, level, sym] = m;
    const rule = PERF_STAGES.find((s) => (!s.dso || s.dso.test(dso)) && (!s.sym || s.sym.test(sym)) && (s.dso || s.sym));
    const stage = level === 'k' ? PERF_STAGES[0].stage : rule?.stage ?? PERF_OTHER;
    out[stage] = (out[stage] ?? 0) + share;
    total += share;
  }
  return total ? { shares: Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v / total])), overhead } : null;
}

/** Adds stage maps (µs) together. */
export function sumStages(maps) {
  const out = {};
  for (const m of maps) for (const [k, v] of Object.entries(m)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** µs per request per stage, sorted by cost, as [stage, µs] rows. */
export function perRequest(stages, requests) {
  return Object.entries(stages).map(([k, v]) => [k, requests ? v / requests : 0]).sort((a, b) => b[1] - a[1]);
}

/** A Markdown table: one row per stage, one column per measured load (µs per request). */
export function stageTable(columns) {
  const stages = [...new Set(columns.flatMap((c) => c.rows.map(([k]) => k)))];
  const total = (c) => c.rows.reduce((s, [, v]) => s + v, 0);
  stages.sort((a, b) => Math.max(...columns.map((c) => c.rows.find(([k]) => k === b)?.[1] ?? 0)) - Math.max(...columns.map((c) => c.rows.find(([k]) => k === a)?.[1] ?? 0)));
  const fmt = (x) => (x === undefined ? '' : x < 0.5 ? '<1' : String(Math.round(x)));
  const lines = [`| stage (µs per request) | ${columns.map((c) => c.title).join(' | ')} |`, `|---|${columns.map(() => '---:').join('|')}|`];
  for (const s of stages) lines.push(`| ${s} | ${columns.map((c) => fmt(c.rows.find(([k]) => k === s)?.[1])).join(' | ')} |`);
  lines.push(`| **sum of the above** | ${columns.map((c) => `**${fmt(total(c))}**`).join(' | ')} |`);
  if (columns.some((c) => c.serverCpu !== undefined)) lines.push(`| server CPU from /proc (all threads, all processes) | ${columns.map((c) => fmt(c.serverCpu)).join(' | ')} |`);
  return lines.join('\n');
}

// CLI: summarise profiles given on the command line.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { from: { type: 'string' }, to: { type: 'string' }, requests: { type: 'string' } } });
  if (!positionals.length) {
    console.error('usage: node scripts/bench/profile.mjs FILE.cpuprofile|perf.data ... [--from US --to US] [--requests N]');
    process.exit(2);
  }
  const window = { from: values.from ? Number(values.from) : -Infinity, to: values.to ? Number(values.to) : Infinity };
  const requests = Number(values.requests ?? 1);
  const columns = positionals.map((file) => {
    if (file.endsWith('.cpuprofile')) return { title: file.split('/').at(-1), rows: perRequest(cpuprofileStages(JSON.parse(readFileSync(file, 'utf8')), window), requests) };
    const { shares } = perfStages(file) ?? { shares: {} };
    return { title: `${file.split('/').at(-1)} (% of samples)`, rows: Object.entries(shares).map(([k, v]) => [k, v * 100]) };
  });
  console.log(stageTable(columns));
}
