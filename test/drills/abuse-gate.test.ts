/**
 * Abuse drills at the handshake gate: a refusal flood must not turn into a log flood (one line per
 * source and reason per interval, metrics count every one), the per-IP rate check comes first so
 * a flood is cheap, and a failed-auth flood cannot lock out a valid user behind the same address.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { pino } from 'pino';
import { ALICE, BOB, removeDir, startTestHub, token } from '../hub/support.js';
import { attempt, metric } from './lib/clients.js';

/** One raw upgrade request; resolves with the HTTP status. */
function upgrade(port: number, path: string, localAddress = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, localAddress, headers: { Connection: 'Upgrade', Upgrade: 'websocket' } });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 101);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

test('a bad-path flood: the rate check answers first, the log holds one line per source and reason (plus one summary with the count), metrics count all', async () => {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
  const hub = await startTestHub({ logAggregateMs: 60_000 }, { logger });
  const port = hub.port;
  const N = 300;
  const statuses: number[] = [];
  for (let i = 0; i < N; i += 50) statuses.push(...(await Promise.all(Array.from({ length: Math.min(50, N - i) }, () => upgrade(port, '/nope')))));
  const metrics = await hub.guard.registry.metrics();
  await hub.close(1_000);
  removeDir(hub.dir);

  const badPath = statuses.filter((s) => s === 400).length;
  const limited = statuses.filter((s) => s === 429).length;
  assert.equal(badPath + limited, N);
  assert.ok(limited >= N - 40, `past the burst the rate check answers, before the path is even looked at (${limited} × 429)`);
  assert.equal(metric(metrics, 'wsguard_handshakes_total', 'outcome="bad_path"'), badPath, 'metrics count every refusal');
  assert.equal(metric(metrics, 'wsguard_handshakes_total', 'outcome="handshake_rate"'), limited);

  const security = lines.map((l) => JSON.parse(l) as { msg: string; security?: { reason?: string }; repeated?: number }).filter((l) => l.security);
  assert.ok(security.length <= 4, `at most two lines per reason (first + repeated): ${security.length} lines`);
  const counted = (reason: string) => security.filter((l) => l.security!.reason === reason).reduce((n, l) => n + (l.repeated ?? 1), 0);
  assert.equal(counted('bad_path'), badPath, 'the summary line carries the count');
  assert.equal(counted('handshake_rate'), limited);
});

test('failed-auth flood from one address: failures get 429, a valid user behind the same address still gets in', async () => {
  const hub = await startTestHub({}, { guard: { authFailures: { perMin: 1, burst: 5 }, handshakeRate: { perSec: 100, burst: 100 } } });
  try {
    const shared = '127.0.0.2'; // one NAT address for the attacker and the bystander
    const statuses: (number | undefined)[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await attempt(hub.wsUrl, 'not.a.token', { localAddress: shared });
      statuses.push(r.ok ? 101 : r.status);
    }
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.deepEqual(new Set(statuses.slice(5)), new Set([429]), 'throttled: failures are answered 429');
    const bystander = await attempt(hub.wsUrl, await token('alice', ALICE), { localAddress: shared });
    assert.equal(bystander.ok, true, 'a valid credential from the throttled address is admitted');
    if (bystander.ok) {
      // Its session can still be extended (auth.refresh), while a bad refresh from it is throttled.
      const answer = (msg: object) => new Promise<string>((resolve) => {
        bystander.ws.once('message', (d) => {
          const m = JSON.parse(String(d)) as { type: string; payload: { code?: string } };
          resolve(m.type === 'error' ? m.payload.code! : m.type);
        });
        bystander.ws.send(JSON.stringify(msg));
      });
      assert.equal(await answer({ type: 'auth.refresh', id: 'r1', payload: { token: await token('alice', ALICE) } }), 'ack');
      assert.equal(await answer({ type: 'auth.refresh', id: 'r2', payload: { token: 'not.a.token' } }), 'rate_limited');
      bystander.ws.terminate();
    }
    const again = await attempt(hub.wsUrl, 'not.a.token', { localAddress: shared });
    assert.equal(again.ok ? 101 : again.status, 429, 'and failures stay throttled');
    const elsewhere = await attempt(hub.wsUrl, await token('bob', BOB), { localAddress: '127.0.0.3' });
    assert.equal(elsewhere.ok, true);
    if (elsewhere.ok) elsewhere.ws.terminate();
  } finally {
    await hub.close(1_000);
    removeDir(hub.dir);
  }
});
