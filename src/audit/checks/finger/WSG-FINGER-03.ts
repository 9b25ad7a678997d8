import { requireBaseline, sharedHandshake, statusLine } from '../../check-helpers.js';
import type { LivenessEvent } from '../../liveness-log.js';
import type { CheckContext, CheckMeta, Severity, TrafficEntry } from '../../types.js';
import { identify } from './WSG-FINGER-02.js';
import { measuredExtensionsRedos } from '../limit/WSG-LIMIT-09.js';

export const meta: CheckMeta = {
  id: 'WSG-FINGER-03',
  title: 'Known-vulnerable version',
  area: 'FINGER',
  severity: 'medium',
  mode: 'safe',
  passive: true,
  references: ['S10', 'S11', 'S12', 'CWE-1104', 'ASVS 15.2.1'],
  remediation: 'Upgrade the named component to a fixed release (the advisory gives it); until then apply the advisory\'s workaround, and stop announcing the version (WSG-FINGER-01).',
  description: 'Names an advisory only when the version is shown to be in its affected range: (a) a version banner in any recorded answer (Server, X-Powered-By, error pages: Python websockets, Apache Tomcat) compared with the advisory\'s range; (b) a behaviour only affected versions show: the library identified by WSG-FINGER-02\'s signatures and the target stopping answering (WSG-LIVE-01) right after the advisory\'s own trigger (ws and > 2 000 headers, Engine.IO and an RSV2/RSV3 frame, Socket.IO and an event named "error" (CVE-2024-38355), Gorilla and a 64-bit length with the MSB set), or Faye websocket-driver and WSG-LIMIT-09 measuring the Sec-WebSocket-Extensions ReDoS (websocket-extensions, CVE-2020-7662/7663), or sockjs-node identified by its <prefix>/info answer and the target stopping answering right after sockjs refused an Upgrade: websocket request of a check with its own 400/404 (CVE-2020-7693, sockjs < 0.3.20: the refusal error handler writes after end), or ws and its own safe timing of CVE-2021-32640 (ws 5.0.0–5.2.2, 6.0.0–6.2.1, 7.0.0–7.4.5): handshakes with Sec-WebSocket-Protocol "b" + 1 000 vs 14 000 spaces + "x" in three interleaved pairs, the long one at least 50 ms and three times slower in each (fixed versions and ws 4 parse it in linear time). (c) framework disclosure: when <engineio path>?EIO=4&transport=polling answers an Engine.IO open packet, GET <engineio path>socket.io.js (Socket.IO serves its client bundle with a "Socket.IO v2/3/4.x.y" banner: the server package\'s own version, compared with CVE-2020-28481 (before 2.4.0, every origin allowed by default) and CVE-2024-38355 (2.3.0–2.5.0, 3.0.0–4.6.1), and with the engine.io advisories CVE-2023-31125 and CVE-2022-41940 (socket.io 2.0.0–2.4.x and 3.0.0–4.4.x) where the release\'s pinned engine.io line is wholly affected) and the same polling GET with EIO=3: finding (low, certain) when the legacy v3 protocol is accepted (allowEIO3 on; on a 2.x server, shown by its banner or a v3-framed answer to EIO=4, the advice is the upgrade). One finding per advisory and per library. Adds the baseline and a Sec-WebSocket-Version: 1337 handshake so banners are seen alone (the latter after the active checks: some servers crash on it). A library without a version is WSG-FINGER-02 and names no advisory.',
};

type Version = number[];

function parseVersion(s: string): Version {
  return s.split(/[.-]/).map((p) => Number.parseInt(p, 10)).map((n) => (Number.isFinite(n) ? n : 0));
}

function cmp(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** Inclusive lower bound, exclusive upper bound (the first fixed release). */
const within = (v: Version, from: string, fixed: string) => cmp(v, parseVersion(from)) >= 0 && cmp(v, parseVersion(fixed)) < 0;

interface Advisory {
  id: string;
  severity: Severity;
  range: string;
  affected(v: Version): boolean;
  /** What it takes to exploit, when that is narrower than "any deployment". */
  condition?: string;
}

interface BannerRule {
  product: string;
  /** Where to look: header values or the body of an HTTP answer. */
  pattern: RegExp;
  advisories: Advisory[];
}

/** Advisories from CHECKS.md S10–S12 whose product shows its version in a banner. */
const BANNERS: BannerRule[] = [
  {
    product: 'Python websockets',
    pattern: /\bwebsockets\/(\d+(?:\.\d+){0,2})\b/,
    advisories: [
      { id: 'CVE-2018-1000518', severity: 'medium', range: '4.0 to 4.0.1 (fixed in 5.0)', affected: (v) => within(v, '4.0', '5.0'), condition: 'with permessage-deflate negotiated (a compressed frame inflates past max_size)' },
      { id: 'CVE-2021-33880', severity: 'low', range: 'before 9.1', affected: (v) => cmp(v, [9, 1]) < 0, condition: 'only where the server uses HTTP Basic Auth (timing of the password compare)' },
    ],
  },
  {
    // socket.io serves its client bundle at <engineio path>socket.io.js: 4.x builds it with the
    // server (client-dist), 2.x and 3.x pin socket.io-client to their own exact version, so the
    // banner and ETag carry the server package's version on every line.
    // The engine.io advisories: a socket.io release pins one engine.io minor line (~x.y), so a
    // range is named only where every release of that line is affected.
    product: 'Socket.IO',
    pattern: /\bSocket\.IO v([234]\.\d+\.\d+)\b/,
    advisories: [
      // GHSA-fxwf-4rqh-v8g3: 2.x before 2.4.0 allows every origin by default (origins '*:*').
      { id: 'CVE-2020-28481', severity: 'medium', range: 'socket.io before 2.4.0 (fixed in 2.4.0)', affected: (v) => cmp(v, parseVersion('2.4.0')) < 0, condition: 'insecure default CORS: every origin is allowed unless the server sets its own origins/allowRequest' },
      // GHSA-25hc-qcg6-38wj lists 2.3.0...2.5.0 and 3.0.0...4.6.1; the 2.x fix is in 2.5.1.
      { id: 'CVE-2024-38355', severity: 'high', range: 'socket.io 2.3.0–2.5.0 (fixed in 2.5.1) and 3.0.0–4.6.1 (fixed in 4.6.2)', affected: (v) => within(v, '2.3.0', '2.5.1') || within(v, '3.0.0', '4.6.2'), condition: 'a client emitting the reserved "error" event ends the process where no socket has an "error" listener' },
      { id: 'CVE-2023-31125', severity: 'medium', range: 'socket.io 4.1.0–4.5.x (engine.io ~5.1 to ~6.2, inside engine.io 5.1.0–6.4.1; fixed in engine.io 6.4.2, socket.io 4.6.2)', affected: (v) => within(v, '4.1.0', '4.6.0'), condition: 'a crafted upgrade request throws in Server.onWebSocket and ends the process' },
      // GHSA-r7qp-cfhv-p84w: engine.io before 3.6.1 and 4.0.0–6.2.0. socket.io 2.0.0–2.4.x pin
      // engine.io ~3.1 to ~3.5 (2.4.1: ~3.5.0), wholly inside; 2.5.x pins ~3.6.0, which 3.6.1 fixes.
      { id: 'CVE-2022-41940', severity: 'medium', range: 'socket.io 2.0.0–2.4.x (engine.io ~3.1 to ~3.5, inside engine.io before 3.6.1) and 3.0.0–4.4.x (engine.io ~4.0 to ~6.1, inside engine.io 4.0.0–6.2.0, whose 4.x and 5.x lines never got a fix); fixed in engine.io 3.6.1 and 6.2.1', affected: (v) => within(v, '2.0.0', '2.5.0') || within(v, '3.0.0', '4.5.0'), condition: 'a crafted HTTP request ends the process' },
    ],
  },
  {
    product: 'Apache Tomcat',
    pattern: /\bApache Tomcat\/(\d+\.\d+\.\d+)\b/,
    advisories: [
      {
        id: 'CVE-2020-13935', severity: 'high', range: '7.0.27–7.0.104, 8.5.0–8.5.56, 9.0.0–9.0.36 (10.0.0-M1–M6)',
        affected: (v) => within(v, '7.0.27', '7.0.105') || within(v, '8.5.0', '8.5.57') || within(v, '9.0.0', '9.0.37'),
      },
    ],
  },
];

interface BehaviourRule {
  library: string;
  /** The check whose input is the advisory's trigger, and that input. */
  after: string;
  input: RegExp;
  advisory: { id: string; range: string; severity: Severity };
}

/** A crash right after the advisory's own trigger, on the library it concerns: only affected versions do that. */
const BEHAVIOURS: BehaviourRule[] = [
  { library: 'ws (Node.js)', after: 'WSG-LIMIT-09', input: /2 100 headers/, advisory: { id: 'CVE-2024-37890', range: 'ws < 8.17.1 (7.5.10, 6.2.3, 5.2.4 on older lines)', severity: 'high' } },
  { library: 'Engine.IO / Socket.IO', after: 'WSG-PROTO-02', input: /RSV[23]/, advisory: { id: 'CVE-2022-21676', range: 'engine.io 4.0.0–6.1.0', severity: 'high' } },
  { library: 'Engine.IO / Socket.IO', after: 'WSG-INPUT-03', input: /reserved "error" event|42\[\\?"error\\?"/, advisory: { id: 'CVE-2024-38355', range: 'socket.io 3.0.0–4.6.1, 2.3.0–2.5.0', severity: 'high' } },
  { library: 'Gorilla websocket (Go)', after: 'WSG-LIMIT-02', input: /MSB|2\^6[23]|STEWS-4/, advisory: { id: 'CVE-2020-27813', range: 'gorilla/websocket ≤ 1.4.0', severity: 'high' } },
];

/** Header values and bodies of the HTTP answers recorded, with a label for the evidence. */
function httpTexts(entries: readonly TrafficEntry[]): Array<{ text: string; where: string }> {
  const out: Array<{ text: string; where: string }> = [];
  for (const e of entries) {
    if (e.kind !== 'http' || e.direction !== 'in') continue;
    out.push({ text: e.text, where: `HTTP ${e.status ?? ''} answer (seen by ${e.checkId})` });
  }
  return out;
}

/** Reports the advisories the banners put in range; returns the ids named (behaviour evidence for them adds nothing). */
function bannerFindings(ctx: CheckContext): Set<string> {
  const named = new Set<string>();
  const seen = new Set<string>();
  for (const rule of BANNERS) {
    for (const { text, where } of httpTexts(ctx.traffic.entries())) {
      const m = rule.pattern.exec(text);
      if (!m?.[1] || seen.has(`${rule.product} ${m[1]}`)) continue;
      seen.add(`${rule.product} ${m[1]}`);
      const version = parseVersion(m[1]);
      for (const a of rule.advisories.filter((x) => x.affected(version))) {
        named.add(a.id);
        ctx.report({
          severity: a.severity,
          // A banner is the server's own word: it can be stale or hide a backported fix.
          confidence: 'likely',
          title: `Known-vulnerable version: ${rule.product} ${m[1]} (${a.id})`,
          evidence: `${rule.product} ${m[1]} announced by "${m[0]}" in an ${where}; ${a.id} affects ${a.range}${a.condition ? `, ${a.condition}` : ''}.`,
        });
      }
    }
  }
  return named;
}

function behaviourFindings(ctx: CheckContext, events: readonly LivenessEvent[], named: ReadonlySet<string>): void {
  const libraries = identify(ctx.traffic.entries());
  for (const rule of BEHAVIOURS) {
    const sig = [...libraries.keys()].find((s) => s.library === rule.library);
    // One finding per advisory: a banner that already named it is the stronger evidence.
    if (!sig || named.has(rule.advisory.id)) continue;
    const crash = events.find((e) => e.outcome === 'down' && e.after === rule.after && e.inputs.some((i) => rule.input.test(i)));
    if (!crash) continue;
    ctx.report({
      severity: rule.advisory.severity,
      confidence: 'likely',
      title: `Known-vulnerable version: ${rule.library} (${rule.advisory.id})`,
      evidence: `${rule.library} identified from ${libraries.get(sig) ?? 'its signature'}, and the target stopped answering right after ${rule.after} sent ${crash.inputs.join('; ')} (WSG-LIVE-01): the behaviour of ${rule.advisory.id}, ${rule.advisory.range}.`,
    });
  }
}

/**
 * The ReDoS of CVE-2020-7662 (npm websocket-extensions < 0.1.4) / CVE-2020-7663 (gem < 0.1.5),
 * measured by WSG-LIMIT-09 with the advisory's own header, on the library that uses that parser:
 * fixed versions parse it in linear time, so the measurement is the version proof.
 */
async function redosFindings(ctx: CheckContext): Promise<void> {
  const measured = await measuredExtensionsRedos(ctx);
  if (!measured) return;
  const libraries = identify(ctx.traffic.entries());
  const sig = [...libraries.keys()].find((s) => s.library === 'Faye websocket-driver (Node.js/Ruby)');
  if (!sig) return;
  ctx.report({
    severity: 'high',
    confidence: 'likely',
    title: 'Known-vulnerable version: websocket-extensions (CVE-2020-7662 / CVE-2020-7663)',
    evidence: `${sig.library} identified from ${libraries.get(sig) ?? 'its signature'}, and WSG-LIMIT-09 measured the advisory's ReDoS: ${measured}: websocket-extensions before 0.1.4 (npm, CVE-2020-7662) or 0.1.5 (Ruby gem, CVE-2020-7663).`,
  });
}

/** Spaces in the Sec-WebSocket-Protocol probes: the long one stays under Node's 16 KiB header limit with the baseline's headers. */
const PROTOCOL_SPACES = { short: 1000, long: 14_000 };
/** Growth from the short to the long probe, in each of three interleaved pairs, that only quadratic parsing shows. */
const PROTOCOL_GROWTH_MS = 50;

/** One handshake with Sec-WebSocket-Protocol "b" + `spaces` spaces + "x", timed; null when it got no HTTP answer. */
async function timedProtocol(ctx: CheckContext, spaces: number): Promise<{ ms: number; status: number } | null> {
  const t0 = Date.now();
  try {
    const r = await ctx.handshake({ raw: { request: { headers: [['Sec-WebSocket-Protocol', `b${' '.repeat(spaces)}x`]] } } });
    return { ms: Date.now() - t0, status: r.response.status };
  } catch {
    return null;
  }
}

/**
 * CVE-2021-32640 (ws 5.0.0–5.2.2, 6.0.0–6.2.1, 7.0.0–7.4.5): the server splits
 * Sec-WebSocket-Protocol on the regex ` *, *`, quadratic in a run of spaces; fixed versions (and
 * ws 4, which splits on `, *`, linear) answer both lengths alike. A ws version sends no banner, so
 * this timing (six handshakes, the longest costing an affected server ~0.1–0.3 s of parsing) is
 * the version proof: growth in each of three interleaved pairs, the long at least three times
 * the short, both answered alike (a 431 or a refusal before the parser measures nothing).
 */
async function protocolRedos(ctx: CheckContext): Promise<void> {
  const libraries = identify(ctx.traffic.entries());
  const sig = [...libraries.keys()].find((s) => s.library === 'ws (Node.js)');
  if (!sig) return;
  const pairs: string[] = [];
  for (let i = 0; i < 3 && !ctx.signal.aborted; i++) {
    const a = await timedProtocol(ctx, PROTOCOL_SPACES.short);
    const b = await timedProtocol(ctx, PROTOCOL_SPACES.long);
    if (!a || !b || a.status !== b.status || b.status === 431 || b.ms - a.ms < PROTOCOL_GROWTH_MS || b.ms < 3 * a.ms) return;
    pairs.push(`${a.ms} → ${b.ms} ms`);
  }
  ctx.report({
    severity: 'medium',
    confidence: 'likely',
    title: 'Known-vulnerable version: ws (CVE-2021-32640)',
    evidence: `${sig.library} identified from ${libraries.get(sig) ?? 'its signature'}, and a handshake with Sec-WebSocket-Protocol "b" + ${PROTOCOL_SPACES.long} spaces + "x" took far longer than one with ${PROTOCOL_SPACES.short} spaces in each of three interleaved pairs (${pairs.join(', ')}): the quadratic Sec-WebSocket-Protocol parsing of CVE-2021-32640 (GHSA-6fc8-4gx4-v693), ws 5.0.0–5.2.2, 6.0.0–6.2.1, 7.0.0–7.4.5 (fixed in 5.2.3, 6.2.2, 7.4.6). Until upgraded, a smaller --max-http-header-size bounds it.`,
  });
}

/** Engine.IO open packet of a polling GET with protocol `eio`, or null. */
function engineIoOpen(ctx: CheckContext, eio: string): Promise<{ status: string; body: string } | null> {
  return ctx.memo(`finger:engineio-polling:${eio}`, () => engineIoOpenOnce(ctx, eio));
}

async function engineIoOpenOnce(ctx: CheckContext, eio: string): Promise<{ status: string; body: string } | null> {
  const r = await ctx.handshake({
    path: ctx.options.engineioPath,
    query: { EIO: eio, transport: 'polling', t: 'wsguard' },
    raw: { request: { method: 'GET', omit: ['upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version'] } },
  }).catch(() => null);
  const body = r?.response.body.toString('utf8') ?? '';
  return r && r.response.status === 200 && /^(?:\d+:)?0\{"sid"/.test(body) ? { status: statusLine(r), body } : null;
}

/**
 * The Socket.IO 2.x/3.x release the server runs, when it shows it: its client bundle's banner, or
 * an answer to EIO=4 in v3 framing ("<length>:0{…"): Engine.IO 3 (Socket.IO 2.x) ignores the
 * version asked and speaks only v3, where allowEIO3 (a Socket.IO 3/4 option) does not exist.
 */
function legacyServer(ctx: CheckContext, v4Body: string): string | null {
  for (const { text } of httpTexts(ctx.traffic.entries())) {
    const m = /\bSocket\.IO v(2\.\d+\.\d+)\b/.exec(text);
    if (m?.[1]) return `Socket.IO ${m[1]} (banner "${m[0]}")`;
  }
  return /^\d+:0\{/.test(v4Body) ? 'Engine.IO 3 (Socket.IO 2.x: it answered EIO=4 in v3 framing)' : null;
}

/** CHECKS.md FINGER-03: the legacy Engine.IO protocol v3 left on (older clients, broader surface). */
async function legacyEngineIo(ctx: CheckContext): Promise<void> {
  const v4 = await engineIoOpen(ctx, '4');
  if (!v4) return;
  const v3 = await engineIoOpen(ctx, '3');
  if (!v3) return;
  const legacy = legacyServer(ctx, v4.body);
  const seen = `GET ${ctx.options.engineioPath}?EIO=3&transport=polling → ${v3.status} with an open packet (${v3.body.slice(0, 120)})`;
  ctx.report({
    severity: 'low',
    confidence: 'certain',
    title: 'Legacy Engine.IO protocol v3 accepted',
    evidence: legacy
      // A 2.x server speaks v3 natively and has no allowEIO3 to turn off: the fix is the upgrade.
      ? `${seen}: the server is ${legacy}, whose only protocol is Engine.IO v3 (no allowEIO3 option to turn off). Upgrade to Socket.IO 4 (with allowEIO3 only while 2.x clients must be served).`
      : `${seen}: allowEIO3 is on, so Socket.IO 2.x clients and their protocol are still served. Turn it off unless such clients must be supported.`,
  });
}

/** SockJS's prefix for a raw-websocket target (`<prefix>/websocket`), or null for any other path. */
function sockjsPrefix(ctx: CheckContext): string | null {
  const m = /^(.*)\/websocket\/?$/.exec(ctx.target.pathname);
  return m ? m[1] ?? '' : null;
}

/**
 * GET <prefix>/info, SockJS's own endpoint: `{"websocket":…,"origins":…,"cookie_needed":…,"entropy":…}`
 * identifies sockjs-node (no version). Made early (prepare), while the target is up.
 */
function sockjsInfo(ctx: CheckContext): Promise<string | null> {
  const prefix = sockjsPrefix(ctx);
  if (prefix === null) return Promise.resolve(null);
  return ctx.memo('finger:sockjs-info', async () => {
    const r = await ctx.handshake({
      path: `${prefix}/info`,
      raw: { request: { method: 'GET', omit: ['upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version'] } },
    }).catch(() => null);
    if (r?.response.status !== 200) return null;
    try {
      const v = JSON.parse(r.response.body.toString('utf8')) as Record<string, unknown>;
      return typeof v.websocket === 'boolean' && typeof v.entropy === 'number' && 'cookie_needed' in v ? `GET ${prefix}/info → ${statusLine(r)} with SockJS's info answer` : null;
    } catch {
      return null;
    }
  });
}

/**
 * sockjs-node < 0.3.20 refusing an Upgrade: websocket request (400 for an invalid or unsupported
 * handshake, 404 for a wrong path): its fake response writes the head alone (`Connection: close`)
 * and ends the socket; the error handler's body then goes to an ended socket, and the process dies.
 */
const SOCKJS_REFUSAL = /^HTTP\/1\.[01] (?:400|404) [^\n]*\nConnection: close\n\n$/;

/**
 * CVE-2020-7693 (sockjs < 0.3.20, sockjs-node issue #252): when sockjs refuses an Upgrade: websocket
 * request (a wrong path, an unsupported or invalid handshake), its error handler writes to the
 * socket it has already ended and the process dies on the unhandled 'write after end'. Named only
 * when sockjs is identified by its /info endpoint AND the target went down right after a check whose
 * upgrade request sockjs had just refused that way: fixed versions refuse the same request and live.
 */
async function sockjsFindings(ctx: CheckContext, events: readonly LivenessEvent[], named: ReadonlySet<string>): Promise<void> {
  const id = 'CVE-2020-7693';
  if (named.has(id)) return;
  const info = await sockjsInfo(ctx);
  if (!info) return;
  const crash = events.find((e) => e.outcome === 'down' && ctx.traffic.entries().some((t) => t.checkId === e.after && t.kind === 'http' && t.direction === 'in' && SOCKJS_REFUSAL.test(t.text)));
  if (!crash) return;
  const refusal = ctx.traffic.entries().find((t) => t.checkId === crash.after && t.kind === 'http' && SOCKJS_REFUSAL.test(t.text));
  ctx.report({
    severity: 'high',
    confidence: 'likely',
    title: `Known-vulnerable version: sockjs-node (${id})`,
    evidence: `sockjs-node identified from ${info}; ${crash.after} got its refusal of an Upgrade: websocket request as a bare head (${(refusal?.text.split('\n')[0] ?? '').trim()}, Connection: close, no body) and the target stopped answering right after (${crash.inputs.join('; ')}, WSG-LIVE-01): the behaviour of ${id} (the refusal's body is written after the socket was ended and the process dies on it), sockjs < 0.3.20. Upgrade sockjs to ≥ 0.3.20.`,
  });
}

/**
 * The Engine.IO polling probes (memoised), made first while the target is certainly up; `run`
 * judges after every other check. The Sec-WebSocket-Version: 1337 handshake is not made early:
 * some servers crash on it (FINGER-01 makes it alone, with the checks that can take a target down).
 */
export async function prepare(ctx: CheckContext): Promise<void> {
  await Promise.all([engineIoOpen(ctx, '4').then((v4) => v4 && Promise.all([engineIoOpen(ctx, '3'), clientBundle(ctx)])), sockjsInfo(ctx)]);
}

/** GET <engineio path>socket.io.js: Socket.IO's client bundle, whose banner names the server's version (recorded for bannerFindings). */
function clientBundle(ctx: CheckContext): Promise<unknown> {
  return ctx.memo('finger:socketio-client-bundle', () => ctx.handshake({
    path: `${ctx.options.engineioPath.replace(/\/?$/, '/')}socket.io.js`,
    query: { EIO: null, transport: null },
    raw: { request: { method: 'GET', omit: ['upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version'] } },
  }).catch(() => null));
}

export async function run(ctx: CheckContext): Promise<void> {
  await requireBaseline(ctx);
  // Banners on the refusal as well as the 101 (FINGER-01 shares this probe).
  await Promise.allSettled([sharedHandshake(ctx, 'version:1337', { raw: { request: { version: '1337' } } }), prepare(ctx)]);
  const named = bannerFindings(ctx);
  behaviourFindings(ctx, ctx.livenessEvents(), named);
  await sockjsFindings(ctx, ctx.livenessEvents(), named);
  await redosFindings(ctx);
  await protocolRedos(ctx);
  await legacyEngineIo(ctx);
}
