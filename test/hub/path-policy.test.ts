/**
 * The path policy and the lone-surrogate rule, attacked over a real socket and over HTTP: every
 * Windows/display trick is refused with invalid_message and nothing is stored or fanned out.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, removeDir, TestClient, token, upload, ALICE, READER, type TestHub } from './support.js';

let hub: TestHub;

/**
 * Sends a request and returns the error or ack answering it. A frame refused by the bounded JSON
 * parser (a lone surrogate) is answered without the id (the envelope was never read): the next
 * id-less error is the answer then.
 */
async function answer(c: TestClient, type: string, payload: object): Promise<{ type: string; code?: string }> {
  const before = c.inbox.length;
  const id = `q-${Math.random().toString(36).slice(2)}`;
  c.ws.send(JSON.stringify({ type, id, payload }));
  const pick = () => c.inbox.slice(before).find((m) => ('id' in m && m.id === id) || (m.type === 'error' && !('id' in m && m.id !== undefined)));
  await c.until(() => pick() !== undefined);
  const m = pick()!;
  return m.type === 'error' ? { type: 'error', code: m.payload.code } : { type: m.type };
}
before(async () => {
  hub = await startTestHub({}, { guard: { messageRate: { perSec: 100, burst: 200 }, violations: { threshold: 100, windowMs: 60_000 } } });
});
after(async () => {
  await hub.close(1000);
  removeDir(hub.dir);
});

const BAD = ['..\\..\\x', 'C:\\Users\\x', 'C:/Users/x', '\\\\server\\share\\x', 'name::$DATA', 'CON', 'dir/NUL.txt', 'COM1', 'con .txt', 'CON  .txt', 'x/con .txt', 'CLOCK$', 'a.', 'a ', 'report\u202efdp.exe', 'a\u2066b', 'a\u2028b', 'a\u2029b', 'a\ud800b', 'a\udc00'];

test('each refused path is answered invalid_message over WebSocket and 400 over HTTP; none is stored or delivered', async () => {
  const reader = await TestClient.connect(hub, await token('reader', READER));
  assert.equal((await reader.request('subscribe', { channel: 'files:acme' })).type, 'subscribed');
  const alice = await token('alice', ALICE);
  const pub = await TestClient.connect(hub, alice);
  for (const path of BAD) {
    assert.deepEqual(await answer(pub, 'file_upload', upload('files:acme', path)), { type: 'error', code: 'invalid_message' }, JSON.stringify(path));
    assert.deepEqual(await answer(pub, 'file_delete', { channel: 'files:acme', path }), { type: 'error', code: 'invalid_message' }, JSON.stringify(path));
    const http = await fetch(hub.url + '/api/channels/files%3Aacme/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${alice}` },
      body: JSON.stringify({ type: 'file_upload', payload: upload('files:acme', path) }),
    });
    assert.equal(http.status, 400, JSON.stringify(path));
  }
  const ok = await pub.request('file_upload', upload('files:acme', 'fine/report.pdf'));
  assert.equal(ok.type, 'ack');
  await reader.until(() => reader.events().length === 1);
  const delivered = reader.inbox.filter((m) => m.type === 'event');
  assert.equal(delivered.length, 1);
  assert.equal(delivered[0]!.type === 'event' && delivered[0]!.payload.path, 'fine/report.pdf');
  assert.equal(delivered[0]!.type === 'event' && delivered[0]!.payload.seq, 1, 'no refused path used up a seq');
  reader.close();
  pub.close();
});

test('a lone surrogate anywhere in a message (not only the path) is refused', async () => {
  const pub = await TestClient.connect(hub, await token('alice', ALICE));
  assert.deepEqual(await answer(pub, 'file_upload', { ...upload('files:acme', 'ok.pdf'), mime: 'application/pdf\ud800' }), { type: 'error', code: 'invalid_message' });
  assert.deepEqual(await answer(pub, 'ping', { 'k\udfff': 1 }), { type: 'error', code: 'invalid_message' });
  assert.deepEqual(await answer(pub, 'ping', {}), { type: 'pong' });
  pub.close();
});
