/**
 * The per-identity publish budget (WSGUARD_PUBLISH_RATE_PER_USER) over real sockets and HTTP: one
 * account's connections and HTTP publishes share it (before, each of its sockets had its own budget,
 * so 10 sockets wrote 10 times the rate into the log), and another account is not affected.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseValues } from '../../src/config/index.js';
import { startTestHub, removeDir, TestClient, token, upload, ALICE } from './support.js';

test('one identity: its sockets and HTTP share one publish budget; past it rate_limited / 429, nothing stored; another identity still publishes', async (t) => {
  const perSec = parseValues({ WSGUARD_PUBLISH_RATE_PER_USER: '1' }).publishRatePerUser!;
  const h = await startTestHub({ publishRatePerUser: perSec }); // burst 2
  t.after(async () => {
    await h.close(1000);
    removeDir(h.dir);
  });
  const bearer = await token('mallory', ALICE);
  const a = await TestClient.connect(h, bearer);
  const b = await TestClient.connect(h, bearer);
  t.after(() => {
    a.close();
    b.close();
  });
  assert.equal((await a.request('file_upload', upload('files:acme', 'a1.pdf'))).type, 'ack');
  assert.equal((await b.request('file_upload', upload('files:acme', 'b1.pdf'))).type, 'ack');
  const over = await a.request('file_upload', upload('files:acme', 'a2.pdf'));
  assert.equal(over.type === 'error' && over.payload.code, 'rate_limited', JSON.stringify(over));
  const http = await fetch(h.url + '/api/channels/files%3Aacme/events', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` }, body: JSON.stringify({ type: 'file_upload', payload: upload('files:acme', 'h1.pdf') }) });
  assert.equal(http.status, 429);
  const other = await TestClient.connect(h, await token('alice', ALICE));
  t.after(() => other.close());
  const ok = await other.request('file_upload', upload('files:acme', 'o1.pdf'));
  assert.equal(ok.type === 'ack' && ok.payload.seq, 3, 'the refused publishes stored nothing and used no seq');
});
