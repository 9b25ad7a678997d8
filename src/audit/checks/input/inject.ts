/**
 * Injection points in operator messages: `{{payload}}` marks one; without a marker, every
 * string leaf of a JSON message at any depth (array items included) becomes one, except the
 * fields that name the message type (and a Socket.IO event name); a plain-text message is one
 * as a whole (replaced, and appended to). Payloads are JSON-escaped when the marker sits inside
 * a JSON string, so the message stays valid.
 */
import { eventArgs } from '../../socketio.js';
import type { AuditSocket, CheckContext } from '../../types.js';
import { isControlPacket } from '../../canary.js';

export const MARKER = '{{payload}}';
const TYPE_KEYS = new Set(['type', 'event', 'action', 'op', 'method', 'cmd', 'command', 'kind', 'msgtype', 'message_type', 'messagetype']);
/** Bounds: a huge sample message must not turn into thousands of probes. */
const MAX_POINTS_PER_MESSAGE = 12;
const MAX_DEPTH = 16;

type Path = Array<string | number>;

/** Paths of the string leaves that are injection points. */
function stringLeaves(root: unknown, skipFirstArrayItem: boolean): Path[] {
  const out: Path[] = [];
  const walk = (x: unknown, path: Path) => {
    if (out.length >= MAX_POINTS_PER_MESSAGE || path.length > MAX_DEPTH) return;
    if (typeof x === 'string') {
      out.push(path);
    } else if (Array.isArray(x)) {
      x.forEach((e, i) => { if (!(skipFirstArrayItem && path.length === 0 && i === 0)) walk(e, [...path, i]); });
    } else if (x && typeof x === 'object') {
      for (const [k, e] of Object.entries(x)) if (!(typeof e === 'string' && TYPE_KEYS.has(k.toLowerCase()))) walk(e, [...path, k]);
    }
  };
  walk(root, []);
  return out;
}

function withMarker(root: unknown, path: Path): unknown {
  if (path.length === 0) return MARKER;
  const [head, ...rest] = path;
  if (Array.isArray(root)) return root.map((e, i) => (i === head ? withMarker(e, rest) : e));
  const obj = root as Record<string, unknown>;
  return { ...obj, [head as string]: withMarker(obj[head as string], rest) };
}

export function injectionTemplates(messages: string[]): string[] {
  const out: string[] = [];
  for (const m of messages) {
    if (m.includes(MARKER)) { out.push(m); continue; }
    // Socket.IO packets: `42["event",{...}]` (packet type digits, then JSON; the event name is the type).
    const prefix = /^\d+(?=[[{])/.exec(m)?.[0] ?? '';
    let v: unknown;
    try { v = JSON.parse(m.slice(prefix.length)); } catch { v = undefined; }
    if (v !== undefined && v !== null && typeof v === 'object') {
      for (const path of stringLeaves(v, prefix !== '' && Array.isArray(v))) out.push(prefix + JSON.stringify(withMarker(v, path)));
      continue;
    }
    if (typeof v === 'string') { out.push(JSON.stringify(MARKER)); continue; }
    if (v === null || typeof v === 'boolean' || !m.trim()) continue; // nothing to inject into
    // Plain text: the whole message is the value (replace it), or the head of it (append).
    out.push(MARKER, `${m}${MARKER}`);
  }
  return [...new Set(out)];
}

function isJsonTemplate(t: string): boolean {
  try { JSON.parse(t.replace(/^\d+/, '').split(MARKER).join('x')); return true; } catch { return false; }
}

/** The template with `payload` in its injection point. */
export function fill(template: string, payload: string): string {
  const p = isJsonTemplate(template) ? JSON.stringify(payload).slice(1, -1) : payload;
  return template.split(MARKER).join(p);
}

/** The template with a raw JSON value replacing the whole quoted injection point (NoSQL operators). */
export function fillValue(template: string, json: string): string | null {
  const quoted = `"${MARKER}"`;
  return template.includes(quoted) && isJsonTemplate(template) ? template.split(quoted).join(json) : null;
}

/** Every string value in a frame (JSON decoded, Socket.IO `42[...]` prefix stripped) with its key. */
export function stringFields(frame: string): Array<{ key: string; value: string }> {
  const out: Array<{ key: string; value: string }> = [];
  const body = eventArgs(frame).replace(/^\d+/, '');
  let v: unknown;
  try { v = JSON.parse(body); } catch { return [{ key: '(frame)', value: frame }]; }
  const walk = (x: unknown, key: string, depth: number) => {
    if (depth > 32) return;
    if (typeof x === 'string') out.push({ key, value: x });
    else if (Array.isArray(x)) x.forEach((e) => walk(e, key, depth + 1));
    else if (x && typeof x === 'object') for (const [k, e] of Object.entries(x)) walk(e, k, depth + 1);
  };
  walk(v, '(root)', 0);
  return [...out, { key: '(frame)', value: frame }];
}

/** Sends one message and returns the replies: waits up to `timeoutMs` for the first, then 100 ms more. */
export async function ask(ctx: CheckContext, s: AuditSocket, msg: string, timeoutMs: number): Promise<{ replies: string[]; ms: number }> {
  const socketIo = ctx.options.protocol === 'socket.io';
  const from = s.messages.length;
  const t0 = Date.now();
  s.send(msg);
  const first = await s.waitFor((m) => !isControlPacket(m, socketIo), timeoutMs, from);
  const ms = Date.now() - t0;
  if (first !== null) await s.collect(100);
  return { replies: s.messages.slice(from).filter((m) => !isControlPacket(m, socketIo)), ms };
}

/** A baseline connection, reopened when the previous one was closed; skips the check when refused. */
export async function liveSocket(ctx: CheckContext, current: AuditSocket | null): Promise<AuditSocket> {
  if (current && !current.closed) return current;
  const r = await ctx.connect();
  if (!r.ok) return ctx.skip(`baseline connection failed (${r.status ?? r.error})`);
  return r.socket;
}

/** Evidence text: token-like values (JWTs, long base64/hex) cut to a prefix, then truncated. */
export function short(s: string, n = 120): string {
  const r = s.replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, 'eyJ…(JWT)').replace(/[A-Za-z0-9+/_-]{32,}={0,2}/g, (m) => `${m.slice(0, 4)}…`);
  return r.length > n ? `${r.slice(0, n)}…` : r;
}
