/**
 * The check interface. A check is one module `src/audit/checks/<area>/<ID>.ts` exporting
 * `meta` (what it is, from CHECKS.md) and `run(ctx)` (how it probes). The runner discovers
 * the modules, gives each a CheckContext and turns what they report into the DESIGN.md report.
 */
import type WebSocket from 'ws';
import type { Frame } from './raw/frame-decoder.js';
import type { RawHandshakeOptions, RawHandshakeResult } from './raw/raw-handshake.js';
import type { Endpoint } from './raw/target.js';
import type { LivenessEvent } from './liveness-log.js';
import type { AuditOptions, Credentials } from './options.js';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
/**
 * How sure a finding is: `certain` observed directly (the reply holds the payload, the socket
 * got the data), `likely` inferred from strong signals (a signature, timing that grows with
 * length, a 101 where the anonymous handshake is refused), `tentative` a weak signal worth a
 * look. `--fail-on` counts certain and likely findings unless `--strict`.
 */
export const CONFIDENCES = ['tentative', 'likely', 'certain'] as const;
export type Confidence = (typeof CONFIDENCES)[number];
export type CheckMode = 'safe' | 'intrusive';
export const AREAS = ['TLS', 'ORIGIN', 'AUTH', 'AUTHZ', 'SESSION', 'INPUT', 'LIMIT', 'PROTO', 'LEAK', 'FINGER', 'LIVE'] as const;
export type CheckArea = (typeof AREAS)[number];
export type CheckStatus = 'pass' | 'fail' | 'error' | 'skipped';

export interface CheckMeta {
  /** e.g. WSG-ORIGIN-01; the file name is `<id>.ts`. */
  id: string;
  /** Exactly as CHECKS.md gives it. */
  title: string;
  area: CheckArea;
  /** Default severity (CHECKS.md); a finding may raise or lower it with a reason in its evidence. */
  severity: Severity;
  mode: CheckMode;
  references: string[];
  remediation: string;
  /** What is probed and what counts as a finding. */
  description: string;
  /** Reads only recorded traffic; runs after every active check (LEAK-*). */
  passive?: boolean;
}

/** What a check reports; the runner fills checkId and the defaults from meta. */
export interface FindingInput {
  evidence: string;
  confidence: Confidence;
  severity?: Severity;
  title?: string;
  remediation?: string;
}

/** One finding, exactly the DESIGN.md "Audit report contract" shape. */
export interface Finding {
  checkId: string;
  title: string;
  severity: Severity;
  confidence: Confidence;
  evidence: string;
  remediation: string;
  references: string[];
}

export interface CheckResult {
  id: string;
  status: CheckStatus;
  durationMs: number;
  /** Why it was skipped or errored, or what a pass observed (not part of the JSON contract's required fields). */
  reason?: string;
}

export interface AuditReport {
  tool: 'wsguard';
  version: string;
  target: string;
  startedAt: string;
  durationMs: number;
  checks: CheckResult[];
  findings: Finding[];
  /** Set when the audit was stopped (--max-time, SIGINT/SIGTERM) before every check finished. */
  incomplete?: { reason: string };
}

/** How the operator's token travels. */
export type TokenPlacement = 'header' | 'query' | 'subprotocol' | 'message';

/** One identity's credentials, and every audit option: defined, with their defaults, in options.ts. */
export type { AuditOptions, Credentials } from './options.js';

/** A handshake variant: everything is relative to the baseline request. */
export interface HandshakeVariant {
  /** Origin header; `null` omits it; default the first allowed origin. */
  origin?: string | null;
  /** Send the operator's credentials (default true). */
  withCredentials?: boolean;
  /** Use these credentials instead of the operator's. */
  credentials?: Credentials;
  /** Headers to add or, with null, remove. */
  headers?: Record<string, string | null>;
  /** Query parameters to add or, with null, remove. */
  query?: Record<string, string | null>;
  /** Replace the path (query of the target is kept unless `query` removes it). */
  path?: string;
  subprotocols?: string[];
  /** Raw-only knobs (method, version, key, Host, header order, slicing, raw bytes...). */
  raw?: RawHandshakeOptions;
  /** Override scheme/port for this probe (same host only). */
  endpoint?: Partial<Pick<Endpoint, 'port' | 'tls'>>;
  /** Return 429/503 as they are instead of waiting (Retry-After, ≤ 5 s) and retrying. */
  acceptThrottle?: boolean;
  /** "Does the target still answer?": never named as the input that preceded a crash. */
  livenessProbe?: boolean;
}

/** An ordinary `ws` connection with its traffic recorded. */
export interface AuditSocket {
  readonly ws: WebSocket;
  /** Text/binary messages received so far (text decoded). */
  readonly messages: string[];
  readonly protocol: string;
  /** Response headers of the 101. */
  readonly upgradeHeaders: Record<string, string | string[] | undefined>;
  send(data: string | Buffer): void;
  /** Next message after the ones already read by this call, or null on timeout/close. */
  nextMessage(timeoutMs?: number): Promise<string | null>;
  /** First message (from index `from`) matching `pred`, or null on timeout/close. */
  waitFor(pred: (m: string) => boolean, timeoutMs: number, from?: number): Promise<string | null>;
  /** Messages received within `ms` (collected, not consumed). */
  collect(ms: number): Promise<string[]>;
  /** Resolves with the close (or null after timeoutMs). */
  waitClose(timeoutMs: number): Promise<{ code: number; reason: string } | null>;
  readonly closed: { code: number; reason: string } | null;
  /** Engine.IO pings received on a Socket.IO target (kept out of `messages`). */
  readonly engineIoPings: number;
  close(): void;
}

/** Outcome of opening a `ws` connection: the socket, or the non-101 answer. */
export type ConnectResult =
  | { ok: true; socket: AuditSocket }
  | { ok: false; status?: number; body?: string; headers?: Record<string, string | string[] | undefined>; error?: string };

export type TrafficKind = 'frame' | 'close' | 'http';
export interface TrafficEntry {
  checkId: string;
  kind: TrafficKind;
  direction: 'in' | 'out';
  /** Text of a frame, close reason, or HTTP head + body (latin1 for headers). */
  text: string;
  /** Raw bytes when they matter (binary frames, close reasons). */
  bytes?: Buffer;
  opcode?: number;
  closeCode?: number;
  status?: number;
  headers?: Record<string, string[]>;
}

export interface TrafficRecorder {
  record(entry: TrafficEntry): void;
  entries(): readonly TrafficEntry[];
}

/** Result of "did these credentials get protected data?" probes. */
export type AuthProbe =
  | { outcome: 'rejected'; detail: string }
  | { outcome: 'accepted'; detail: string; confidence: Confidence }
  | { outcome: 'unknown'; detail: string };

export interface CheckContext {
  readonly target: URL;
  readonly endpoint: Endpoint;
  readonly options: AuditOptions;
  readonly checkId: string;
  /** Aborted at the check's deadline; pass it to every wait. */
  readonly signal: AbortSignal;
  /** Baseline handshake (operator credentials, allowed Origin), cached for the whole audit. */
  baseline(): Promise<RawHandshakeResult>;
  /** True when the baseline gets a 101. */
  baselineOk(): Promise<boolean>;
  /** Raw handshake with a variant of the baseline request. */
  handshake(variant?: HandshakeVariant): Promise<RawHandshakeResult>;
  /** Ordinary `ws` connection with a variant of the baseline; first-message auth is sent when credentials say so. */
  connect(variant?: HandshakeVariant, opts?: { noAutoPong?: boolean }): Promise<ConnectResult>;
  /** Sends the canary (if any) over a connection made with `variant` and judges the answer. */
  probeAuth(variant: HandshakeVariant): Promise<AuthProbe>;
  /** Fresh (uncached) baseline handshake within 5 s: does the target still answer? */
  liveness(): Promise<boolean>;
  /**
   * The target did not answer right after `input` (what this check had just sent). Not a
   * finding of this check: the runner confirms it with a bounded back-off and WSG-LIVE-01/02
   * report it, naming this check and input.
   */
  noteDown(input: string): void;
  /** What the liveness watch saw so far (WSG-LIVE-01/02 read it). */
  livenessEvents(): readonly LivenessEvent[];
  /** Memoised value shared by every check of this audit (e.g. the foreign-Origin probe). */
  memo<T>(key: string, fn: () => Promise<T>): Promise<T>;
  report(finding: FindingInput): void;
  /** What the check observed when it finds nothing: the pass's reason (a pass must say what it saw). */
  observed(what: string): void;
  /** Ends the check as skipped (throws; do not catch). */
  skip(reason: string): never;
  /** Runs an operator command (ticket, logout) and returns its trimmed stdout. */
  runCommand(cmd: string): Promise<string>;
  readonly traffic: TrafficRecorder;
  /** Records a raw frame the check saw (the raw client does not know the check). */
  recordFrame(frame: Frame, direction?: 'in' | 'out'): void;
  sleep(ms: number): Promise<void>;
}

export interface CheckModule {
  meta: CheckMeta;
  run(ctx: CheckContext): Promise<void>;
  /** Deadline this check needs beyond the default (long observation windows). */
  timeoutMs?(options: AuditOptions): number;
  /**
   * Scheduling phase (default 0): higher phases start after every lower one has finished.
   * Checks that send failing credentials use 1 and brute-force style checks 2, because the
   * target may rightly throttle this client afterwards. Passive checks always run last.
   */
  phase?: number;
  /**
   * A long, mostly idle observation (heartbeat watch, slowloris): starts with the first phase and
   * runs alongside the pool instead of holding one of its slots.
   */
  background?: boolean;
  /**
   * A background check that, once connected, sends nothing a server could fall over (an idle
   * socket watching for a heartbeat; an unfinished request trickled a header line at a time): it
   * may keep watching while the isolated and passive checks run, and is never named alongside
   * them when the target goes down. A crash that closes its sockets makes its pass "not judged",
   * as for any check that ran while the target was down.
   */
  inert?: boolean;
  /**
   * Can take a target down (malformed frames, hostile handshakes, crash-class payloads): runs
   * alone, one at a time after every other check, each followed by a liveness probe, so a crash
   * is attributed to exactly this check and its input.
   */
  isolated?: boolean;
  /**
   * True when the check ends the session every other check uses (a logout of the main
   * credentials): it then runs after all of them, alone.
   */
  endsSession?(options: AuditOptions): boolean;
  /**
   * Safe probes to make before every other check, while the target is certainly up (a
   * fingerprint's Engine.IO polling GET), memoised so that `run` reads the same answers when it
   * judges later. Findings are only reported by `run`. Never a probe that can crash a server
   * (an odd Sec-WebSocket-Version): it would run beside the pool and take every check with it.
   */
  prepare?(ctx: CheckContext): Promise<void>;
}
