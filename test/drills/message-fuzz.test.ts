/**
 * Message-level fuzz: fast-check near-valid envelopes through the real pipeline over a socket.
 * Validity is decided by the protocol's own zod schemas plus the token's perms. Holds when the
 * hub never acks something invalid, acks every valid publish and ping, and every error carries a
 * registry code with its fixed message (so nothing from the input is echoed but the valid id).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import WebSocket from 'ws';
import { CLIENT_MESSAGES, DEFAULT_JSON_LIMITS, Envelope, parseBoundedJson, SUBPROTOCOL, errorInfo, isAllowed, isErrorCode } from '../../src/protocol/index.js';
import { ALICE, removeDir, startTestHub, token, type TestHub } from '../hub/support.js';
import { wireMessage } from './lib/message-arbitraries.js';

const SEED = 7_000_007;
const RUNS = 300;
const REPLY_TYPES: Record<string, string> = { subscribe: 'subscribed', unsubscribe: 'unsubscribed', file_upload: 'ack', file_delete: 'ack', 'auth.refresh': 'ack', ping: 'pong' };
const MUST_ACCEPT = new Set(['ping', 'file_upload', 'file_delete']);

interface Judgement {
  readonly envelopeOk: boolean;
  readonly type?: string;
  readonly id?: string;
  /** Envelope and payload pass the protocol schemas, and the token's perms allow it. */
  readonly acceptable: boolean;
}

function judge(text: string): Judgement {
  // The protocol's bounded parser (depth, sizes, __proto__/constructor/prototype keys refused).
  const parsed = parseBoundedJson(text, DEFAULT_JSON_LIMITS);
  if (!parsed.ok) return { envelopeOk: false, acceptable: false };
  const env = Envelope.safeParse(parsed.value);
  if (!env.success) return { envelopeOk: false, acceptable: false };
  const { type, id } = env.data;
  const schema = (CLIENT_MESSAGES as Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown } }>)[type];
  const payload = schema?.safeParse(env.data.payload ?? {});
  if (!payload?.success) return { envelopeOk: true, type, id, acceptable: false };
  const channel = (payload.data as { channel?: string }).channel;
  const allowed = type === 'subscribe' ? isAllowed(ALICE.subscribe, channel!) : type.startsWith('file_') ? isAllowed(ALICE.publish, channel!) : true;
  return { envelopeOk: true, type, id, acceptable: allowed };
}

class Conn {
  private frames: Record<string, unknown>[] = [];
  private wake: (() => void) | undefined;
  closed: number | undefined;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      this.frames.push(JSON.parse(String(d)) as Record<string, unknown>);
      this.wake?.();
    });
    ws.on('close', (code) => {
      this.closed = code;
      this.wake?.();
    });
  }

  /** Next answer to a request (events and notices skipped), or undefined after the timeout. */
  async reply(timeoutMs = 5_000): Promise<Record<string, unknown> | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex((f) => f.type !== 'event' && f.type !== 'session.expiring');
      if (i >= 0) {
        const f = this.frames[i]!;
        this.frames = this.frames.slice(i + 1);
        return f;
      }
      if (this.closed !== undefined || Date.now() > deadline) return undefined;
      await new Promise<void>((r) => {
        const t = setTimeout(r, 100);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  }
}

let hub: TestHub;
let conn: Conn;
before(async () => {
  // Rate limits and the violation threshold off: this drill is about answers, not throttling.
  hub = await startTestHub({}, { guard: { messageRate: { perSec: 1e6, burst: 1e6 }, violations: { threshold: 1e6, windowMs: 60_000 }, authFailures: { perMin: 1e6, burst: 1e6 } } });
  const ws = new WebSocket(hub.wsUrl, [SUBPROTOCOL], { headers: { Authorization: `Bearer ${await token('alice', ALICE)}` } });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  conn = new Conn(ws);
});
after(async () => {
  conn?.ws.terminate();
  await hub?.close(1_000);
  if (hub) removeDir(hub.dir);
});

test(`message fuzz: ${RUNS} near-valid messages, never an ack for invalid input, never an echo`, async (t) => {
  const counts: Record<string, number> = {};
  await fc.assert(
    fc.asyncProperty(wireMessage, async (text) => {
      const j = judge(text);
      conn.ws.send(text);
      const reply = await conn.reply();
      assert.ok(reply, `no answer (closed: ${conn.closed}) to ${text.slice(0, 200)}`);
      const key = `${j.acceptable ? 'valid' : 'invalid'} ${j.type ?? '-'} → ${reply.type}${reply.type === 'error' ? ` ${(reply.payload as { code: string }).code}` : ''}`;
      counts[key] = (counts[key] ?? 0) + 1;
      assert.equal(reply.id, j.envelopeOk ? j.id : undefined, 'only a schema-valid correlation id is echoed');
      if (reply.type === 'error') {
        const p = reply.payload as { code: string; message: string; field?: unknown };
        assert.deepEqual(Object.keys(reply).sort(), reply.id === undefined ? ['payload', 'type'] : ['id', 'payload', 'type']);
        // invalid_message may name the failing field by its schema path: names and indexes only, never a value.
        if (p.field !== undefined) {
          assert.equal(p.code, 'invalid_message', 'only invalid_message names a field');
          assert.match(String(p.field), /^(type|id|payload)(\.([A-Za-z_][A-Za-z0-9_]*|\d+|\*))*$/, `field is a schema path: ${String(p.field)}`);
        }
        assert.deepEqual(Object.keys(p).filter((k) => k !== 'field').sort(), ['code', 'message']);
        assert.ok(isErrorCode(p.code), `registry error code: ${p.code}`);
        assert.equal(p.message, errorInfo(p.code).message, 'the fixed message of its code, nothing from the input');
        if (j.acceptable && MUST_ACCEPT.has(j.type!)) assert.fail(`valid ${j.type} refused with ${p.code}: ${text}`);
        return;
      }
      assert.ok(j.acceptable, `answered ${reply.type} to an invalid or unauthorized message: ${text}`);
      assert.equal(reply.type, REPLY_TYPES[j.type!], `answer type for ${j.type}`);
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
  t.diagnostic(JSON.stringify(counts));
  // The run must have hit both sides of the oracle.
  const valid = Object.entries(counts).filter(([k]) => k.startsWith('valid') && !k.includes('error')).reduce((n, [, c]) => n + c, 0);
  const invalid = Object.entries(counts).filter(([k]) => k.startsWith('invalid')).reduce((n, [, c]) => n + c, 0);
  assert.ok(valid >= 20 && invalid >= 100, `coverage: ${JSON.stringify(counts)}`);
  assert.equal(conn.closed, undefined, 'the connection survived the run');
  // Still serving: a fresh client gets a pong.
  conn.ws.send(JSON.stringify({ type: 'ping', id: 'last', payload: {} }));
  assert.equal((await conn.reply())?.type, 'pong');
});
