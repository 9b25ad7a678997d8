/**
 * Fuzz cases for the frame-level fuzzer: byte streams sent after a valid upgrade (structured
 * frame sequences, byte mutations of them, garbage, oversize and fragment floods), and opening
 * handshakes with mutations known to keep or break validity.
 */
import { encodeFrame, fragmentMessage, Opcode, closePayload, type FrameSpec, type HandshakeRequestSpec } from '../../../src/audit/raw/index.js';
import type { Prng } from './prng.js';

export interface FrameCase {
  readonly kind: 'frames';
  readonly label: string;
  readonly stream: Buffer;
}

export interface HandshakeCase {
  readonly kind: 'handshake';
  readonly label: string;
  /** Changes applied to a valid request spec. */
  readonly mutate: (spec: HandshakeRequestSpec) => HandshakeRequestSpec;
  /** Whether the mutated request is still a valid, authorized handshake (101 expected). */
  readonly valid: boolean;
  /** Send the token (false: no credentials at all). */
  readonly withToken: boolean;
}

export type FuzzCase = FrameCase | HandshakeCase;

export interface Limits {
  readonly maxPayload: number;
  readonly maxFragments: number;
}

const PING_MESSAGE = JSON.stringify({ type: 'ping', id: 'fz-1', payload: {} });
const RESERVED_OPCODES = [3, 4, 5, 6, 7, 11, 12, 13, 14, 15];

function payloadFor(r: Prng): Buffer {
  switch (r.int(0, 6)) {
    case 0: return Buffer.from(PING_MESSAGE);
    case 1: return Buffer.from(JSON.stringify({ type: r.pick(['subscribe', 'file_upload', 'nope', '__proto__']), id: `fz-${r.int(0, 99)}`, payload: { channel: 'files:acme', path: r.pick(['a', '../x', '']) } }));
    case 2: return Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xf0, 0x28, 0x8c, 0xbc].slice(0, r.int(1, 8))); // invalid UTF-8
    case 3: return Buffer.from('é€😀', 'utf8').subarray(0, r.int(0, 9)); // maybe a cut sequence
    case 4: return r.bytes(r.int(0, 40));
    case 5: return Buffer.from('x'.repeat(r.int(0, 300)));
    default: return Buffer.alloc(0);
  }
}

function randomFrame(r: Prng, last: boolean, limits: Limits): FrameSpec {
  const opcode = r.pick([Opcode.TEXT, Opcode.TEXT, Opcode.TEXT, Opcode.BINARY, Opcode.CONTINUATION, Opcode.CONTINUATION, Opcode.CLOSE, Opcode.PING, Opcode.PONG, r.pick(RESERVED_OPCODES)]);
  let payload = payloadFor(r);
  if (opcode === Opcode.CLOSE) {
    const code = r.pick([1000, 1001, 1002, 1003, 1004, 1005, 1006, 1015, 999, 2999, 3000, 4999, 5000, r.int(0, 65535)]);
    payload = r.bool(0.1) ? Buffer.alloc(r.int(0, 1)) : closePayload(code, r.bool(0.3) ? Buffer.from([0xff, 0xfe]) : 'bye');
  }
  if (opcode >= 8 && r.bool(0.1)) payload = Buffer.alloc(126, 0x61); // control frame too long
  const spec: FrameSpec = { opcode, payload, fin: r.bool(0.75) };
  if (r.bool(0.05)) spec.rsv1 = true;
  if (r.bool(0.03)) spec.rsv2 = true;
  if (r.bool(0.03)) spec.rsv3 = true;
  if (r.bool(0.05)) spec.mask = false;
  if (r.bool(0.1)) spec.lengthForm = r.pick(['16', '64'] as const); // non-minimal: legal for ws
  if (last && r.bool(0.15)) {
    // A lying length: past the real payload (truncated frame), past maxPayload, or past 2^53.
    spec.declaredLength = r.pick([BigInt(payload.length + r.int(1, 100)), BigInt(limits.maxPayload + r.int(1, 4096)), 1n << 63n, (1n << 53n) + 1n]);
  }
  return spec;
}

function structured(r: Prng, limits: Limits): Buffer {
  const n = r.int(1, 6);
  return Buffer.concat(Array.from({ length: n }, (_, i) => encodeFrame(randomFrame(r, i === n - 1, limits))));
}

function mutate(r: Prng, stream: Buffer): Buffer {
  const out = Buffer.from(stream);
  for (let i = r.int(1, 4); i > 0 && out.length > 0; i--) {
    const at = r.int(0, Math.min(out.length - 1, 15)); // headers live near the start
    if (r.bool(0.6)) out[at]! ^= 1 << r.int(0, 7);
    else out[at] = r.int(0, 255);
  }
  return r.bool(0.2) ? out.subarray(0, r.int(1, out.length)) : out;
}

export function frameCase(r: Prng, limits: Limits): FrameCase {
  const pick = r.int(0, 99);
  if (pick < 45) return { kind: 'frames', label: 'structured', stream: structured(r, limits) };
  if (pick < 75) return { kind: 'frames', label: 'mutated', stream: mutate(r, structured(r, limits)) };
  if (pick < 83) return { kind: 'frames', label: 'garbage', stream: r.bytes(r.int(1, 64)) };
  if (pick < 88) {
    // One message over maxPayload in fragments that are each small enough.
    const size = limits.maxPayload + r.int(1, 1024);
    return { kind: 'frames', label: 'fragmented-oversize', stream: Buffer.concat(fragmentMessage(Opcode.TEXT, Buffer.alloc(size, 0x61), r.int(8, 32) * 1024)) };
  }
  if (pick < 92) {
    // A valid message split into many fragments, one past the fragment limit.
    const chunks = limits.maxFragments + 1;
    return { kind: 'frames', label: 'fragment-flood', stream: Buffer.concat(fragmentMessage(Opcode.TEXT, Buffer.alloc(chunks, 0x61), 1)) };
  }
  if (pick < 96) {
    // A valid UTF-8 sequence split across fragments (must be accepted) or a broken one (1007).
    const text = Buffer.from(PING_MESSAGE.replace('fz-1', 'fz-é😀'.normalize()), 'utf8');
    const broken = r.bool(0.5);
    const body = broken ? Buffer.concat([text.subarray(0, 10), Buffer.from([0xf0, 0x9f]), text.subarray(10)]) : text;
    return { kind: 'frames', label: broken ? 'split-utf8-broken' : 'split-utf8', stream: Buffer.concat(fragmentMessage(Opcode.TEXT, body, r.int(1, 5))) };
  }
  return { kind: 'frames', label: 'valid-ping', stream: encodeFrame({ opcode: Opcode.TEXT, payload: PING_MESSAGE, lengthForm: r.pick(['minimal', '16', '64'] as const) }) };
}

type Mutation = Omit<HandshakeCase, 'kind'>;
const HANDSHAKE_MUTATIONS: readonly Mutation[] = [
  { label: 'valid', valid: true, withToken: true, mutate: (s) => s },
  { label: 'extra-headers', valid: true, withToken: true, mutate: (s) => ({ ...s, headers: [...(s.headers ?? []), ['X-Fuzz', 'a'.repeat(200)], ['Accept', '*/*']] }) },
  { label: 'deflate-offer', valid: true, withToken: true, mutate: (s) => ({ ...s, headers: [...(s.headers ?? []), ['Sec-WebSocket-Extensions', 'permessage-deflate; client_max_window_bits']] }) },
  { label: 'version-8', valid: false, withToken: true, mutate: (s) => ({ ...s, version: '8' }) },
  { label: 'version-junk', valid: false, withToken: true, mutate: (s) => ({ ...s, version: '13, 14' }) },
  { label: 'no-key', valid: false, withToken: true, mutate: (s) => ({ ...s, key: null }) },
  { label: 'short-key', valid: false, withToken: true, mutate: (s) => ({ ...s, key: 'c2hvcnQ=' }) },
  { label: 'dup-key', valid: false, withToken: true, mutate: (s) => ({ ...s, headers: [...(s.headers ?? []), ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ==']] }) },
  { label: 'post', valid: false, withToken: true, mutate: (s) => ({ ...s, method: 'POST' }) },
  { label: 'no-upgrade', valid: false, withToken: true, mutate: (s) => ({ ...s, omit: ['upgrade'] }) },
  { label: 'upgrade-h2c', valid: false, withToken: true, mutate: (s) => ({ ...s, omit: ['upgrade'], headers: [...(s.headers ?? []), ['Upgrade', 'h2c']] }) },
  { label: 'wrong-path', valid: false, withToken: true, mutate: (s) => ({ ...s, path: '/wss/../nope' }) },
  { label: 'evil-origin', valid: false, withToken: true, mutate: (s) => ({ ...s, origin: 'https://evil.example' }) },
  { label: 'null-origin', valid: false, withToken: true, mutate: (s) => ({ ...s, origin: 'null' }) },
  { label: 'evil-host', valid: false, withToken: true, mutate: (s) => ({ ...s, host: 'evil.example' }) },
  { label: 'no-subprotocol', valid: false, withToken: true, mutate: (s) => ({ ...s, headers: (s.headers ?? []).filter(([n]) => n !== 'Sec-WebSocket-Protocol') }) },
  { label: 'no-credentials', valid: false, withToken: false, mutate: (s) => s },
  { label: 'bad-token', valid: false, withToken: false, mutate: (s) => ({ ...s, headers: [...(s.headers ?? []), ['Authorization', 'Bearer eyJhbGciOiJub25lIn0.e30.']] }) },
  { label: 'bad-header-name', valid: false, withToken: true, mutate: (s) => ({ ...s, headers: [...(s.headers ?? []), ['Bad Header(', 'x']] }) },
  { label: 'http-1.0', valid: false, withToken: true, mutate: (s) => ({ ...s, httpVersion: '1.0' }) },
];

export function handshakeCase(r: Prng): HandshakeCase {
  return { kind: 'handshake', ...r.pick(HANDSHAKE_MUTATIONS) };
}

/** Every handshake mutation once (deterministic coverage beside the random draws). */
export function allHandshakeCases(): HandshakeCase[] {
  return HANDSHAKE_MUTATIONS.map((m) => ({ kind: 'handshake', ...m }));
}
