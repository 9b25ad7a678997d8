/**
 * What each check sent the target, noted BEFORE it goes out (a write to a socket that the input
 * itself kills must still be on record), and whether the target answered it. When the liveness
 * watch finds the target down after a check, the input it names is the earliest one that the
 * target never answered: "its last frame sent" was often a frame sent a moment later on another
 * connection, or the auditor's own cleanup.
 */

import type { FrameHeader } from './raw/frame-decoder.js';

/** One outgoing frame header (what the raw connection saw being written). */
export interface SentFrame extends FrameHeader {
  /** Declared payload length. */
  length: number;
  /** The first payload bytes written with the header (unmasked), at most 64. */
  prefix: Buffer;
}

export interface InputEntry {
  checkId: string;
  /** Epoch ms when it was about to be sent. */
  at: number;
  /** In words, for the evidence. */
  what: string;
  /** The auditor's own liveness pings and pongs: never named as the input. */
  probe: boolean;
  /** Did the target answer it (an HTTP answer; any frame after it on the same connection)? */
  answered(): boolean;
  /** Grows a fragmented message as its continuation frames go out. */
  fragments?: { kind: string; frames: number; bytes: number; fin: boolean };
}

/** How a handshake identical to the baseline request ends, in words. */
const AS_BASELINE = ' (as the baseline)';

/** A handshake described as the baseline request sent again (one a healthy target answers). */
export function isBaselineCopy(what: string): boolean {
  return what.endsWith(AS_BASELINE);
}

/** Inputs sent this close after a candidate (concurrent probes) cannot clear it by being answered. */
const BURST_MS = 25;
const PER_CHECK = 512;

const OPCODE_NAMES: Record<number, string> = { 0: 'continuation', 1: 'text', 2: 'binary', 8: 'close', 9: 'ping', 10: 'pong' };

export function formatSize(n: number): string {
  const mib = 1024 * 1024;
  if (n >= mib) return `${Math.floor(n / mib)} MiB${n % mib ? ` + ${n % mib} bytes` : ''}`;
  if (n >= 1024) return `${Math.floor(n / 1024)} KiB${n % 1024 ? ` + ${n % 1024} bytes` : ''}`;
  return `${n} byte${n === 1 ? '' : 's'}`;
}

function preview(b: Buffer, text: boolean): string {
  if (!b.length) return '';
  const printable = text || /^[\x20-\x7e]*$/.test(b.toString('latin1'));
  return printable ? ` ${JSON.stringify(b.toString(text ? 'utf8' : 'latin1').slice(0, 48))}${b.length > 48 ? '…' : ''}` : ` (0x${b.subarray(0, 12).toString('hex')}${b.length > 12 ? '…' : ''})`;
}

/** A frame in words: kind, opcode, length, and what in it breaks RFC 6455. */
export function describeFrame(f: SentFrame): string {
  const name = OPCODE_NAMES[f.opcode] ?? 'reserved-opcode';
  const odd: string[] = [];
  const control = f.opcode >= 8;
  if (!(f.opcode in OPCODE_NAMES)) odd.push('an opcode RFC 6455 reserves');
  if (control && f.length > 125) odd.push('over the 125-byte limit for control frames');
  if (control && !f.fin) odd.push('a fragmented control frame (FIN=0)');
  if (f.rsv1 || f.rsv2 || f.rsv3) odd.push(`reserved bit${[f.rsv1, f.rsv2, f.rsv3].filter(Boolean).length > 1 ? 's' : ''} ${[f.rsv1 && 'RSV1', f.rsv2 && 'RSV2', f.rsv3 && 'RSV3'].filter(Boolean).join('+')} set`);
  if (!f.masked) odd.push('unmasked (clients must mask)');
  if (f.length > 16 * 1024 * 1024) odd.push('a very large declared length');
  let body = '';
  if (f.opcode === 8 && f.prefix.length >= 2) body = ` code ${f.prefix.readUInt16BE(0)}${preview(f.prefix.subarray(2), false)}`;
  else if (f.opcode !== 8) body = preview(f.prefix, f.opcode === 1);
  const fin = !control && !f.fin ? ', FIN=0 (first fragment)' : '';
  return `${name} frame (opcode 0x${f.opcode.toString(16)}${fin}), ${formatSize(f.length)}${body}${odd.length ? `: ${odd.join(', ')}` : ''}`;
}

/** Per-check log of the inputs sent, in sending order. */
export class InputLog {
  private readonly byCheck = new Map<string, InputEntry[]>();

  add(entry: Omit<InputEntry, 'at'>): InputEntry {
    const e: InputEntry = { ...entry, at: Date.now() };
    const list = this.byCheck.get(e.checkId) ?? [];
    list.push(e);
    if (list.length > PER_CHECK) list.splice(0, list.length - PER_CHECK);
    this.byCheck.set(e.checkId, list);
    return e;
  }

  entries(checkId: string): readonly InputEntry[] {
    return this.byCheck.get(checkId) ?? [];
  }

  /**
   * The input that preceded the silence: the earliest one the target never answered while an
   * input sent clearly later (not in the same burst of concurrent probes) was not answered
   * either. The target processes what arrives in order, so what it answered came before the
   * fatal input. Falls back to the last input sent; none when the check sent nothing.
   */
  trigger(checkId: string): string | undefined {
    const list = this.entries(checkId).filter((e) => !e.probe);
    const answeredAt = list.filter((e) => e.answered()).map((e) => e.at);
    const latestAnswer = answeredAt.length ? Math.max(...answeredAt) : -Infinity;
    // The baseline request is what the watch itself sends to see the target alive: a copy of it
    // that went unanswered is the silence, not its cause (ws 1.x answers the fatal ping with a
    // close, then throws, and the next probe's ordinary handshake is the first unanswered input).
    const named = list.filter((e) => !e.what.endsWith(AS_BASELINE));
    const candidates = named.filter((e) => !e.answered() && latestAnswer <= e.at + BURST_MS);
    const first = candidates[0];
    if (!first) {
      const last = named[named.length - 1] ?? list[list.length - 1];
      if (!last) return undefined;
      // A copy of the baseline request must not read as "the baseline handshake" (the auditor's
      // first request) being blamed: it is this check's, and when it was answered the target
      // died after that answer (on the connection that followed, or its end).
      return `its last input: ${last.what.endsWith(AS_BASELINE) ? this.baselineCopy(last, list) : this.words(last)}`;
    }
    const more = candidates.length - 1;
    // A server can answer the fatal input and die right after (sockjs 0.3.19 answers a handshake
    // without a version 400, then throws): the input just before, when it was not an ordinary
    // handshake, is named too.
    const before = list[list.indexOf(first) - 1];
    const prev = before?.answered() && !before.what.endsWith(AS_BASELINE) ? `; just before it, answered: ${this.words(before)}` : '';
    return `the first input it got no answer to: ${this.words(first)}${more ? ` (then ${more} more unanswered input${more === 1 ? '' : 's'})` : ''}${prev}`;
  }

  /** A check's copy of the baseline request, in words: whose it is and which of its copies. */
  private baselineCopy(e: InputEntry, list: readonly InputEntry[]): string {
    const copies = list.filter((x) => x.what.endsWith(AS_BASELINE));
    const answered = e.answered() ? ', answered just before the silence' : ', never answered';
    return `${e.what.slice(0, -AS_BASELINE.length)}, the baseline request sent again by ${e.checkId} (its copy ${copies.indexOf(e) + 1} of ${copies.length})${answered}`;
  }

  private words(e: InputEntry): string {
    const f = e.fragments;
    if (!f || f.frames < 2) return e.what;
    return `${f.kind} message in ${f.frames} fragments, ${formatSize(f.bytes)}${f.fin ? '' : ' (not finished)'} (first: ${e.what})`;
  }
}

/** Header lines of a request head, name lower-cased, plus its request line. */
function headLines(bytes: Buffer): { line: string; headers: Array<[string, string, string]> } {
  const text = bytes.subarray(0, 1024 * 1024).toString('latin1');
  const head = text.split('\r\n\r\n')[0] ?? '';
  const [line = '', ...rest] = head.split('\r\n');
  const headers: Array<[string, string, string]> = [];
  for (const l of rest) {
    if (!l) continue; // the end of a head left unfinished
    const i = l.indexOf(':');
    if (i <= 0) { headers.push([l.toLowerCase(), l, '']); continue; }
    const name = l.slice(0, i);
    // Only HTTP's optional whitespace: a stray CR ("13\r") is what the check sent, not the baseline.
    headers.push([name.toLowerCase(), name, trimOws(l.slice(i + 1))]);
  }
  return { line, headers };
}

/**
 * Strips spaces and tabs at both ends, in linear time: a regex such as /[ \t]+$/ backtracks
 * quadratically over a long run of spaces, and FINGER-03's CVE-2021-32640 timing sends 14 000 of
 * them (the auditor's own 160 ms made every server look vulnerable).
 */
export function trimOws(v: string): string {
  let a = 0;
  let b = v.length;
  while (a < b && (v[a] === ' ' || v[a] === '\t')) a++;
  while (b > a && (v[b - 1] === ' ' || v[b - 1] === '\t')) b--;
  return v.slice(a, b);
}

const clip = (s: string, n = 60) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);
/** A header value in words: quoted with escapes when it holds control characters (a CR would break the line). */
// eslint-disable-next-line no-control-regex
const shown = (v: string) => (/[\x00-\x1f\x7f]/.test(v) ? JSON.stringify(v) : v);

/**
 * A handshake in words: its request line and what differs from the baseline request (changed,
 * added and missing headers, e.g. "Sec-WebSocket-Version: 1337"). `key` headers are compared
 * by presence and form only (every request carries a fresh one).
 */
export function describeHandshakeDiff(request: Buffer, baseline: Buffer, extra = ''): string {
  const a = headLines(baseline);
  const b = headLines(request);
  const words: string[] = [];
  const base = new Map<string, string[]>();
  for (const [n, , v] of a.headers) base.set(n, [...(base.get(n) ?? []), v]);
  const seen = new Set<string>();
  const changed: string[] = [];
  for (const [n, name, v] of b.headers) {
    seen.add(n);
    const was = base.get(n);
    if (n === 'sec-websocket-key' && was && /^[A-Za-z0-9+/]{22}==$/.test(v)) continue;
    if (was?.includes(v)) continue;
    changed.push(`${name}: ${clip(shown(v))}`);
  }
  const missing = [...base.keys()].filter((n) => !seen.has(n) && n !== 'pragma' && n !== 'cache-control' && n !== 'user-agent' && n !== 'accept-language');
  if (changed.length) words.push(`with ${changed.length > 4 ? `${changed.slice(0, 3).join(', ')} and ${changed.length - 3} more headers (${request.length} bytes in all)` : changed.join(', ')}`);
  if (missing.length) words.push(`without ${missing.map((n) => a.headers.find(([x]) => x === n)?.[1] ?? n).join(', ')}`);
  // A request the target cannot answer as it answers the baseline is never "the baseline sent
  // again" (a stall claim rests on that): a head left unfinished, or bytes after it (hixie-76's key).
  const end = request.indexOf('\r\n\r\n');
  if (end < 0) words.push('left unfinished (no blank line ends the head)');
  else if (request.length > end + 4 && baseline.indexOf('\r\n\r\n') + 4 === baseline.length) words.push(`with ${formatSize(request.length - end - 4)} after the head`);
  const diff = words.length ? ` ${words.join('; ')}` : AS_BASELINE;
  return `handshake ${clip(b.line, 100)}${diff}${extra}`;
}

/**
 * Follows the frames written to one connection (headers may arrive split, payloads in any
 * chunks) and reports each frame header as it starts to go out.
 */
export class OutgoingFrames {
  private skip = 0;
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (f: SentFrame) => void) {}

  push(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - off);
        this.skip -= n;
        off += n;
        continue;
      }
      const buf = this.pending.length ? Buffer.concat([this.pending, chunk.subarray(off)]) : chunk.subarray(off);
      const used = this.pending.length;
      const head = parseHeader(buf);
      if (!head) {
        // A header is at most 14 bytes, so this holds less than one header.
        this.pending = Buffer.from(buf);
        return;
      }
      this.pending = Buffer.alloc(0);
      const payload = buf.subarray(head.start, head.start + Math.min(head.length, 64));
      const prefix = Buffer.from(payload);
      if (head.key) for (let i = 0; i < prefix.length; i++) prefix[i] = (prefix[i] ?? 0) ^ (head.key[i % 4] ?? 0);
      this.onFrame({ ...head.bits, length: head.length, prefix });
      // Bytes of this chunk consumed by the header (what was pending came from earlier chunks).
      off += head.start - used;
      this.skip = head.length;
    }
  }
}

function parseHeader(b: Buffer): { bits: FrameHeader; length: number; start: number; key?: Buffer } | null {
  if (b.length < 2) return null;
  const b0 = b[0] ?? 0;
  const b1 = b[1] ?? 0;
  const len7 = b1 & 0x7f;
  const masked = (b1 & 0x80) !== 0;
  const ext = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
  const start = 2 + ext + (masked ? 4 : 0);
  if (b.length < start) return null;
  const length = len7 === 126 ? b.readUInt16BE(2) : len7 === 127 ? Number(b.readBigUInt64BE(2)) : len7;
  const key = masked ? b.subarray(2 + ext, start) : undefined;
  return { bits: { fin: (b0 & 0x80) !== 0, rsv1: (b0 & 0x40) !== 0, rsv2: (b0 & 0x20) !== 0, rsv3: (b0 & 0x10) !== 0, opcode: b0 & 0x0f, masked }, length, start, key };
}
