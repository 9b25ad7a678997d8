/**
 * DoS drill: a thousand slow consumers (sockets that subscribe to a busy channel and never read)
 * are closed with 1013 while the hub's memory stays bounded, and a normal subscriber on the same
 * channel keeps receiving. The hub runs in a child process so its memory is its own; the
 * consumers are a Python helper (lib/slow_consumers.py says why).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startHubProcess, type HubProcess, type MemorySample } from './lib/hub-process.js';
import { attempt, metric } from './lib/clients.js';

const CONSUMERS = 1_000;
/** Lowered from the 1 MiB default so that the drill fills 1,000 buffers with a few hundred events; same mechanism. */
const HWM = 64 * 1024;
const CHANNEL = 'files:busy';
const PERMS = { subscribe: [CHANNEL], publish: [CHANNEL] };
const HELPER = fileURLToPath(new URL('./lib/slow_consumers.py', import.meta.url));
const hasPython = spawnSync('python3', ['--version']).status === 0;

let hub: HubProcess | undefined;
let helper: ChildProcessWithoutNullStreams | undefined;
after(async () => {
  helper?.kill('SIGKILL');
  await hub?.stop();
});

/** Waits (bounded) for the helper to print a line matching `re`. */
function line(child: ChildProcessWithoutNullStreams, out: { text: string }, re: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`helper: no ${re} within ${timeoutMs} ms; got ${out.text.slice(-300)}`)), timeoutMs);
    const check = () => {
      const m = out.text.match(re);
      if (!m) return;
      clearTimeout(timer);
      child.stdout.off('data', check);
      resolve(m[0]);
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => code !== 0 && reject(new Error(`helper exited ${code}: ${out.text.slice(-300)}`)));
    check();
  });
}

test(`${CONSUMERS} slow consumers on a busy channel are closed 1013; hub memory stays bounded`, { skip: hasPython ? false : 'python3 not found (needed for TCP_MAXSEG on the consumer sockets)' }, async () => {
  hub = await startHubProcess({
    guard: {
      sendHighWaterMark: HWM,
      // Long enough that the 1013 close frame is still queued when the consumers finally read.
      closeGraceMs: 60_000,
      handshakeRate: { perSec: 100_000, burst: 100_000 },
      caps: { global: 10_000, perIp: 2_000, perUser: 2_000, tcpPerIp: 2_000 },
      messageRate: { perSec: 100_000, burst: 100_000 },
    },
  });
  const h = hub;
  const baseline = await h.memory();
  const token = await h.token('consumer', PERMS);
  const child = (helper = spawn('python3', [HELPER, String(h.port), token, CHANNEL, String(CONSUMERS)]));
  const out = { text: '' };
  child.stdout.on('data', (d: Buffer) => (out.text += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.text += d.toString()));
  await line(child, out, /^ready$/m, 60_000);

  // A normal subscriber that reads everything, and publishers (several, so SQLite group-commits their appends).
  const reader = await attempt(h.wsUrl, token);
  const publishers = await Promise.all(Array.from({ length: 8 }, () => attempt(h.wsUrl, token)));
  assert.ok(reader.ok);
  let readerEvents = 0;
  reader.ws.on('message', (d) => (readerEvents += String(d).startsWith('{"type":"event"') ? 1 : 0));
  reader.ws.send(JSON.stringify({ type: 'subscribe', id: 's', payload: { channel: CHANNEL } }));
  let acked = 0;
  for (const p of publishers) {
    assert.ok(p.ok);
    p.ws.on('message', (d) => (acked += String(d).startsWith('{"type":"ack"') ? 1 : 0));
  }

  // Publish ~1 KiB events until the hub has closed every slow consumer (bounded: 4,000 events, 60 s).
  const event = JSON.stringify({ type: 'file_upload', payload: { channel: CHANNEL, path: `big/${'p'.repeat(900)}.bin`, size: 1, mime: 'application/octet-stream', sha256: 'a'.repeat(64) } });
  const slowClosed = async () => metric(await (await fetch(`${h.url}/metrics`)).text(), 'wsguard_security_events_total', 'kind="slow_consumer"');
  const samples: MemorySample[] = [];
  const deadline = Date.now() + 60_000;
  let sent = 0;
  let closedSlow = 0;
  for (let round = 0; sent < 4_000 && Date.now() < deadline && closedSlow < CONSUMERS; round++) {
    for (const p of publishers) for (let i = 0; i < 10; i++) if (p.ok) p.ws.send(event);
    sent += publishers.length * 10;
    while (acked < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    closedSlow = await slowClosed();
    samples.push(await h.memory());
  }
  child.stdin.write('read\n');
  const codes = JSON.parse(await line(child, out, /^\[.*\]$/m, 60_000)) as (number | null)[];
  const tally: Record<string, number> = {};
  for (const c of codes) tally[String(c)] = (tally[String(c)] ?? 0) + 1;
  const peak = { rss: Math.max(...samples.map((s) => s.rss)), heap: Math.max(...samples.map((s) => s.heapUsed)) };

  const mib = (n: number) => `${(n / 1048576).toFixed(0)} MiB`;
  console.log(`slow consumers: ${sent} events published, ${closedSlow} closed as slow, client close codes ${JSON.stringify(tally)}, reader got ${readerEvents}; hub rss ${mib(baseline.rss)} → peak ${mib(peak.rss)}, heap ${mib(baseline.heapUsed)} → peak ${mib(peak.heap)}`);
  assert.equal(closedSlow, CONSUMERS, 'the hub closed every slow consumer');
  assert.deepEqual(tally, { 1013: CONSUMERS }, 'each one saw 1013 try_again_later');
  // Bound: every consumer's send buffer at its high-water mark, twice over, plus 128 MiB of slack.
  const bound = CONSUMERS * HWM * 2 + 128 * 1048576;
  assert.ok(peak.rss - baseline.rss < bound, `rss grew ${mib(peak.rss - baseline.rss)} (bound ${mib(bound)})`);
  assert.ok(readerEvents > 0, 'the reading subscriber still received events');
  reader.ws.terminate();
  for (const p of publishers) if (p.ok) p.ws.terminate();
});
