/** The input log's words and frame tracking (src/audit/inputs.ts); the real-socket attribution is in liveness.test.ts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeFrame, describeHandshakeDiff, InputLog, OutgoingFrames, trimOws, type SentFrame } from '../../src/audit/inputs.js';
import { buildHandshakeRequest } from '../../src/audit/raw/handshake.js';
import { encodeFrame, Opcode } from '../../src/audit/raw/frame-encoder.js';

test('outgoing frames: headers split across writes, payloads in any chunks, masked prefix decoded', () => {
  const seen: SentFrame[] = [];
  const t = new OutgoingFrames((f) => seen.push(f));
  const a = encodeFrame({ opcode: Opcode.PING, payload: Buffer.alloc(126, 0x61) });
  const b = encodeFrame({ opcode: Opcode.CLOSE, payload: Buffer.from([0x03, 0xe7]) });
  const all = Buffer.concat([a, b, encodeFrame({ opcode: Opcode.TEXT, payload: 'hello', mask: false })]);
  // One byte at a time: every header is split.
  for (let i = 0; i < all.length; i++) t.push(all.subarray(i, i + 1));
  assert.deepEqual(seen.map((f) => [f.opcode, f.length, f.masked]), [[9, 126, true], [8, 2, true], [1, 5, false]]);
  assert.match(describeFrame(seen[0]!), /^ping frame \(opcode 0x9\), 126 bytes.*over the 125-byte limit for control frames$/);
  // The first bytes came one per write: the prefix holds what the header's write carried (none).
  const whole: SentFrame[] = [];
  new OutgoingFrames((f) => whole.push(f)).push(all);
  assert.equal(describeFrame(whole[1]!), 'close frame (opcode 0x8), 2 bytes code 999');
  assert.equal(describeFrame(whole[2]!), 'text frame (opcode 0x1), 5 bytes "hello": unmasked (clients must mask)');
});

test('a handshake in words names only what differs from the baseline request', () => {
  const base = { path: '/chat', host: '127.0.0.1:1', key: 'd3NndWFyZC1kZXNjcmliZQ==', headers: [['Cookie', 'session=a']] as Array<[string, string]> };
  const baseline = buildHandshakeRequest({ ...base, layout: 'browser' });
  assert.equal(describeHandshakeDiff(buildHandshakeRequest({ ...base, version: '1337' }), baseline), 'handshake GET /chat HTTP/1.1 with Sec-WebSocket-Version: 1337');
  assert.equal(describeHandshakeDiff(buildHandshakeRequest({ ...base, omit: ['upgrade'], headers: [...base.headers, ['Sec-WebSocket-Key1', '4 @1  46546xW%0l 1 5']] }), baseline), 'handshake GET /chat HTTP/1.1 with Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5; without Upgrade');
  assert.equal(describeHandshakeDiff(baseline, baseline), 'handshake GET /chat HTTP/1.1 (as the baseline)');
  // Never "as the baseline" when the target cannot answer it as it answers the baseline (a stall claim rests on that).
  assert.equal(describeHandshakeDiff(buildHandshakeRequest({ ...base, version: '13\r' }), baseline), 'handshake GET /chat HTTP/1.1 with Sec-WebSocket-Version: "13\\r"');
  assert.equal(describeHandshakeDiff(Buffer.concat([baseline, Buffer.from('^n:ds[4U')]), baseline), 'handshake GET /chat HTTP/1.1 with 8 bytes after the head');
  assert.equal(describeHandshakeDiff(baseline.subarray(0, baseline.length - 2), baseline), 'handshake GET /chat HTTP/1.1 left unfinished (no blank line ends the head)');
  assert.equal(describeHandshakeDiff(buildHandshakeRequest({ ...base, version: null }), baseline), 'handshake GET /chat HTTP/1.1 without Sec-WebSocket-Version');
});

test('the input named: the earliest unanswered, unless something sent clearly later was answered; probes never', async () => {
  const log = new InputLog();
  const answered = (v: boolean) => () => v;
  log.add({ checkId: 'C', what: 'old unanswered text', probe: false, answered: answered(false) });
  await new Promise((r) => setTimeout(r, 60));
  log.add({ checkId: 'C', what: 'answered later', probe: false, answered: answered(true) });
  await new Promise((r) => setTimeout(r, 60));
  log.add({ checkId: 'C', what: 'the killer', probe: false, answered: answered(false) });
  log.add({ checkId: 'C', what: 'nonce ping', probe: true, answered: answered(false) });
  log.add({ checkId: 'C', what: 'sent after', probe: false, answered: answered(false) });
  assert.equal(log.trigger('C'), 'the first input it got no answer to: the killer (then 1 more unanswered input); just before it, answered: answered later');
  // Answered and then dead (sockjs): the input before the first unanswered one is named too, unless an ordinary handshake.
  const seq = new InputLog();
  seq.add({ checkId: 'S', what: 'handshake GET /ws HTTP/1.1 (as the baseline)', probe: false, answered: answered(true) });
  seq.add({ checkId: 'S', what: 'handshake GET /ws HTTP/1.1 with Sec-WebSocket-Version: 8', probe: false, answered: answered(false) });
  assert.equal(seq.trigger('S'), 'the first input it got no answer to: handshake GET /ws HTTP/1.1 with Sec-WebSocket-Version: 8');
  // ws 1.x: the fatal ping is answered (close 1002), then the process throws; the next ordinary handshake gets no answer.
  seq.add({ checkId: 'W', what: 'handshake GET /ws HTTP/1.1 (as the baseline)', probe: false, answered: answered(true) });
  seq.add({ checkId: 'W', what: 'ping frame (opcode 0x9), 126 bytes', probe: false, answered: answered(true) });
  seq.add({ checkId: 'W', what: 'handshake GET /ws HTTP/1.1 (as the baseline)', probe: false, answered: answered(false) });
  assert.equal(seq.trigger('W'), 'its last input: ping frame (opcode 0x9), 126 bytes');
  seq.add({ checkId: 'T', what: 'handshake GET /ws HTTP/1.1 without Sec-WebSocket-Version', probe: false, answered: answered(true) });
  seq.add({ checkId: 'T', what: 'handshake GET /ws HTTP/1.1 with Sec-WebSocket-Version: 8', probe: false, answered: answered(false) });
  assert.equal(seq.trigger('T'), 'the first input it got no answer to: handshake GET /ws HTTP/1.1 with Sec-WebSocket-Version: 8; just before it, answered: handshake GET /ws HTTP/1.1 without Sec-WebSocket-Version');
  const all = new InputLog();
  all.add({ checkId: 'D', what: 'a', probe: false, answered: answered(true) });
  all.add({ checkId: 'D', what: 'b', probe: false, answered: answered(true) });
  assert.equal(all.trigger('D'), 'its last input: b');
  assert.equal(all.trigger('E'), undefined);
});

test('trimOws: spaces and tabs only, and linear on a long run of spaces (FINGER-03\'s 14 000-space header once took 160 ms to describe)', () => {
  assert.equal(trimOws(' \t13\r \t'), '13\r');
  const long = `b${' '.repeat(200_000)}x`;
  // Counted, not timed: the result is the input itself, and a quadratic scan of 200 000 spaces would not finish in the test's time.
  assert.equal(trimOws(` ${long} `), long);
});
