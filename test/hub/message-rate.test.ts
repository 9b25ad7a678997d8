/**
 * WSGUARD_MESSAGE_RATE, through the config layer to the guard's per-connection messageRate, over a
 * real socket. Raising WSGUARD_PUBLISH_RATE_PER_USER alone used to leave the per-connection budget at
 * 20/s, burst 40: a serial loop of publishes was refused `rate_limited` at #41 whatever the key said.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { parseValues } from '../../src/config/index.js';
import { startTestHub, removeDir, TestClient, token, upload, ALICE } from './support.js';

/** Publishes `n` uploads one after the other on one connection: the answer types, in order. */
async function serialLoop(t: TestContext, env: Record<string, string>, n: number): Promise<string[]> {
  const config = parseValues(env);
  const h = await startTestHub({ messageRate: config.messageRate!, publishRatePerUser: config.publishRatePerUser! });
  t.after(async () => {
    await h.close(1000);
    removeDir(h.dir);
  });
  const c = await TestClient.connect(h, await token('loop', ALICE));
  t.after(() => c.close());
  const answers: string[] = [];
  for (let i = 0; i < n; i++) {
    const m = await c.request('file_upload', upload('files:acme', `loop/${i}.pdf`));
    answers.push(m.type === 'error' ? m.payload.code : m.type);
    if (m.type === 'error') break;
  }
  return answers;
}

test('defaults (20/s, burst 40 per connection): a fast serial loop is refused rate_limited past #40, even with the per-user publish rate raised', async (t) => {
  const answers = await serialLoop(t, { WSGUARD_PUBLISH_RATE_PER_USER: '100000' }, 60);
  // The burst, plus what refilled while the loop ran (each publish waits for its commit).
  assert.ok(answers.length > 40 && answers.length < 60, `refused at #${answers.length}`);
  assert.equal(answers.at(-1), 'rate_limited');
});

test('WSGUARD_MESSAGE_RATE raised (with the per-user publish rate): 60 serial publishes are all acked', async (t) => {
  const answers = await serialLoop(t, { WSGUARD_MESSAGE_RATE: '1000', WSGUARD_PUBLISH_RATE_PER_USER: '1000' }, 60);
  assert.deepEqual(answers, Array.from({ length: 60 }, () => 'ack'));
});

test('WSGUARD_MESSAGE_RATE: digits of at least 1, else the config is refused', () => {
  for (const bad of ['0', '1e3', '-5', 'fast']) assert.throws(() => parseValues({ WSGUARD_MESSAGE_RATE: bad }), /WSGUARD_MESSAGE_RATE/);
});
