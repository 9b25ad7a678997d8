/**
 * Every audit option and its default, in one place (as the guard's are in src/server/options.ts),
 * the operator inputs of the LIMIT, INPUT and AUTHZ checks included. Validated with zod: a bad value
 * throws AuditOptionError, one line naming the CLI flag (or the option when it has none). The checks
 * read the resolved object through typed fields and the per-area accessors at the end.
 * Times are milliseconds unless the name says otherwise.
 */
import { z } from 'zod';
import { DEFAULT_BYTE_LIMITS } from './bounds.js';

export const AUDIT_DEFAULTS = {
  /** Real subprotocols to offer (besides a token-bearing one). `--subprotocol` */
  subprotocols: [] as string[],
  /** Query parameter of a ticket from `ticketCmd`. */
  ticketParam: 'ticket',
  /** AUTH-04: a late ticket is used at its declared lifetime (`ticketTtlMs`) plus this margin. */
  lateMarginMs: 5000,
  /** Sample application messages for the input and authz checks. `--message` */
  messages: [] as string[],
  /** Send only what a browser can send (no forged Origin-less requests). `--browser-only` */
  browserOnly: false,
  /** Engine.IO path of a Socket.IO target. `--engineio-path` */
  engineioPath: '/socket.io/',
  /** Socket.IO namespace the audit connects to and emits on. `--namespace` */
  namespace: '/',
  /** Run the intrusive checks too. `--intrusive` */
  intrusive: false,
  /** Check ids or areas to run, or to leave out. `--only`, `--skip` */
  only: [] as string[],
  skip: [] as string[],
  /** Per-check deadline. `--timeout` */
  timeoutMs: 20_000,
  /** Per-request wait (handshake, reply). */
  requestTimeoutMs: 5000,
  /** How long to wait for a canary reply. */
  canaryWaitMs: 3000,
  /** Checks running at once. `--concurrency` (1-32) */
  concurrency: 4,
  /** Most connections the whole audit may open. */
  connectionBudget: 2000,
  /** Byte limits against hostile targets (bounds.ts): per connection, per check, whole audit. */
  maxConnectionBytes: DEFAULT_BYTE_LIMITS.perConnection,
  maxCheckBytes: DEFAULT_BYTE_LIMITS.perCheck,
  maxAuditBytes: DEFAULT_BYTE_LIMITS.total,
  /**
   * How long one check may wait out 429/503 answers in all (Retry-After, at most 5 s a time) before
   * its probe counts as rate-limited: a budget of time, not of attempts, so checks queued behind a
   * rate limit take turns instead of running out of retries together. Well under timeoutMs.
   */
  throttleWaitMs: 8000,
  /** How long a target that stopped answering is probed (bounded back-off) before it is called down. `--liveness-window` */
  livenessWindowMs: 12_000,
  /** Longer observation windows (see OBSERVATION_WINDOWS). `--thorough` */
  thorough: false,
  /** Do not verify the target's certificate before auditing (WSG-TLS-03 still reports it). `--insecure` */
  insecure: false,

  // LIMIT checks.
  /** LIMIT-01/04: the operator's declared message cap in bytes (64 KiB, OWASP). `--max-message` */
  maxMessageBytes: 64 * 1024,
  /** LIMIT-03: continuation frames to send. `--fragments` */
  fragmentCount: 200_000,
  /** LIMIT-05: messages to send, and the window they are spread over. `--rate-messages`, `--rate-window` */
  rateMessages: 500,
  rateWindowMs: 10_000,
  /** LIMIT-06: most connections to hold open. `--max-conns` */
  maxConns: 100,
  /** LIMIT-07: gap between header lines of a slow handshake. `--slow-interval` */
  slowHeaderIntervalMs: 10_000,
  /** LIMIT-09: latency growth that counts as super-linear parsing. */
  timingThresholdMs: 400,

  // INPUT checks.
  /** INPUT-01: reply fields the client renders as HTML (confirms a finding). `--render-field` */
  renderFields: [] as string[],
  /** INPUT-02: injected sleep length; a reply slower by about this much counts. `--sleep` */
  sleepMs: 5000,
  /** INPUT-04: the operator confirms a per-IP ban or limit is active for this client now. `--ip-banned` */
  ipBanned: false,
  /** INPUT-04: failed handshakes the check may spend to trigger the per-IP limit itself (0 = none). `--ip-limit-attempts` */
  ipLimitAttempts: 0,

  // AUTHZ checks.
  /** AUTHZ-01: privileged message templates, sent over the operator's (low-privilege) session. `--priv-message` */
  privMessages: [] as string[],
} as const;

/**
 * Observation windows. The default audit keeps them short (a safe audit of one endpoint within
 * SAFE_AUDIT_BUDGET_MS, the long ones running side by side) and its findings say what was watched;
 * `--thorough` waits long enough for servers that act late (a heartbeat every few minutes, a 60 s
 * header timeout). An explicit value wins.
 */
export const OBSERVATION_WINDOWS = {
  short: {
    /**
     * SESSION-03: how long an idle connection is watched for a heartbeat. `--idle-wait`. 25 s: the
     * period the check's remediation asks for and Socket.IO's default pingInterval (a 30 s window
     * plus set-up cannot fit the 30 s budget).
     */
    idleWaitMs: 25_000,
    /** AUTH-05 (a): how long a silent pre-auth socket may stay open. `--auth-window` */
    authWindowMs: 20_000,
    /** SESSION-01 (and LEAK-03): watch after logout. `--session-wait` */
    sessionWaitMs: 20_000,
    /** SESSION-02: grace after the short token's exp. `--session-grace` */
    sessionGraceMs: 15_000,
    /**
     * LIMIT-07: how long the slow handshakes are watched. `--slow-wait`. The isolated checks wait
     * for it, so it ends before the heartbeat watch (22 s: after the third header line, at 20 s).
     */
    slowWaitMs: 22_000,
    /** LIMIT-08: how long the stalled reader stops reading. `--backpressure-wait` */
    backpressureWaitMs: 30_000,
  },
  thorough: { idleWaitMs: 5 * 60_000, authWindowMs: 30_000, sessionWaitMs: 60_000, sessionGraceMs: 60_000, slowWaitMs: 120_000, backpressureWaitMs: 120_000 },
} as const;

/**
 * A default safe audit of one endpoint finishes within this (issue #13), set-up included. The
 * windows are chosen to fit it (test/audit/options.test.ts sums them): the heartbeat watch runs
 * beside everything else, the other safe windows hold back only the isolated and passive checks.
 */
export const SAFE_AUDIT_BUDGET_MS = 30_000;
/**
 * Reserved for what a default safe audit does outside its windows: the baseline and liveness
 * handshakes before the watches start, and after the holding windows the isolated checks
 * (RFC 6455 negative tests, 1 MiB message) and the passive ones (FINGER-03's timed handshakes).
 * Measured at most about 2.5 s on the corpus on a loaded 2-core machine; 3.5 s with margin.
 */
export const SAFE_AUDIT_OVERHEAD_MS = 3500;

export type ObservationWindows = { -readonly [K in keyof (typeof OBSERVATION_WINDOWS)['short']]: number };

/** Hard ceilings, so a typo cannot turn a probe into a flood or a wait into hours. */
export const CEILINGS = { fragmentCount: 1_000_000, rateMessages: 5000, maxConns: 1000, sleepMs: 30_000, ipLimitAttempts: 100, concurrency: 32 } as const;

/** The CLI flag of each option that has one: what an AuditOptionError names. */
export const OPTION_FLAGS: Readonly<Record<string, string>> = {
  credentials: '--header/--cookie/--token',
  'credentials.headers': '--header',
  'credentials.cookie': '--cookie',
  'credentials.token': '--token',
  'credentials.tokenIn': '--token-in',
  'credentials.authMessage': '--auth-message',
  secondIdentity: '--second-token/--second-cookie/--second-header',
  privIdentity: '--priv-token/--priv-cookie',
  logoutIdentity: '--logout-token/--logout-cookie',
  subprotocols: '--subprotocol',
  ticketCmd: '--ticket-cmd',
  ticketTtlMs: '--ticket-ttl',
  logoutCmd: '--logout-cmd',
  shortToken: '--short-token',
  expiredToken: '--expired-token',
  otherAudienceToken: '--other-audience-token',
  canary: '--canary',
  canaryExpect: '--canary-expect',
  messages: '--message',
  allowedOrigins: '--origin',
  browserOnly: '--browser-only',
  protocol: '--protocol',
  engineioPath: '--engineio-path',
  namespace: '--namespace',
  intrusive: '--intrusive',
  only: '--only',
  skip: '--skip',
  timeoutMs: '--timeout',
  concurrency: '--concurrency',
  idleWaitMs: '--idle-wait',
  authWindowMs: '--auth-window',
  sessionWaitMs: '--session-wait',
  sessionGraceMs: '--session-grace',
  ca: '--ca',
  livenessWindowMs: '--liveness-window',
  insecure: '--insecure',
  thorough: '--thorough',
  maxTimeMs: '--max-time',
  maxMessageBytes: '--max-message',
  fragmentCount: '--fragments',
  rateMessages: '--rate-messages',
  rateWindowMs: '--rate-window',
  maxConns: '--max-conns',
  slowHeaderIntervalMs: '--slow-interval',
  slowWaitMs: '--slow-wait',
  backpressureWaitMs: '--backpressure-wait',
  streamMessage: '--stream-message',
  renderFields: '--render-field',
  sleepMs: '--sleep',
  ipBanned: '--ip-banned',
  ipLimitAttempts: '--ip-limit-attempts',
  privMessages: '--priv-message',
  subscribeTemplate: '--subscribe-template',
  ownId: '--own-id',
  foreignId: '--foreign-id',
  massAssignMessage: '--mass-assign-message',
  readMessage: '--read-message',
};

/** A bad audit option: one line naming the CLI flag (or the option path when it has no flag). */
export class AuditOptionError extends Error {
  readonly option: string;
  readonly flag: string | undefined;
  constructor(option: string, detail: string) {
    const flag = OPTION_FLAGS[option] ?? OPTION_FLAGS[option.split('.')[0] ?? ''];
    super(`${flag ?? `option ${option}`}: ${detail}`);
    this.name = 'AuditOptionError';
    this.option = option;
    this.flag = flag;
  }
}

const TOKEN_PLACEMENTS = ['header', 'query', 'subprotocol', 'message'] as const;
const count = (max?: number) => {
  const n = z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1');
  return max === undefined ? n : n.max(max, `must be at most ${max}`);
};
/** Milliseconds; the CLI flags give seconds, so the message speaks of a positive duration. */
const ms = z.number({ error: 'must be a number' }).int('must be whole milliseconds').min(1, 'must be a positive duration');
const text = z.string().min(1, 'must not be empty');
const texts = z.array(z.string());

/** One identity's credentials; every field but the secrets has a default. */
const CredentialsSchema = z.strictObject({
  /** Extra request headers, e.g. Authorization. */
  headers: z.record(z.string(), z.string()).default({}),
  /** Cookie header value (ambient credential). */
  cookie: z.string().optional(),
  token: z.string().optional(),
  /** How the token travels. */
  tokenIn: z.enum(TOKEN_PLACEMENTS, { error: `must be one of ${TOKEN_PLACEMENTS.join(', ')}` }).default('header'),
  /** Query parameter name when tokenIn = 'query'. */
  tokenParam: z.string().min(1).default('token'),
  /** Prefix of the subprotocol entry carrying the token when tokenIn = 'subprotocol'. */
  tokenSubprotocolPrefix: z.string().default('wsguard.bearer.'),
  /** First-message auth: message template, `{{token}}` is replaced (tokenIn = 'message'). */
  authMessage: z.string().optional(),
});
export type Credentials = z.output<typeof CredentialsSchema>;

const D = AUDIT_DEFAULTS;
const windows = Object.fromEntries(Object.keys(OBSERVATION_WINDOWS.short).map((k) => [k, ms.optional()])) as { [K in keyof ObservationWindows]: z.ZodOptional<typeof ms> };

export const AuditOptionsSchema = z.strictObject({
  credentials: CredentialsSchema.default(() => CredentialsSchema.parse({})),
  /** Second identity (AUTHZ-02, LEAK-03): must NOT be entitled to the first identity's data. */
  secondIdentity: CredentialsSchema.optional(),
  /** AUTHZ-01: a high-privilege session whose replies show what "executed" looks like. */
  privIdentity: CredentialsSchema.optional(),
  subprotocols: texts.default(() => [...D.subprotocols]),
  /** Shell command printing a fresh single-use ticket on stdout. */
  ticketCmd: text.optional(),
  ticketParam: text.default(D.ticketParam),
  /** Declared ticket lifetime (AUTH-04 late use waits this plus lateMarginMs). */
  ticketTtlMs: ms.optional(),
  lateMarginMs: ms.default(D.lateMarginMs),
  /** Shell command that logs the operator session out (SESSION-01). */
  logoutCmd: text.optional(),
  /** The session logoutCmd ends (default: the main credentials, and SESSION-01 then runs last). */
  logoutIdentity: CredentialsSchema.optional(),
  /** Short-lived token (exp ≤ 2 min) for SESSION-02. */
  shortToken: text.optional(),
  /** Expired token for AUTH-02. */
  expiredToken: text.optional(),
  /** Valid token minted for another audience (AUTH-02). */
  otherAudienceToken: text.optional(),
  /** Read-only message whose answer is protected data (e.g. whoami). */
  canary: text.optional(),
  /** Regex source: a reply matching it is protected data. */
  canaryExpect: z.string().refine((s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  }, 'is not a valid regular expression').optional(),
  messages: texts.default(() => [...D.messages]),
  /** Allowed origins; default `https://<target host>`. */
  allowedOrigins: texts.optional(),
  browserOnly: z.boolean().default(D.browserOnly),
  /** Default: socket.io when the target path has /socket.io, else ws. */
  protocol: z.enum(['ws', 'socket.io'], { error: 'must be one of ws, socket.io' }).optional(),
  engineioPath: z.string().startsWith('/', 'must start with /').default(D.engineioPath),
  namespace: z.string().startsWith('/', 'must start with /').default(D.namespace),
  intrusive: z.boolean().default(D.intrusive),
  only: texts.default(() => [...D.only]),
  skip: texts.default(() => [...D.skip]),
  timeoutMs: ms.default(D.timeoutMs),
  requestTimeoutMs: ms.default(D.requestTimeoutMs),
  canaryWaitMs: ms.default(D.canaryWaitMs),
  concurrency: count(CEILINGS.concurrency).default(D.concurrency),
  connectionBudget: count().default(D.connectionBudget),
  ...windows,
  /** Extra trusted CA (PEM): the preflight trusts it (with NODE_EXTRA_CA_CERTS), and so does WSG-TLS-03. */
  ca: text.optional(),
  maxConnectionBytes: count().default(D.maxConnectionBytes),
  maxCheckBytes: count().default(D.maxCheckBytes),
  maxAuditBytes: count().default(D.maxAuditBytes),
  livenessWindowMs: ms.default(D.livenessWindowMs),
  /**
   * How long, once per crash, the next check waits for a target called down (silent, not refusing
   * connections) to answer again (default 2.5 × livenessWindowMs: 30 s). See liveness.ts stillDown.
   */
  recoveryWaitMs: ms.optional(),
  throttleWaitMs: ms.default(D.throttleWaitMs),
  insecure: z.boolean().default(D.insecure),
  thorough: z.boolean().default(D.thorough),
  /** Whole-audit deadline: at it, the report of what was evaluated so far, marked incomplete. */
  maxTimeMs: ms.optional(),
  maxMessageBytes: count().default(D.maxMessageBytes),
  fragmentCount: count(CEILINGS.fragmentCount).default(D.fragmentCount),
  rateMessages: count(CEILINGS.rateMessages).default(D.rateMessages),
  rateWindowMs: ms.default(D.rateWindowMs),
  maxConns: count(CEILINGS.maxConns).default(D.maxConns),
  slowHeaderIntervalMs: ms.default(D.slowHeaderIntervalMs),
  /** LIMIT-08: a message that makes the server send a stream (without it the check skips if little arrives). */
  streamMessage: text.optional(),
  timingThresholdMs: ms.default(D.timingThresholdMs),
  renderFields: texts.default(() => [...D.renderFields]),
  sleepMs: ms.max(CEILINGS.sleepMs, `must be at most ${CEILINGS.sleepMs / 1000} s`).default(D.sleepMs),
  ipBanned: z.boolean().default(D.ipBanned),
  ipLimitAttempts: z.number().int('must be a whole number').min(0, 'must be 0 or more').max(CEILINGS.ipLimitAttempts, `must be at most ${CEILINGS.ipLimitAttempts}`).default(D.ipLimitAttempts),
  privMessages: z.array(text).default(() => [...D.privMessages]),
  /** AUTHZ-02 (and LEAK-03): subscribe/join message with an `{{id}}` placeholder. */
  subscribeTemplate: text.optional(),
  /** AUTHZ-02: an id the operator's session owns, and one that belongs to the second identity. */
  ownId: text.optional(),
  foreignId: text.optional(),
  /** AUTHZ-03: a legitimate JSON object message to resend with extra fields (default: the first message). */
  massAssignMessage: text.optional(),
  /** AUTHZ-03: a read that shows the stored state afterwards. */
  readMessage: text.optional(),
});

type Parsed = z.output<typeof AuditOptionsSchema>;
/** The resolved options every check sees: target-dependent and window defaults filled in. */
export type AuditOptions = Omit<Parsed, keyof ObservationWindows | 'allowedOrigins' | 'protocol'> & ObservationWindows & {
  allowedOrigins: string[];
  protocol: 'ws' | 'socket.io';
};
/** What callers give: every option optional, credentials partial. */
export type AuditOptionsInput = z.input<typeof AuditOptionsSchema>;

export function defaultCredentials(): Credentials {
  return CredentialsSchema.parse({});
}

export function observationWindows(thorough: boolean): ObservationWindows {
  return { ...(thorough ? OBSERVATION_WINDOWS.thorough : OBSERVATION_WINDOWS.short) };
}

/** Validates options without a target (the CLI checks its flags before discovery); throws AuditOptionError. */
export function parseAuditOptions(input: AuditOptionsInput = {}): Parsed {
  // An undefined value means "not given" (the CLI passes every flag, set or not).
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const parsed = AuditOptionsSchema.safeParse(defined);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') path.push(issue.keys[0] ?? '');
  throw new AuditOptionError(path.join('.') || 'options', issue.code === 'unrecognized_keys' ? 'unknown option' : issue.message);
}

/** The options for one target: validated, with the windows of --thorough and the target's defaults. */
export function resolveOptions(target: URL, input: AuditOptionsInput = {}): AuditOptions {
  const o = parseAuditOptions(input);
  const win = observationWindows(o.thorough);
  for (const k of Object.keys(win) as (keyof ObservationWindows)[]) win[k] = o[k] ?? win[k];
  return {
    ...o,
    ...win,
    allowedOrigins: o.allowedOrigins ?? [`https://${target.host}`],
    protocol: o.protocol ?? (target.pathname.includes('/socket.io') ? 'socket.io' : 'ws'),
  };
}

/** Parses and validates a target; Socket.IO targets get the Engine.IO v4 WebSocket transport path. */
export function parseTarget(raw: string, protocol?: 'ws' | 'socket.io', engineioPath = '/socket.io/'): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`not a URL: ${raw}`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error(`target must be ws:// or wss://, got ${url.protocol}//`);
  url.hash = '';
  if (protocol === 'socket.io' || url.pathname.includes('/socket.io')) {
    if (!url.pathname.includes('/socket.io')) url.pathname = engineioPath;
    if (!url.searchParams.has('EIO')) url.searchParams.set('EIO', '4');
    if (!url.searchParams.has('transport')) url.searchParams.set('transport', 'websocket');
  }
  return url;
}

// Per-area views: the checks of one area read their inputs through these (typed, no casts).

export type LimitOptions = Pick<AuditOptions, 'maxMessageBytes' | 'fragmentCount' | 'rateMessages' | 'rateWindowMs' | 'maxConns' | 'slowHeaderIntervalMs' | 'slowWaitMs' | 'backpressureWaitMs' | 'streamMessage' | 'timingThresholdMs'>;
export function limitOptions(o: AuditOptions): LimitOptions {
  const { maxMessageBytes, fragmentCount, rateMessages, rateWindowMs, maxConns, slowHeaderIntervalMs, slowWaitMs, backpressureWaitMs, streamMessage, timingThresholdMs } = o;
  return { maxMessageBytes, fragmentCount, rateMessages, rateWindowMs, maxConns, slowHeaderIntervalMs, slowWaitMs, backpressureWaitMs, streamMessage, timingThresholdMs };
}

export type InputOptions = Pick<AuditOptions, 'renderFields' | 'sleepMs' | 'ipBanned' | 'ipLimitAttempts'>;
export function inputOptions(o: AuditOptions): InputOptions {
  const { renderFields, sleepMs, ipBanned, ipLimitAttempts } = o;
  return { renderFields, sleepMs, ipBanned, ipLimitAttempts };
}

export type AuthzOptions = Pick<AuditOptions, 'privMessages' | 'privIdentity' | 'subscribeTemplate' | 'ownId' | 'foreignId' | 'massAssignMessage' | 'readMessage'>;
export function authzOptions(o: AuditOptions): AuthzOptions {
  const { privMessages, privIdentity, subscribeTemplate, ownId, foreignId, readMessage } = o;
  return { privMessages, privIdentity, subscribeTemplate, ownId, foreignId, massAssignMessage: o.massAssignMessage ?? o.messages[0], readMessage };
}
