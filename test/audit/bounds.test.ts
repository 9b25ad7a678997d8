/**
 * The auditor against targets that try to exhaust it: an endless frame, a flood of tiny frames,
 * a header block that never ends, an answer dripped one byte at a time. Over real sockets, with
 * the check context every check uses; limits shortened so the tests are quick.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionBudget } from '../../src/audit/budget.js';
import { createContext, type AuditShared } from '../../src/audit/context.js';
import { resolveOptions, type AuditOptionsInput } from '../../src/audit/options.js';
import { FrameTooLargeError } from '../../src/audit/raw/frame-decoder.js';
import { endpointOf } from '../../src/audit/raw/target.js';
import { MemoryTrafficRecorder } from '../../src/audit/traffic.js';
import { startHostileServer, type HostileMode, type HostileServer } from '../fixtures/hostile-server.js';

const servers: HostileServer[] = [];
after(async () => { await Promise.all(servers.map((s) => s.close())); });

async function server(mode: HostileMode, opts?: { dripMs?: number }): Promise<HostileServer> {
  const s = await startHostileServer(mode, opts);
  servers.push(s);
  return s;
}

const MiB = 1024 * 1024;

function shared(url: string, input: AuditOptionsInput = {}): AuditShared {
  const target = new URL(url);
  const options = resolveOptions(target, { requestTimeoutMs: 1500, ...input });
  return {
    target, endpoint: endpointOf(target), options, budget: new ConnectionBudget(100),
    traffic: new MemoryTrafficRecorder(), memo: new Map(), throttledUntil: 0,
  };
}

function context(sh: AuditShared, id = 'WSG-TEST-01') {
  const abort = new AbortController();
  const handle = createContext(sh, id, abort.signal);
  return { ...handle, stop: () => { abort.abort(); handle.dispose(); } };
}

test('a flood of tiny frames: the ws connection is dropped at the per-connection limit', async () => {
  const s = await server('flood');
  const sh = shared(s.url, { maxConnectionBytes: 1 * MiB });
  const c = context(sh);
  try {
    const r = await c.ctx.connect();
    assert.ok(r.ok, 'the 101 is accepted');
    const closed = await r.socket.waitClose(10_000);
    assert.ok(closed, 'the auditor drops the socket instead of buffering forever');
    const kept = r.socket.messages.reduce((n, m) => n + m.length + 256, 0);
    assert.ok(kept <= 1 * MiB, `kept ${kept} bytes`);
    assert.match(sh.bytes?.hits.get('WSG-TEST-01') ?? '', /one connection/);
    assert.ok(s.sent() > kept, 'the server sent more than was kept');
  } finally {
    c.stop();
  }
});

test('a flood of tiny frames on a raw connection: dropped at the per-check limit across connections', async () => {
  const s = await server('flood');
  const sh = shared(s.url, { maxConnectionBytes: 8 * MiB, maxCheckBytes: 2 * MiB });
  const c = context(sh);
  try {
    const errors: string[] = [];
    for (let i = 0; i < 3; i++) {
      try {
        const r = await c.ctx.handshake({ raw: { keepOpen: true } });
        const conn = r.connection;
        assert.ok(conn, '101 and kept open');
        while (await conn.nextFrame(2000)) { /* drain until the auditor drops it */ }
        assert.equal(conn.closed, true);
        errors.push(conn.error?.message ?? '');
      } catch (e) {
        // Once the check is over its limit, a new connection is dropped at its first bytes.
        errors.push((e as Error).message);
      }
    }
    assert.ok(errors.some((e) => /in one check/.test(e)), errors.join(' | '));
    assert.ok((sh.bytes?.limits.perCheck ?? 0) === 2 * MiB);
  } finally {
    c.stop();
  }
  // The check ended: what it held is released for the others.
  assert.equal(sh.bytes?.held, 0);
});

test('the audit-wide limit binds two checks together', async () => {
  const s = await server('flood');
  const sh = shared(s.url, { maxConnectionBytes: 8 * MiB, maxCheckBytes: 8 * MiB, maxAuditBytes: 3 * MiB });
  const a = context(sh, 'WSG-TEST-01');
  const b = context(sh, 'WSG-TEST-02');
  try {
    const ra = await a.ctx.connect();
    const rb = await b.ctx.connect();
    assert.ok(ra.ok && rb.ok);
    await Promise.all([ra.socket.waitClose(10_000), rb.socket.waitClose(10_000)]);
    assert.ok([...(sh.bytes?.hits.values() ?? [])].some((h) => /held by the audit/.test(h)), JSON.stringify([...(sh.bytes?.hits ?? [])]));
    assert.ok((sh.bytes?.held ?? Infinity) <= 3 * MiB);
  } finally {
    a.stop();
    b.stop();
  }
});

test('an endless frame (2^62 bytes declared): refused on sight, raw and ws', async () => {
  const s = await server('endless-frame');
  const sh = shared(s.url);
  const c = context(sh);
  try {
    const r = await c.ctx.handshake({ raw: { keepOpen: true } });
    assert.ok(r.connection);
    assert.equal(await r.connection.nextFrame(3000), null);
    assert.ok(r.connection.error instanceof FrameTooLargeError, String(r.connection.error));
    const w = await c.ctx.connect();
    assert.ok(w.ok);
    // ws refuses the frame and drops the connection: that is the auditor's doing, so a check
    // waiting for the close learns the target broke the protocol instead of a close it could misread.
    await assert.rejects(w.socket.waitClose(5000), /frame the auditor had to refuse \(WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH/);
    assert.equal(w.socket.closed?.code, 1006);
    assert.equal(w.socket.messages.length, 0);
  } finally {
    c.stop();
  }
});

test('a header block that never ends: the raw reader stops at its head limit, ws at its parser limit', async () => {
  const s = await server('huge-headers');
  const sh = shared(s.url);
  const c = context(sh);
  try {
    await assert.rejects(c.ctx.handshake(), /response head exceeds/);
    const w = await c.ctx.connect();
    assert.equal(w.ok, false);
    assert.ok(!w.ok && w.error, 'a one-line error, not a hang');
  } finally {
    c.stop();
  }
});

test('an answer dripped one byte at a time: every read has a deadline', async () => {
  const s = await server('drip', { dripMs: 50 });
  const sh = shared(s.url, { requestTimeoutMs: 800 });
  const c = context(sh);
  try {
    await assert.rejects(c.ctx.handshake(), /no complete HTTP response within 800 ms/);
    const w = await c.ctx.connect();
    assert.equal(w.ok, false);
  } finally {
    c.stop();
  }
});

test('the traffic record is bounded per check, so one flood cannot crowd out the rest', () => {
  const rec = new MemoryTrafficRecorder(10_000, 4_000);
  for (let i = 0; i < 1000; i++) rec.record({ checkId: 'A', kind: 'frame', direction: 'in', text: 'x'.repeat(10) });
  rec.record({ checkId: 'B', kind: 'frame', direction: 'in', text: 'seen' });
  const a = rec.entries().filter((e) => e.checkId === 'A').length;
  assert.ok(a > 0 && a < 1000, `${a} entries of A kept`);
  assert.ok(rec.entries().some((e) => e.checkId === 'B'));
});
