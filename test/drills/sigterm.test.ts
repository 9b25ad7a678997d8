/**
 * SIGTERM under load, against the real `wsguard serve`: every client gets 1001, the process exits
 * 0, every acknowledged event is in the log, and subscribers that resume after a restart get
 * every event exactly once, in order.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { signToken } from '../../src/auth/sign.js';
import { SqliteEventStore } from '../../src/store/sqlite.js';
import type { ServerMessage } from '../../src/protocol/index.js';
import { spawnCli, waitForOutput, type Cli } from '../cli/support.js';
import { attempt } from './lib/clients.js';
import { loggedSeqs, range } from './lib/load.js';

const SECRET = randomBytes(32).toString('base64url');
const CHANNEL = 'files:acme';
const PUBLISHERS = 4;
const SUBSCRIBERS = 12;
const dir = mkdtempSync(join(tmpdir(), 'wsguard-sigterm-'));
const clis: Cli[] = [];
after(() => {
  for (const c of clis) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function serve(): Promise<{ cli: Cli; wsUrl: string }> {
  const cli = spawnCli(['serve'], { WSGUARD_PORT: '0', WSGUARD_LOG_LEVEL: 'warn', WSGUARD_JWT_SECRET: SECRET, WSGUARD_DB: join(dir, 'events.db') });
  clis.push(cli);
  const m = await waitForOutput(cli, /WebSocket (ws:\/\/[^\s,]+)/);
  return { cli, wsUrl: m[1]! };
}

const tokenFor = (sub: string) => signToken({ secret: SECRET, sub, perms: { subscribe: [CHANNEL], publish: [CHANNEL] }, ttlSec: 600 });

async function connect(wsUrl: string, sub: string): Promise<WebSocket> {
  const a = await attempt(wsUrl, await tokenFor(sub));
  if (!a.ok) throw new Error(`${sub}: refused ${a.status ?? a.error}`);
  a.ws.on('error', () => undefined);
  return a.ws;
}

function onMessage(ws: WebSocket, fn: (m: ServerMessage) => void): void {
  ws.on('message', (d) => fn(JSON.parse(String(d)) as ServerMessage));
}

test(`SIGTERM under load (${PUBLISHERS} publishers, ${SUBSCRIBERS} subscribers): 1001 to all, nothing acknowledged lost`, async (t) => {
  const first = await serve();
  const subscribers = await Promise.all(range(1, SUBSCRIBERS).map((i) => connect(first.wsUrl, `sub-${i}`)));
  const seen = subscribers.map(() => [] as number[]);
  subscribers.forEach((ws, i) => {
    onMessage(ws, (m) => m.type === 'event' && seen[i]!.push(m.payload.seq));
    ws.send(JSON.stringify({ type: 'subscribe', id: 's', payload: { channel: CHANNEL } }));
  });
  const publishers = await Promise.all(range(1, PUBLISHERS).map((i) => connect(first.wsUrl, `pub-${i}`)));
  const acked: number[] = [];
  let sent = 0;
  for (const ws of publishers) onMessage(ws, (m) => m.type === 'ack' && m.payload.seq !== undefined && acked.push(m.payload.seq));
  const everyone = [...subscribers, ...publishers];
  const closes = everyone.map((ws) => new Promise<string>((resolve) => ws.once('close', (code, reason) => resolve(`${code} ${reason.toString()}`))));

  // Each publisher keeps a few publishes in flight, within the default message rate (20/s).
  const pump = setInterval(() => {
    for (const ws of publishers) {
      if (ws.readyState !== ws.OPEN || sent - acked.length >= 4 * PUBLISHERS) continue;
      ws.send(JSON.stringify({ type: 'file_upload', id: `p${sent}`, payload: { channel: CHANNEL, path: `k/${sent++}.bin`, size: 1, mime: 'application/octet-stream', sha256: 'b'.repeat(64) } }));
    }
  }, 100);
  const deadline = Date.now() + 20_000;
  while (acked.length < 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  first.cli.child.kill('SIGTERM'); // mid-stream: publishes are in flight
  const codes = await Promise.all(closes.map((c) => Promise.race([c, new Promise<string>((r) => setTimeout(() => r('no close within 15 s'), 15_000))])));
  clearInterval(pump);
  assert.equal(await first.cli.exited, 0, first.cli.stderr);
  assert.ok(acked.length >= 100, `acked ${acked.length}`);
  assert.deepEqual([...new Set(codes)], ['1001 shutdown'], 'every client got 1001');

  // The log holds every acknowledged seq, gap-free from 1 (a few unacknowledged commits may follow).
  const store = new SqliteEventStore({ path: join(dir, 'events.db') });
  const logged = await loggedSeqs(store, CHANNEL);
  await store.close();
  assert.deepEqual(logged, range(1, logged.length));
  for (const s of acked) assert.ok(logged.includes(s), `acked seq ${s} missing from the log`);
  for (const s of seen) assert.deepEqual(s, range(1, s.length), 'live delivery before the shutdown was in order, without gap or repeat');

  // Subscribers resume on a restarted hub from their last seq and end up with the whole log once.
  const second = await serve();
  await Promise.all(subscribers.map(async (_, i) => {
    const ws = await connect(second.wsUrl, `sub-${i + 1}`);
    onMessage(ws, (m) => m.type === 'event' && seen[i]!.push(m.payload.seq));
    ws.send(JSON.stringify({ type: 'subscribe', id: 's', payload: { channel: CHANNEL, since: seen[i]!.at(-1) ?? 0 } }));
    const until = Date.now() + 10_000;
    while (seen[i]!.length < logged.length && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    ws.close();
  }));
  for (const s of seen) assert.deepEqual(s, logged, 'after resuming: every event exactly once, in order');
  second.cli.child.kill('SIGTERM');
  assert.equal(await second.cli.exited, 0);
  t.diagnostic(`${acked.length} acknowledged, ${logged.length} in the log, ${sent} sent; ${everyone.length} clients closed 1001`);
});
