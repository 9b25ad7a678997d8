/**
 * Builds the CheckContext each check runs with. Everything a check sends goes through here,
 * to the target's host only, counted against the shared budget and closed when the check ends.
 */
import { execFile } from 'node:child_process';
import { openAuditSocket } from './audit-socket.js';
import { AuditBytes } from './bounds.js';
import { LivenessLog } from './liveness-log.js';
import type { ConnectionBudget } from './budget.js';
import { canaryJudge } from './canary.js';
import { concreteRequest, credentialsOf, socketIoAuth } from './request-variant.js';
import { rawHandshake, type RawHandshakeResult } from './raw/raw-handshake.js';
import { buildHandshakeRequest, type HandshakeRequestSpec } from './raw/handshake.js';
import type { RawConnection } from './raw/raw-connection.js';
import { describeFrame, describeHandshakeDiff, InputLog, isBaselineCopy, type InputEntry } from './inputs.js';
import type { Frame } from './raw/frame-decoder.js';
import { endpointOf, type Endpoint } from './raw/target.js';
import { issuedSecrets, operatorSecrets, redactReport, Redactor } from './redact.js';
import type { AuditOptions, AuditReport, AuditSocket, AuthProbe, CheckContext, ConnectResult, FindingInput, HandshakeVariant, TrafficEntry, TrafficRecorder } from './types.js';

export class CheckSkipped extends Error {}

export interface Stall {
  at: number;
  /** The timeout, in words. */
  detail: string;
  /** Epoch ms of the first answer the target gave any request after it. */
  answeredAt?: number;
}

/** The auditor gave up waiting (as opposed to a refusal or a reset, which are answers of a kind). */
const TIMED_OUT = /timed out|within \d+ ms/;

/** A fixed key for describing requests: keys differ on every request and say nothing. */
const DESCRIBE_KEY = 'd3NndWFyZC1kZXNjcmliZQ==';

/** State shared by every check of one audit. */
export interface AuditShared {
  target: URL;
  endpoint: Endpoint;
  options: AuditOptions;
  budget: ConnectionBudget;
  traffic: TrafficRecorder;
  memo: Map<string, Promise<unknown>>;
  /** Epoch ms before which no check opens a connection (set when the target throttles us). */
  throttledUntil: number;
  /** Bytes the target made the audit hold (created on first use from the options' limits). */
  bytes?: AuditBytes;
  /** What the liveness watch saw (created on first use). */
  liveness?: LivenessLog;
  /** Connection attempts per check, answered or not (the liveness watch asks whether a check tried). */
  attempts?: Map<string, number>;
  /** What each check sent, noted before sending (the input a crash is attributed to). */
  inputs?: InputLog;
  /**
   * When attempts started going unanswered (no HTTP answer at all: refused, reset, timed out),
   * cleared by the next answer any check gets. If the target is then found down, its silence
   * began there, and every check running since then ran into it.
   */
  silentSince?: number;
  /**
   * Per check, its first copy of the baseline request that got no answer within the timeout (the
   * target answers that request when well: it was busy), and when anything was answered next.
   * The liveness watch turns a stall the target got over before the check ended into WSG-LIVE-02.
   */
  stalls?: Map<string, Stall>;
  /** Epoch ms of the last HTTP answer any request got: a request that waited past it did not wait on a busy target. */
  lastAnswerAt?: number;
  /** Results (handshakes, connections, auth probes) whose final answer was a 429/503 after the retries. */
  throttledResults?: WeakMap<object, number>;
  /**
   * Session identifiers the target issued (Set-Cookie values, Engine.IO sids), kept apart from the
   * bounded traffic record, which may drop entries: the report must never show one.
   */
  issued?: Set<string>;
}

/**
 * Frames that answer the canary on the connection that sent it (a Socket.IO ACK to its EVENT, or a
 * frame matching --canary-expect, else the first frame, after it): that identity's own data, as the
 * operator declared the canary's answer to be. LEAK-02 reads it (ownCanaryAnswer).
 */
const OWN_CANARY_ANSWERS = new WeakSet<TrafficEntry>();

export function ownCanaryAnswer(e: TrafficEntry): boolean {
  return OWN_CANARY_ANSWERS.has(e);
}

/** A recorder for one connection that marks its own answers to the canary (see OWN_CANARY_ANSWERS). */
function canaryTagging(traffic: TrafficRecorder, options: AuditOptions): TrafficRecorder {
  const canary = options.canary;
  if (!canary) return traffic;
  const expect = options.canaryExpect === undefined ? null : new RegExp(options.canaryExpect);
  const acks = new Set<string>();
  let sent = false;
  let answered = false;
  return {
    record: (e) => {
      if (e.kind === 'frame' && e.direction === 'out' && (e.text === canary || (options.protocol === 'socket.io' && /^42/.test(e.text) && e.text.endsWith(canary)))) {
        sent = true;
        answered = false;
        const id = /^42(?:\/[^,]*,)?(\d+)\[/.exec(e.text)?.[1];
        if (id) acks.add(id);
      } else if (e.kind === 'frame' && e.direction === 'in' && sent) {
        const ack = /^43(?:\/[^,]*,)?(\d+)\[/.exec(e.text)?.[1];
        if ((ack !== undefined && acks.has(ack)) || (ack === undefined && (expect ? expect.test(e.text) : !answered) && !/^[23]$/.test(e.text))) {
          OWN_CANARY_ANSWERS.add(e);
          answered = true;
        }
      }
      traffic.record(e);
    },
    entries: () => traffic.entries(),
  };
}

/** The report with every credential and issued session identifier redacted (redact.ts). */
export function redactAudit(shared: AuditShared, report: AuditReport): AuditReport {
  const issued = [...(shared.issued ?? []), ...shared.traffic.entries().flatMap(issuedSecrets)];
  return redactReport(report, new Redactor([...operatorSecrets(shared.options, shared.target), ...issued]));
}

export interface ContextHandle {
  ctx: CheckContext;
  findings: FindingInput[];
  /** The status of each of this check's probes that was still 429/503 after the retries (memoised ones included). */
  throttled: number[];
  /** What the check observed (ctx.observed), the reason of a pass. */
  observations: string[];
  /** Closes every connection the check left open. */
  dispose(): void;
}

export function createContext(shared: AuditShared, checkId: string, signal: AbortSignal): ContextHandle {
  const { target, endpoint, options, budget } = shared;
  const issued = (shared.issued ??= new Set());
  // Every recorded answer passes here: what the target issued is noted even when the record is full.
  const traffic: TrafficRecorder = {
    record: (e) => {
      for (const v of issuedSecrets(e)) if (issued.size < 10_000) issued.add(v);
      shared.traffic.record(e);
    },
    entries: () => shared.traffic.entries(),
  };
  const findings: FindingInput[] = [];
  const throttled: number[] = [];
  const observations: string[] = [];
  const openSockets = new Set<AuditSocket>();
  const openRaw = new Set<{ destroy(): void }>();
  /** Set by dispose: a connection that completes afterwards is closed at once (no socket outlives its check). */
  let disposed = false;
  const throttledResults = (shared.throttledResults ??= new WeakMap());
  const markThrottled = <T>(r: T, status: number | undefined): T => {
    if (status === 429 || status === 503) {
      throttled.push(status);
      if (typeof r === 'object' && r !== null) throttledResults.set(r, status);
    }
    return r;
  };
  /** No new connection once the check has ended or been stopped (a retry after a throttle wait included). */
  const ensureRunning = () => {
    if (disposed || signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('check finished');
  };
  /** An attempt at the target's own endpoint got an HTTP answer (true) or none at all (false). */
  const answered = (yes: boolean, variant: HandshakeVariant, stall?: { what: string; error: string; sentAt: number }) => {
    if (variant.endpoint || signal.aborted) return; // another port, or our own stop: says nothing about the target
    if (yes) {
      shared.silentSince = undefined;
      shared.lastAnswerAt = Date.now();
      for (const s of shared.stalls?.values() ?? []) s.answeredAt ??= Date.now();
      return;
    }
    shared.silentSince ??= Date.now();
    // Only a request the target answers when well, given up on while it answered no other request
    // (busy): a check's odd request may rightly go unanswered, and an idle target is not stalled.
    if (stall && checkId !== 'WSG-LIVE-01' && !variant.livenessProbe && isBaselineCopy(stall.what) && TIMED_OUT.test(stall.error) && !((shared.lastAnswerAt ?? 0) > stall.sentAt)) {
      const stalls = (shared.stalls ??= new Map());
      if (!stalls.has(checkId)) stalls.set(checkId, { at: Date.now(), detail: stall.error });
    }
  };
  const countAttempt = (tag: string) => {
    ensureRunning();
    budget.take(`${checkId} ${tag}`);
    const attempts = (shared.attempts ??= new Map());
    attempts.set(checkId, (attempts.get(checkId) ?? 0) + 1);
  };
  shared.bytes ??= new AuditBytes({ perConnection: options.maxConnectionBytes, perCheck: options.maxCheckBytes, total: options.maxAuditBytes });
  const bytes = shared.bytes.forCheck(checkId);
  const inputs = (shared.inputs ??= new InputLog());

  const recordHttp = (r: RawHandshakeResult) => {
    const head = r.response.rawHeaders.map(([k, v]) => `${k}: ${v}`).join('\n');
    traffic.record({ checkId, kind: 'http', direction: 'in', text: `HTTP/${r.response.httpVersion} ${r.response.status} ${r.response.statusText}\n${head}\n\n${r.response.body.toString('utf8')}`, status: r.response.status, headers: r.response.headers });
  };

  /** What is left of this check's options.throttleWaitMs. */
  let throttleWaitLeft = options.throttleWaitMs;

  /**
   * Waits out 429/503 answers (Retry-After, at most 5 s each) while the check's throttle budget
   * lasts, then gives up: throttling is not a verdict. Checks back off together and come back
   * spread over a second, so those queued behind a rate limit take turns.
   */
  async function withThrottleRetry<T>(variant: HandshakeVariant, once: () => Promise<T>, statusOf: (r: T) => { status?: number; retryAfter?: string }): Promise<T> {
    for (;;) {
      // Another check was refused: wait with it (not from this check's budget: no answer of its own).
      const pause = shared.throttledUntil - Date.now();
      if (pause > 0) await ctx.sleep(pause + Math.floor(Math.random() * 1000));
      const r = await once();
      const { status, retryAfter } = statusOf(r);
      if (variant.acceptThrottle || (status !== 429 && status !== 503)) return r;
      const wait = Math.min(5000, Math.max(250, (Number(retryAfter) || 1) * 1000));
      // Still throttled when the budget is spent: the answer says nothing about the check's question.
      if (wait > throttleWaitLeft || signal.aborted) return markThrottled(r, status);
      throttleWaitLeft -= wait;
      shared.throttledUntil = Math.max(shared.throttledUntil, Date.now() + wait);
    }
  }

  function handshake(variant: HandshakeVariant = {}, tag = 'handshake'): Promise<RawHandshakeResult> {
    return withThrottleRetry(variant, () => handshakeOnce(variant, tag), (r) => ({ status: r.response.status, retryAfter: r.response.headers['retry-after']?.[0] }));
  }

  /** The request spec and endpoint of a variant, as rawHandshake gets them. */
  function requestOf(variant: HandshakeVariant): { ep: Endpoint; raw: NonNullable<HandshakeVariant['raw']>; request: HandshakeRequestSpec } {
    const req = concreteRequest(target, options, variant);
    const ep = endpointOf(req.url);
    const headers = [...req.headers];
    if (req.protocols.length) headers.push(['Sec-WebSocket-Protocol', req.protocols.join(', ')]);
    const raw = variant.raw ?? {};
    const path = `${req.url.pathname}${req.url.search}`;
    // Variants of the baseline go out as a browser sends them; raw probes keep their own layout.
    const request: HandshakeRequestSpec = { path, host: ep.hostHeader, headers, ...(raw.request || raw.rawRequest ? {} : { layout: 'browser' as const }), ...raw.request, ...(raw.request?.headers ? { headers: [...headers, ...raw.request.headers] } : {}) };
    return { ep, raw, request };
  }

  /** A handshake in words, against the baseline request (what differs is what the check tried). */
  function describeHandshake(variant: HandshakeVariant): string {
    const { raw, request } = requestOf(variant);
    const bytes = (spec: HandshakeRequestSpec) => buildHandshakeRequest({ ...spec, key: spec.key === undefined ? DESCRIBE_KEY : spec.key });
    const sent = raw.rawRequest ?? bytes(request);
    const slices = raw.sliceBytes ? `, sent ${raw.sliceBytes} byte${raw.sliceBytes === 1 ? '' : 's'} at a time` : '';
    return describeHandshakeDiff(sent, bytes(requestOf({}).request), slices);
  }

  async function handshakeOnce(variant: HandshakeVariant, tag: string): Promise<RawHandshakeResult> {
    countAttempt(tag);
    const { ep, raw, request } = requestOf(variant);
    const described = describeHandshake(variant);
    const sentAt = Date.now();
    let answeredYet = false;
    // The liveness watch's own probes are not inputs of a check.
    const own = tag === 'liveness' || variant.livenessProbe === true || checkId === 'WSG-LIVE-01' || variant.endpoint !== undefined;
    const input = own ? undefined : inputs.add({ checkId, what: described, probe: false, answered: () => answeredYet });
    const r = await rawHandshake(
      { ...ep, host: endpoint.host },
      {
        ...raw,
        request,
        timeoutMs: raw.timeoutMs ?? options.requestTimeoutMs,
        signal,
        // The target's host, whatever the variant says: nothing goes anywhere else.
        connect: { ...raw.connect, host: endpoint.host, meter: bytes.connection() },
      },
    ).catch((e: unknown) => {
      answered(false, variant, { what: described, error: (e as Error).message, sentAt });
      // Never connected: the request did not reach the target, so it cannot be what took it down.
      if (input && /ECONNREFUSED|^connect to .* timed out/.test((e as Error).message)) input.probe = true;
      throw e;
    });
    answeredYet = true;
    answered(true, variant);
    recordHttp(r);
    if (r.connection) {
      const conn = r.connection;
      if (disposed || signal.aborted) conn.destroy();
      else openRaw.add(conn);
      conn.onFrame = (f) => recordFrame(f, 'in');
      if (checkId !== 'WSG-LIVE-01') watchFrames(conn);
    }
    return r;
  }

  /** Notes each frame a raw connection sends, fragments of one message as one input. */
  function watchFrames(conn: RawConnection): void {
    let message: InputEntry | undefined;
    conn.onSent = (f) => {
      const seen = conn.framesReceived;
      if (f.opcode === 0 && message?.fragments && !message.fragments.fin) {
        message.fragments.frames++;
        message.fragments.bytes += f.length;
        message.fragments.fin = f.fin;
        const prev = message.answered;
        message.answered = () => prev() && conn.framesReceived > seen;
        return;
      }
      // Pongs and the nonce pings of the frame probes ("is it still alive?") are the auditor's own.
      const probe = f.opcode === 0xa || (f.opcode === 0x9 && f.length <= 125 && f.prefix.subarray(0, 8).toString('latin1') === 'wsguard-');
      const e = inputs.add({ checkId, what: describeFrame(f), probe, answered: () => conn.framesReceived > seen });
      message = f.opcode < 8 && !f.fin ? Object.assign(e, { fragments: { kind: f.opcode === 2 ? 'binary' : 'text', frames: 1, bytes: f.length, fin: false } }) : f.opcode < 8 ? undefined : message;
    };
  }

  function recordFrame(frame: Frame, direction: 'in' | 'out' = 'in'): void {
    const isText = frame.opcode === 1 || (frame.opcode === 0 && !frame.rsv1);
    traffic.record({
      checkId, kind: frame.opcode === 8 ? 'close' : 'frame', direction,
      text: frame.opcode === 8 ? (frame.closeReason ?? Buffer.alloc(0)).toString('utf8') : frame.payload.toString(isText ? 'utf8' : 'latin1'),
      bytes: frame.opcode === 8 ? frame.closeReason : isText ? undefined : frame.payload,
      opcode: frame.opcode, closeCode: frame.closeCode,
    });
  }

  function connect(variant: HandshakeVariant = {}, opts: { noAutoPong?: boolean } = {}): Promise<ConnectResult> {
    return withThrottleRetry(variant, () => connectOnce(variant, opts), (r) => (r.ok ? {} : { status: r.status, retryAfter: String(r.headers?.['retry-after'] ?? '') }));
  }

  async function connectOnce(variant: HandshakeVariant, opts: { noAutoPong?: boolean }): Promise<ConnectResult> {
    countAttempt('connect');
    const sentAt = Date.now();
    const req = concreteRequest(target, options, variant);
    const creds = credentialsOf(options, variant);
    let answeredYet = false;
    const input = variant.endpoint ? undefined : inputs.add({ checkId, what: describeHandshake(variant), probe: false, answered: () => answeredYet });
    const r = await openAuditSocket(req, {
      timeoutMs: options.requestTimeoutMs, signal, recorder: canaryTagging(traffic, options), checkId,
      socketIo: options.protocol === 'socket.io', socketIoAuth: socketIoAuth(creds), socketIoNamespace: options.namespace, noAutoPong: opts.noAutoPong, meter: bytes.connection(),
      noteInput: (f, answeredIt) => { inputs.add({ checkId, what: describeFrame(f), probe: false, answered: answeredIt }); },
    });
    answeredYet = r.ok || r.status !== undefined;
    const setCookie = r.ok ? r.socket.upgradeHeaders['set-cookie'] : r.headers?.['set-cookie'];
    if (setCookie) for (const v of issuedSecrets({ checkId, kind: 'http', direction: 'in', text: '', headers: { 'set-cookie': [setCookie].flat() } })) issued.add(v);
    if (input && !r.ok && /ECONNREFUSED/.test(r.error ?? '')) input.probe = true;
    answered(r.ok || r.status !== undefined, variant, input && !r.ok ? { what: input.what, error: r.error ?? '', sentAt } : undefined);
    if (r.ok && (disposed || signal.aborted)) r.socket.close();
    else if (r.ok) openSockets.add(r.socket);
    return r;
  }

  function memo<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let p = shared.memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = fn();
      shared.memo.set(key, p);
      return p;
    }
    // A shared answer that was a throttle counts for every check reading it, not only the first.
    return p.then((v) => (typeof v === 'object' && v !== null ? markThrottled(v, throttledResults.get(v)) : v));
  }

  const baseline = () => memo('baseline', () => handshake({}, 'baseline'));

  /** Replies to the canary on a baseline connection (for judging other replies). */
  const baselineCanary = () => memo('baseline-canary', async () => {
    if (!options.canary) return [] as string[];
    const r = await connect();
    if (!r.ok) return [];
    const before = r.socket.messages.length;
    r.socket.send(options.canary);
    await r.socket.collect(options.canaryWaitMs);
    r.socket.close();
    return r.socket.messages.slice(before);
  });

  async function probeAuth(variant: HandshakeVariant): Promise<AuthProbe> {
    const r = await connect(variant);
    if (!r.ok) {
      const refused: AuthProbe = { outcome: 'rejected', detail: r.status ? `HTTP ${r.status}` : `connection failed: ${r.error ?? 'unknown'}` };
      const status = throttledResults.get(r);
      if (status !== undefined) throttledResults.set(refused, status);
      return refused;
    }
    const s = r.socket;
    try {
      if (!options.canary && options.canaryExpect) {
        // No canary to send: watch unsolicited pushes for the protected pattern.
        const re = new RegExp(options.canaryExpect);
        const push = await s.waitFor((m) => re.test(m), options.canaryWaitMs);
        if (push !== null) return { outcome: 'accepted', detail: `101, unsolicited push: ${push.slice(0, 200)}`, confidence: 'certain' };
      }
      if (!options.canary) {
        const closed = await s.waitClose(Math.min(1000, options.canaryWaitMs));
        if (closed) return { outcome: 'rejected', detail: `101 then close ${closed.code} ${closed.reason}`.trim() };
        return { outcome: 'unknown', detail: '101 and the socket stays open; no --canary to tell whether it serves protected data' };
      }
      const judge = canaryJudge(options.canaryExpect, await baselineCanary(), options.protocol === 'socket.io', options.canary);
      const from = s.messages.length;
      s.send(options.canary);
      let level: 'certain' | 'tentative' | null = null;
      const hit = await s.waitFor((m) => (level = judge.judge(m)) !== null, options.canaryWaitMs, from);
      if (hit !== null && level) return { outcome: 'accepted', detail: `101, canary answered: ${hit.slice(0, 200)}`, confidence: level === 'certain' ? 'certain' : 'tentative' };
      const closed = s.closed;
      return { outcome: 'rejected', detail: closed ? `101 then close ${closed.code} ${closed.reason}`.trim() : `101 but no protected data within ${options.canaryWaitMs} ms` };
    } finally {
      s.close();
    }
  }

  async function liveness(): Promise<boolean> {
    try {
      const r = await handshake({ raw: { timeoutMs: 5000 } }, 'liveness');
      return r.upgraded;
    } catch {
      return false;
    }
  }

  function runCommand(cmd: string): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile('/bin/sh', ['-c', cmd], { timeout: Math.max(options.requestTimeoutMs, 10_000), maxBuffer: 64 * 1024, signal }, (err, stdout) => {
        if (err) reject(new Error(`command failed: ${err.message.split('\n')[0]}`));
        else resolve(stdout.trim());
      });
    });
  }

  const ctx: CheckContext = {
    target, endpoint, options, checkId, signal,
    baseline,
    baselineOk: async () => {
      try {
        return (await baseline()).upgraded;
      } catch {
        return false;
      }
    },
    handshake: (v) => handshake(v),
    connect,
    probeAuth,
    liveness,
    noteDown: (input) => { (shared.liveness ??= new LivenessLog()).suspect(checkId, input); },
    livenessEvents: () => shared.liveness?.events ?? [],
    memo,
    // A finding made once the check was stopped or timed out comes from an observation cut short:
    // "still open after 25 s" in a run stopped at 6 s claims what nobody saw.
    report: (f) => { if (!signal.aborted) findings.push(f); },
    observed: (what) => { observations.push(what); },
    skip: (reason) => { throw new CheckSkipped(reason); },
    runCommand,
    traffic,
    recordFrame,
    sleep: (ms) => new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); }
      signal.addEventListener('abort', done, { once: true });
    }),
  };

  return {
    ctx, findings, throttled, observations,
    dispose: () => {
      disposed = true;
      for (const s of openSockets) s.close();
      for (const c of openRaw) c.destroy();
      bytes.release();
    },
  };
}
