import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection } from '../../../src/server/index.js';
import { mintToken, rawConnect, startGuard, waitFor } from '../helpers.js';

async function flood(conn: Connection, send: (c: Connection, i: number) => boolean): Promise<{ sent: number; maxBuffered: number }> {
  let sent = 0;
  let maxBuffered = 0;
  for (let batch = 0; batch < 2000; batch++) {
    for (let i = 0; i < 10; i++) {
      if (!send(conn, sent)) return { sent, maxBuffered };
      sent++;
      maxBuffered = Math.max(maxBuffered, conn.bufferedAmount);
    }
    await new Promise((r) => setImmediate(r));
  }
  return { sent, maxBuffered };
}

for (const via of ['sendRaw', 'send'] as const) {
  test(`backpressure (${via}): a client that stops reading is cut off at the high-water mark, never buffered without bound`, async (t) => {
    const hwm = 256 * 1024;
    const h = await startGuard({ sendHighWaterMark: hwm, closeGraceMs: 300, heartbeatMs: 60_000 });
    t.after(() => h.close());
    const opened = new Promise<Connection>((resolve) => h.guard.on('connection', resolve));
    const raw = await rawConnect(h.port, { headers: { Authorization: `Bearer ${await mintToken()}` }, read: false });
    assert.equal(raw.status, 101);
    const conn = await opened;
    const chunk = JSON.stringify({ type: 'event', payload: { channel: 'files:acme', seq: 1, kind: 'file_upload', path: 'x'.repeat(16 * 1024), by: 'u', at: '' } });
    const result = await flood(conn, (c, i) =>
      via === 'sendRaw'
        ? c.sendRaw(chunk)
        : c.send({ type: 'event', payload: { channel: 'files:acme', seq: i, kind: 'file_upload', path: 'x'.repeat(16 * 1024), by: 'u', at: '' } }),
    );
    assert.ok(conn.closed, `still open after ${result.sent} sends`);
    assert.ok(result.maxBuffered <= hwm, `buffered ${result.maxBuffered} > ${hwm}`);
    assert.equal(conn.send({ type: 'pong', payload: {} }), false);
    assert.ok(h.events.some((e) => e.kind === 'slow_consumer'));
    // Terminated after the close grace period, although the client never read.
    await waitFor(() => h.guard.connections === 0, 5000, 'connection gone');
    raw.socket.resume();
    await raw.ended;
  });
}
