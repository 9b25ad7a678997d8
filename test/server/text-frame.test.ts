/**
 * Pins ws's undeclared `Sender.frame` (used by src/server/text-frame.ts for fan-out): @types/ws does
 * not declare it, so a ws upgrade that renames it or changes what it returns must fail here, loudly,
 * rather than in production. The expected bytes are RFC 6455 §5.2 framing written out by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'ws';
import { buildTextFrame } from '../../src/server/text-frame.js';

/** FIN + text opcode, unmasked, with the 7-bit, 16-bit or 64-bit length form. */
function rfc6455TextFrame(payload: Buffer): Buffer {
  const n = payload.length;
  let head: Buffer;
  if (n < 126) head = Buffer.from([0x81, n]);
  else if (n < 65536) {
    head = Buffer.alloc(4);
    head[0] = 0x81;
    head[1] = 126;
    head.writeUInt16BE(n, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = 0x81;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, payload]);
}

test('ws still exports Sender.frame as a function (src/server/text-frame.ts relies on it)', () => {
  const { Sender } = ws as unknown as { Sender?: { frame?: unknown } };
  assert.equal(typeof Sender?.frame, 'function', 'ws no longer exports Sender.frame: rewrite src/server/text-frame.ts');
});

test('buildTextFrame gives RFC 6455 text frames for every length form, without touching the payload', () => {
  for (const n of [0, 1, 125, 126, 65535, 65536, 70_000]) {
    const payload = Buffer.alloc(n, 'x');
    const copy = Buffer.from(payload);
    assert.ok(buildTextFrame(payload).equals(rfc6455TextFrame(payload)), `length ${n}`);
    assert.ok(payload.equals(copy), `payload of length ${n} left as it was`);
  }
  const json = Buffer.from(JSON.stringify({ type: 'event', payload: { seq: 1, path: 'é' } }));
  assert.ok(buildTextFrame(json).equals(rfc6455TextFrame(json)));
});
