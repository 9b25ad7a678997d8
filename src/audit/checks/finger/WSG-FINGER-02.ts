import { requireBaseline, sharedHandshake } from '../../check-helpers.js';
import { closePayload, Opcode } from '../../raw/frame-encoder.js';
import type { CheckContext, CheckMeta, Confidence, TrafficEntry } from '../../types.js';
import { probe } from '../proto/frames.js';
import { skippedByOperator } from '../../select.js';

export const meta: CheckMeta = {
  id: 'WSG-FINGER-02',
  title: 'Library fingerprint from protocol behaviour',
  area: 'FINGER',
  severity: 'info',
  mode: 'safe',
  passive: true,
  references: ['STEWS-F 100', 'STEWS-F 200', 'STEWS-F 600', 'S10', 'S11', 'S12'],
  remediation: 'Answer protocol errors with standard close codes and short generic reasons, and handshake errors with a bare status; keep the library patched (WSG-FINGER-03 reports versions shown to be vulnerable).',
  description: 'Runs after the active checks and matches every close reason, HTTP refusal and header recorded during the audit (PROTO-02/03/06 probes especially) against library signatures (ws, Gorilla, Faye, Tomcat/Spring, Ratchet, Python websockets, Engine.IO, uWebSockets; default Server banners of Mojolicious, Tornado, aiohttp, Python websockets); adds its own probes (Sec-WebSocket-Version: 1337, a bad key, an unmasked frame, close code 999: RFC 6455 negative tests, made after the active checks because some servers crash on them) so it works alone; none when the recorded traffic already names a library, and none repeating a check left out with --skip. Finding (info) per library identified, with confidence and where it was seen; no advisories (a fingerprint carries no version: see WSG-FINGER-03).',
};

export interface Signature {
  library: string;
  pattern: RegExp;
  confidence: Confidence;
}

export const SIGNATURES: Signature[] = [
  { library: 'ws (Node.js)', pattern: /Missing or invalid Sec-WebSocket-(?:Version|Key) header|Invalid Upgrade header|Invalid or unacceptable Sec-WebSocket-Extensions header|Sec-WebSocket-Version: 13, 8(?![\d,])|Invalid WebSocket frame: /, confidence: 'likely' },
  // ws 4–6 refuse a handshake with these three headers, in this order and case ("Content-type"),
  // and nothing else: their only tell (no banner, no close reasons; ws 7 capitalised the T).
  { library: 'ws (Node.js)', pattern: /^Connection: close\nContent-type: text\/html\nContent-Length: \d+$/m, confidence: 'likely' },
  // ws 7 (abortHandshake, lib/websocket-server.js) refuses with these three headers, in this order,
  // and nothing else (no Date, which Node's own responses carry), and the status text as the body.
  { library: 'ws (Node.js)', pattern: /^Connection: close\nContent-Type: text\/html\nContent-Length: 11\n\nBad Request$/m, confidence: 'likely' },
  { library: 'Gorilla websocket (Go)', pattern: /unexpected reserved bits 0x|incorrect mask flag|unknown opcode \d|control frame length > 125|websocket: (?:the client is not using the websocket protocol|unsupported version|not a websocket handshake|request origin not allowed)/, confidence: 'likely' },
  { library: 'Faye websocket-driver (Node.js/Ruby)', pattern: /One or more reserved bits are on|Received unmasked frame|Unrecognized frame opcode|Received fragmented control frame|Received control frame having too long payload/, confidence: 'likely' },
  { library: 'Apache Tomcat / Spring WebSocket (Java)', pattern: /The client frame set the reserved bits to|unrecognised opCode|could not be decoded to UTF-8 because it contained invalid byte sequences/, confidence: 'likely' },
  { library: 'Ratchet (PHP)', pattern: /Ratchet detected/, confidence: 'likely' },
  { library: 'Python websockets', pattern: /reserved bits must be 0|Failed to open a WebSocket connection|invalid opcode: \d/, confidence: 'tentative' },
  { library: 'Engine.IO / Socket.IO', pattern: /"message":"(?:Transport unknown|Session ID unknown|Bad handshake method|Bad request)"/, confidence: 'likely' },
  { library: 'uWebSockets', pattern: /^uWebSockets: \d+/im, confidence: 'likely' },
  // Banners: a Server header the framework sends by default (the operator can change it, so likely).
  { library: 'Mojolicious (Perl)', pattern: /^Server: Mojolicious \(Perl\)$/im, confidence: 'likely' },
  { library: 'Tornado (Python)', pattern: /^Server: TornadoServer\/[\d.]+$/im, confidence: 'likely' },
  { library: 'aiohttp (Python)', pattern: /^Server: Python\/[\d.]+ aiohttp\/[\d.]+$/im, confidence: 'likely' },
  { library: 'Python websockets', pattern: /^Server: Python\/[\d.]+ websockets\/[\d.]+$/im, confidence: 'likely' },
];

/**
 * Its own probes, so the check works without the PROTO checks (their traffic is recorded too):
 * RFC 6455 negative tests that crash some servers, so they are not made early (no `prepare`): this
 * check runs after the active ones. Each repeats another check's probe, and is not sent when the
 * operator left that check out with --skip: skipping PROTO-03 to spare a fragile server must not
 * send its close 999 anyway (an outsider's express-ws app died that way).
 */
const OWN_PROBES: ReadonlyArray<{ of: string; send: (ctx: CheckContext) => Promise<unknown> }> = [
  // Memoised: FINGER-01 and FINGER-03 share this handshake.
  { of: 'WSG-FINGER-01', send: (ctx) => sharedHandshake(ctx, 'version:1337', { raw: { request: { version: '1337' } } }) },
  { of: 'WSG-PROTO-06', send: (ctx) => sharedHandshake(ctx, 'key:bad', { raw: { request: { key: 'not*base64*at*all!!!!!==' } } }) },
  { of: 'WSG-PROTO-01', send: (ctx) => probe(ctx, [Buffer.from([0x81, 0x05, ...Buffer.from('hello')])]) },
  { of: 'WSG-PROTO-03', send: (ctx) => probe(ctx, [{ opcode: Opcode.CLOSE, payload: closePayload(999) }], { ping: false }) },
];

async function ownProbes(ctx: CheckContext): Promise<void> {
  await Promise.allSettled(OWN_PROBES.filter((p) => !skippedByOperator(ctx.options, p.of)).map((p) => p.send(ctx)));
}

/** Libraries identified in the recorded traffic, each with where (first sighting). */
export function identify(entries: readonly TrafficEntry[]): Map<Signature, string> {
  const hits = new Map<Signature, string>();
  for (const e of entries) {
    if (e.direction !== 'in' || e.kind === 'frame') continue;
    for (const sig of SIGNATURES) {
      const m = sig.pattern.exec(e.text);
      // One sighting per library: ws has two signatures (ws 7+ reasons, ws 4–6 headers) and a
      // server can show both, which is one library, not two findings.
      if (m && ![...hits.keys()].some((h) => h.library === sig.library)) hits.set(sig, `${e.kind === 'close' ? `close ${e.closeCode ?? ''} reason` : `HTTP ${e.status ?? ''} answer`} "${m[0].slice(0, 70).replace(/\n/g, ' | ')}" (seen by ${e.checkId})`);
    }
  }
  return hits;
}

export async function run(ctx: CheckContext): Promise<void> {
  await requireBaseline(ctx);
  // What the other checks' traffic already tells needs no more odd requests to a server they may kill.
  if (identify(ctx.traffic.entries()).size === 0) await ownProbes(ctx);
  // Which library, and nothing more: a fingerprint carries no version, so no advisory is named
  // here (WSG-FINGER-03 names one only when the version is shown to be in the affected range).
  for (const [sig, where] of identify(ctx.traffic.entries())) {
    ctx.report({ confidence: sig.confidence, evidence: `${sig.library} identified from ${where}.` });
  }
}
