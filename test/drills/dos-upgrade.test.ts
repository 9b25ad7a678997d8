/**
 * DoS drills on the upgrade path: slowloris, a connection flood from one address, a header flood.
 * Each has one pass condition; everything is bounded and talks to 127.0.0.x only.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { ALICE, removeDir, startTestHub, token, type TestHub } from '../hub/support.js';
import { attempt, metric, pingPong } from './lib/clients.js';

const hubs: TestHub[] = [];
const sockets: net.Socket[] = [];
after(async () => {
  for (const s of sockets) s.destroy();
  for (const h of hubs) {
    await h.close(1_000);
    removeDir(h.dir);
  }
});

async function hub(guard: Parameters<typeof startTestHub>[1] = {}): Promise<TestHub> {
  const h = await startTestHub({}, guard);
  hubs.push(h);
  return h;
}

function connectRaw(port: number, localAddress = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress }, () => resolve(s));
    s.once('error', reject);
    sockets.push(s);
  });
}

test('slowloris: 300 sockets dribbling upgrade headers do not keep a legitimate client out', async () => {
  const h = await hub();
  const request = Buffer.from(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` + 'X-Slow: '.padEnd(400, 'a'));
  // Spread over 127.0.0.10-12 so the per-IP cap is not what saves the legitimate client.
  const slow = await Promise.all(Array.from({ length: 300 }, (_, i) => connectRaw(h.port, `127.0.0.${10 + (i % 3)}`)));
  let stop = false;
  const dribble = (async () => {
    // One byte per socket every 50 ms, for at most 200 rounds (10 s): the head is never finished.
    for (let i = 0; i < 200 && !stop; i++) {
      for (const s of slow) if (!s.destroyed) s.write(request.subarray(i, i + 1));
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await new Promise((r) => setTimeout(r, 500)); // the attack is under way
  const legit = await attempt(h.wsUrl, await token('alice', ALICE), { timeoutMs: 10_000 });
  stop = true;
  await dribble;
  assert.ok(legit.ok, `legitimate client refused: ${JSON.stringify(legit)}`);
  assert.equal(await pingPong(legit.ws), true, 'and served');
  legit.ws.terminate();
  const open = slow.filter((s) => !s.destroyed).length;
  for (const s of slow) s.destroy();
  assert.ok(open > 0, 'the slow sockets were still connected while the client got in (the drill really overlapped)');
});

test('connection flood from one address: the per-IP cap (50) stops it while other addresses still connect', async () => {
  // Handshake rate lifted so that the cap, not the rate limit, is what is measured here.
  const h = await hub({ guard: { handshakeRate: { perSec: 10_000, burst: 10_000 } } });
  const tokens = await Promise.all(Array.from({ length: 80 }, (_, i) => token(`user-${i}`, ALICE)));
  const results = [];
  for (let i = 0; i < 80; i += 20) results.push(...(await Promise.all(tokens.slice(i, i + 20).map((t) => attempt(h.wsUrl, t, { localAddress: '127.0.0.2' })))));
  const accepted = results.filter((r) => r.ok);
  const refused = results.filter((r): r is Extract<typeof r, { ok: false }> => !r.ok);
  assert.equal(accepted.length, 50, 'exactly the per-IP cap is admitted');
  assert.deepEqual([...new Set(refused.map((r) => r.status))], [429], 'the rest get a plain 429 before any upgrade');
  const others = await Promise.all(['127.0.0.3', '127.0.0.4'].map(async (addr, i) => attempt(h.wsUrl, await token(`other-${i}`, ALICE), { localAddress: addr })));
  assert.ok(others.every((r) => r.ok), 'other addresses still connect');
  const metrics = await h.guard.registry.metrics();
  assert.equal(metric(metrics, 'wsguard_handshakes_total', 'outcome="cap_ip"'), 30);
  for (const r of [...accepted, ...others]) if (r.ok) r.ws.terminate();
});

test('connection flood with default settings: the handshake rate limit answers 429 first, others unaffected', async () => {
  const h = await hub();
  const tokens = await Promise.all(Array.from({ length: 60 }, (_, i) => token(`burst-${i}`, ALICE)));
  const t0 = Date.now();
  const results = await Promise.all(tokens.map((t) => attempt(h.wsUrl, t, { localAddress: '127.0.0.5' })));
  const accepted = results.filter((r) => r.ok).length;
  // The default bucket: burst 20, refilled at 5/s while the flood lasted (however slow the machine).
  const allowed = 20 + Math.ceil(((Date.now() - t0) / 1000) * 5);
  assert.ok(accepted <= allowed && accepted < 60, `at most the burst plus refill (${allowed}) got in: ${accepted}`);
  assert.ok(results.every((r) => r.ok || r.status === 429), 'every refusal is a 429');
  const other = await attempt(h.wsUrl, await token('other', ALICE), { localAddress: '127.0.0.6' });
  assert.ok(other.ok, 'another address connects');
  for (const r of [...results, other]) if (r.ok) r.ws.terminate();
});

test('header flood on the upgrade: oversized and too many headers are refused (431), the hub stays up', async () => {
  const h = await hub();
  const head = `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n`;
  const variants = {
    'one 32 KiB header': `${head}X-Big: ${'a'.repeat(32 * 1024)}\r\n\r\n`,
    '4,000 small headers': `${head}${Array.from({ length: 4000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`,
    'endless header stream': `${head}${'X-A: b\r\n'.repeat(40_000)}`,
  };
  const statuses: Record<string, string> = {};
  // Node counts only name and value bytes against maxHeaderSize (16 KiB), so 2,000 tiny headers
  // (23 KiB on the wire) still pass and are truncated to maxHeadersCount; 4,000 do not.
  // 20 concurrent attackers per variant.
  await Promise.all(Object.entries(variants).flatMap(([name, bytes]) => Array.from({ length: 20 }, async () => {
    const s = await connectRaw(h.port);
    const answer = await new Promise<string>((resolve) => {
      let got = '';
      const timer = setTimeout(() => resolve(got || 'timeout'), 10_000);
      s.on('data', (d: Buffer) => (got += d.toString('latin1')));
      s.once('close', () => {
        clearTimeout(timer);
        resolve(got || 'closed without answer');
      });
      s.on('error', () => undefined);
      s.write(bytes);
    });
    s.destroy();
    statuses[name] = answer.split('\r\n')[0] ?? '';
  })));
  for (const [name, status] of Object.entries(statuses)) assert.match(status, /^HTTP\/1\.1 (431|400) /, `${name}: ${status}`);
  const legit = await attempt(h.wsUrl, await token('alice', ALICE));
  assert.ok(legit.ok && (await pingPong(legit.ws)), 'the hub still serves');
  if (legit.ok) legit.ws.terminate();
});
