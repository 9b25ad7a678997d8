import { requireBaseline, statusLine } from '../../check-helpers.js';
import { reportIfDown } from './liveness.js';
import type { HeaderList } from '../../raw/handshake.js';
import { limitOptions } from '../../options.js';
import type { AuditOptions, CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-LIMIT-09',
  title: 'Handshake header abuse',
  area: 'LIMIT',
  severity: 'high',
  mode: 'intrusive',
  references: ['S10 (ws CVE-2024-37890, CVE-2021-32640, 2017 extensions DoS)', 'S12 (CVE-2020-7662/7663)', 'STEWS-2', 'STEWS-3'],
  remediation: 'Keep ws ≥ 8.17.1 (400 on too many headers) and Node header limits (maxHeadersCount, 16 KiB max header size); parse Sec-WebSocket-Protocol/Extensions in linear time and into null-prototype objects.',
  description: 'Handshakes with (a) 2 100 dummy headers before Upgrade/Sec-WebSocket-Key, (b) one 64 KiB header, (c) Sec-WebSocket-Protocol "b" + 30 000 vs 66 000 spaces + "x", timed (STEWS-2), (d) Sec-WebSocket-Extensions a;b="\\c…" with 14, 16 … 30 repeats until one takes longer than 0.4 s, then that length vs 2 repeats (the ramp goes on when the pairs do not confirm it, at most three times), timed (STEWS-3), (e) extension names "constructor" / "hasOwnProperty"; liveness after each. Finding: latency grows by more than 0.4 s with length, and at least doubles, in each of three interleaved measurements; a target that stops answering is reported by WSG-LIVE-01/02.',
};

/** Can take a target down: runs alone, after the other checks (see CheckModule.isolated). */
export const isolated = true;

interface Outcome { ms: number; what: string }

async function attempt(ctx: CheckContext, headers: HeaderList, headersFirst = false): Promise<Outcome> {
  const t0 = Date.now();
  try {
    const r = await ctx.handshake({ raw: { request: { headers, headersFirst } } });
    return { ms: Date.now() - t0, what: statusLine(r) };
  } catch (e) {
    return { ms: Date.now() - t0, what: `no HTTP answer (${(e as Error).message.slice(0, 80)})` };
  }
}

const spaces = (n: number): HeaderList => [['Sec-WebSocket-Protocol', `b${' '.repeat(n)}x`]];
const escapes = (n: number): HeaderList => [['Sec-WebSocket-Extensions', `a;b="${'\\c'.repeat(n)}`]];

/**
 * Latency growth from the short to the long variant, measured as up to three interleaved pairs:
 * the smallest growth counts, and the long variant must also take at least twice the short one.
 * A busy target or a loaded auditor machine slows both alike; only super-linear parsing grows
 * in every pair.
 */
async function growth(ctx: CheckContext, short: HeaderList, long: HeaderList): Promise<number> {
  const threshold = limitOptions(ctx.options).timingThresholdMs;
  let least = Infinity;
  for (let pair = 0; pair < 3; pair++) {
    const a = await attempt(ctx, short);
    const b = await attempt(ctx, long);
    const grew = b.ms < 2 * a.ms ? 0 : b.ms - a.ms;
    least = Math.min(least, grew);
    if (least <= threshold) break;
  }
  return least;
}

/**
 * (d) A backtracking extension parser is exponential in the repeats (CVE-2020-7662: each `\c`
 * reads two ways), so fixed lengths either stay fast or take minutes, and a handshake that timed
 * out leaves the server busy, which spoils the next measurement. Ramp the repeats two at a time
 * (×4 work each step) until one handshake takes longer than the threshold, then confirm that
 * length against a short header in interleaved pairs. A slow handshake the pairs do not confirm
 * was the target busy with other checks' load: the ramp goes on (at most three confirmations).
 */
async function escapeGrowth(ctx: CheckContext, threshold: number): Promise<{ grew: number; n: number } | null> {
  let confirmations = 0;
  for (let n = 14; n <= 30 && confirmations < 3 && !ctx.signal.aborted; n += 2) {
    const o = await attempt(ctx, escapes(n));
    if (o.ms <= threshold) continue;
    confirmations++;
    const grew = await growth(ctx, escapes(2), escapes(n));
    if (grew > threshold) return { grew, n };
  }
  return null;
}

/** Shares (d)'s measurement with WSG-FINGER-03, which names the advisory when the library is known. */
const EXTENSIONS_REDOS = 'limit-09:extensions-redos';

/** LIMIT-09's (d) evidence when it measured the ReDoS in this audit, else null (also when it did not run). */
export function measuredExtensionsRedos(ctx: CheckContext): Promise<string | null> {
  return ctx.memo(EXTENSIONS_REDOS, () => Promise.resolve(null));
}

export function timeoutMs(o: AuditOptions): number {
  return 25 * o.requestTimeoutMs + 4 * 10_000 + 10_000;
}

/** Crash-class probe: runs after the ordinary checks so a crash does not spoil them. */
export const phase = 1;

export async function run(ctx: CheckContext): Promise<void> {
  await requireBaseline(ctx);
  const threshold = limitOptions(ctx.options).timingThresholdMs;
  const crashProbes: Array<{ name: string; headers: HeaderList; first?: boolean }> = [
    { name: '(a) 2 100 headers before Upgrade', headers: Array.from({ length: 2100 }, (): [string, string] => ['a', '0']), first: true },
    { name: '(b) one 64 KiB header', headers: [['X-Wsguard-Big', 'a'.repeat(64 * 1024)]] },
    { name: '(e) Sec-WebSocket-Extensions: constructor', headers: [['Sec-WebSocket-Extensions', 'constructor']] },
    { name: '(e) Sec-WebSocket-Extensions: permessage-deflate; hasOwnProperty', headers: [['Sec-WebSocket-Extensions', 'permessage-deflate; hasOwnProperty']] },
  ];
  for (const p of crashProbes) {
    const o = await attempt(ctx, p.headers, p.first);
    if (await reportIfDown(ctx, `${p.name} (answer: ${o.what})`)) return;
  }
  const slow: string[] = [];
  const sp = await growth(ctx, spaces(30_000), spaces(66_000));
  if (sp > threshold) slow.push(`(c) Sec-WebSocket-Protocol with 66 000 vs 30 000 spaces: +${sp} ms`);
  const ex = await escapeGrowth(ctx, threshold);
  if (ex) {
    const d = `(d) Sec-WebSocket-Extensions with ${ex.n} vs 2 \\c repeats: +${ex.grew} ms`;
    slow.push(d);
    void ctx.memo(EXTENSIONS_REDOS, () => Promise.resolve(d));
  }
  if (slow.length) ctx.report({ confidence: 'certain', evidence: `Handshake latency grows with header length (super-linear parsing, in each of three interleaved measurements): ${slow.join('; ')}.` });
}
