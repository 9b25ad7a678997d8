import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, mintToken, sleep, startGuard, waitClose } from '../helpers.js';

test('idle: no messages either way closes with 1000 idle_timeout; an active client stays', async (t) => {
  const h = await startGuard({ heartbeatMs: 100, idleTimeoutMs: 400 });
  t.after(() => h.close());
  const idle = await connect(h, { token: await mintToken({ sub: 'idle' }) });
  const active = await connect(h, { token: await mintToken({ sub: 'active' }) });
  const closed = waitClose(idle);
  const timer = setInterval(() => active.send('{"type":"ping"}'), 100);
  t.after(() => clearInterval(timer));
  assert.deepEqual(await closed, { code: 1000, reason: 'idle_timeout' });
  await sleep(300);
  assert.equal(active.readyState, active.OPEN);
  active.close();
});
