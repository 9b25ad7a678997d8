/**
 * Opening handshake requests built byte for byte (any method, header order, duplicates,
 * missing or malformed Host/Origin/version/key), and the parser for the HTTP answer.
 */
import { createHash, randomBytes } from 'node:crypto';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function generateKey(): string {
  return randomBytes(16).toString('base64');
}

export function expectedAccept(key: string): string {
  return createHash('sha1').update(key + WS_GUID).digest('base64');
}

/** One request header; `null` value in overrides removes a default header. */
export type HeaderList = Array<[name: string, value: string]>;

export interface HandshakeRequestSpec {
  /** Path plus query, e.g. `/ws?x=1`. */
  path: string;
  /** Value of the Host header; `null` omits it. */
  host: string | null;
  method?: string;
  httpVersion?: string;
  /** `null` omits Origin. */
  origin?: string | null;
  /** `null` omits the header. */
  key?: string | null;
  version?: string | null;
  /** Extra headers, sent in this order after the standard ones (or before with `headersFirst`). */
  headers?: HeaderList;
  /** Default headers (Upgrade, Connection, ...) to drop, lower-case names. */
  omit?: string[];
  headersFirst?: boolean;
  /**
   * 'browser': the request a browser sends (Chrome's header order and case, its Pragma,
   * Cache-Control and User-Agent), with the extra headers in their browser slots. Fragile
   * servers parse exactly that. Ignored with `headersFirst`.
   */
  layout?: 'browser';
  body?: Buffer | string;
}

/** Chrome's order for a WebSocket upgrade; headers it never sends go after Accept-Language. */
const BROWSER_ORDER = ['host', 'connection', 'pragma', 'cache-control', 'user-agent', 'upgrade', 'origin', 'sec-websocket-version', 'accept-encoding', 'accept-language', '*', 'cookie', 'sec-websocket-key', 'sec-websocket-extensions', 'sec-websocket-protocol'];
export const BROWSER_USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 wsguard-audit';
/** Accept-Encoding is left out on purpose: a compressed refusal body would hide the server's reason. */
const BROWSER_DEFAULTS: HeaderList = [['Pragma', 'no-cache'], ['Cache-Control', 'no-cache'], ['User-Agent', BROWSER_USER_AGENT], ['Accept-Language', 'en-US,en;q=0.9']];

function browserLayout(headers: HeaderList, omit: Set<string>): HeaderList {
  const names = new Set(headers.map(([n]) => n.toLowerCase()));
  const all = [...headers, ...BROWSER_DEFAULTS.filter(([n]) => !names.has(n.toLowerCase()) && !omit.has(n.toLowerCase()))];
  const rank = (n: string) => {
    const i = BROWSER_ORDER.indexOf(n.toLowerCase());
    return i >= 0 ? i : BROWSER_ORDER.indexOf('*');
  };
  // Array.prototype.sort is stable: unknown headers keep the caller's order within their slot.
  return all.sort((a, b) => rank(a[0]) - rank(b[0]));
}

export function buildHandshakeRequest(spec: HandshakeRequestSpec): Buffer {
  const omit = new Set((spec.omit ?? []).map((h) => h.toLowerCase()));
  const std: HeaderList = [];
  if (spec.host !== null) std.push(['Host', spec.host]);
  std.push(['Upgrade', 'websocket'], ['Connection', 'Upgrade']);
  const key = spec.key === undefined ? generateKey() : spec.key;
  if (key !== null) std.push(['Sec-WebSocket-Key', key]);
  const version = spec.version === undefined ? '13' : spec.version;
  if (version !== null) std.push(['Sec-WebSocket-Version', version]);
  if (spec.origin != null) std.push(['Origin', spec.origin]);
  const kept = std.filter(([n]) => !omit.has(n.toLowerCase()));
  const extra = spec.headers ?? [];
  const all = spec.headersFirst ? [...extra, ...kept] : spec.layout === 'browser' ? browserLayout([...kept, ...extra], omit) : [...kept, ...extra];
  const head = `${spec.method ?? 'GET'} ${spec.path} HTTP/${spec.httpVersion ?? '1.1'}\r\n` + all.map(([n, v]) => `${n}: ${v}\r\n`).join('') + '\r\n';
  const body = spec.body === undefined ? Buffer.alloc(0) : Buffer.from(spec.body);
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

export interface HttpResponseHead {
  httpVersion: string;
  status: number;
  statusText: string;
  /** Lower-case name → every value, in arrival order. */
  headers: Record<string, string[]>;
  /** Headers exactly as received (original casing and order). */
  rawHeaders: HeaderList;
}

/** Parses the status line and headers if `buf` holds them all; returns where the body starts. */
export function parseResponseHead(buf: Buffer): { head: HttpResponseHead; bodyStart: number } | null {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/(\d(?:\.\d)?) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!m) throw new Error(`not an HTTP response: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  const headers: Record<string, string[]> = {};
  const rawHeaders: HeaderList = [];
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    rawHeaders.push([name, value]);
    (headers[name.toLowerCase()] ??= []).push(value);
  }
  return {
    head: { httpVersion: m[1] ?? '1.1', status: Number(m[2]), statusText: m[3] ?? '', headers, rawHeaders },
    bodyStart: end + 4,
  };
}

export function header(head: HttpResponseHead, name: string): string | undefined {
  return head.headers[name.toLowerCase()]?.[0];
}
